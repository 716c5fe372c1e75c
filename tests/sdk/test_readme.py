"""The README as a new user reads it: every Python snippet of it, in order, against one
fresh server started with the example seed (the port of the README replaced by the
server's), must run without an error."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_every_readme_snippet_runs_in_order(havip_server):
    server = havip_server()
    snippets = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(snippets) >= 5, "Alibaba (new and legacy), Volcengine, Huawei and Tencent snippets"
    for code in snippets:
        assert "8080" in code, code
        code = code.replace("127.0.0.1:8080", server.endpoint)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        # The snippets catch the SDKs' exceptions and print the status (or, for Tencent,
        # whose errors are all HTTP 200, the code): none may have.
        assert not re.match(r"(HTTP )?\d{3}\b", done.stdout), done.stdout
        assert not re.match(r"[A-Z][A-Za-z]+(\.[A-Za-z]+)? ", done.stdout), done.stdout
        assert re.search(r"InUse|bound to|^[0-9A-F-]{36}$|^havip-\S+ .* (UNBIND|AVAILABLE) ",
                         done.stdout, re.M), done.stdout
