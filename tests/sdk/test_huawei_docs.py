"""The "Use it from the Huawei Cloud SDK" snippet of docs/huawei.md, run as written (only
the port changes) against a fresh server with the example seed: a new user's first bind
works and prints what the doc says it prints."""

import contextlib
import io
import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "huawei.md"


def section():
    text = DOC.read_text()
    assert "## Use it from the Huawei Cloud SDK" in text
    return text.split("## Use it from the Huawei Cloud SDK", 1)[1].split("\n## ", 1)[0]


def test_the_documented_snippet_binds_a_vip(server):
    part = section()
    code = re.search(r"```python\n(.*?)```", part, re.S).group(1)
    promised = re.search(r"It prints:\n\n```\n(.*?)```", part, re.S).group(1)
    assert '"http://127.0.0.1:8080"' in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace("127.0.0.1:8080", server.endpoint), str(DOC), "exec"), {})
    assert out.getvalue() == promised
