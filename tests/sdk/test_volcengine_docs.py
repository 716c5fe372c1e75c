"""The "Use it from the Volcengine SDK" snippet of docs/volcengine.md, run as written
(only the port changes) against a fresh server with the example seed: a new user's first
AssociateHaVip works."""

import contextlib
import io
import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "volcengine.md"


def snippet():
    text = DOC.read_text()
    assert "## Use it from the Volcengine SDK" in text
    section = text.split("## Use it from the Volcengine SDK", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_documented_snippet_associates_a_havip(server):
    code = snippet()
    assert "auto_retry = False" in code and '"127.0.0.1:8080"' in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace("127.0.0.1:8080", server.endpoint), str(DOC), "exec"), {})
    printed = out.getvalue()
    assert "HTTP" not in printed, printed
    assert re.fullmatch(r"havip-[a-z0-9]{21} 192\.168\.1\.\d+ InUse \['i-13fdemo0001'\]\n", printed), printed


def test_the_documented_snippet_polls_through_associating(havip_server):
    slow = havip_server(transition_delay="1s")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet().replace("127.0.0.1:8080", slow.endpoint), str(DOC), "exec"), {})
    assert "InUse ['i-13fdemo0001']" in out.getvalue(), out.getvalue()
