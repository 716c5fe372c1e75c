"""docs/aliyun.md stays true: its two SDK snippets run as written against a fresh server
(only the port changes), every test its error table names exists, and every code the
face's error table (crates/havip-aliyun/src/errors.rs) can return is documented."""

import ast
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "aliyun.md"
ERRORS_RS = ROOT / "crates" / "havip-aliyun" / "src" / "errors.rs"
ERROR_TESTS_RS = ROOT / "crates" / "havip-aliyun" / "src" / "errors" / "tests.rs"
DOC_ENDPOINT = "127.0.0.1:8080"


def _section(text, title):
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def _snippets():
    section = _section(DOC.read_text(), "Use it from the Alibaba Cloud SDK")
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_doc_has_both_snippets():
    snippets = _snippets()
    assert len(snippets) == 2
    assert "alibabacloud_vpc20160428" in snippets[0] and "aliyunsdkvpc" in snippets[1]
    assert all("AssociateHaVip" in s for s in snippets)


@pytest.mark.parametrize("index", [0, 1], ids=["new-sdk", "legacy-sdk"])
def test_snippet_runs_first_time(havip_server, index):
    server = havip_server()
    code = _snippets()[index].replace(DOC_ENDPOINT, server.endpoint)
    assert server.endpoint in code
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    if index == 0:
        assert done.stdout.split()[:2] == ["havip-uf6demo0001", "InUse"]
        assert "i-uf6demo0001" in done.stdout
    else:
        assert re.fullmatch(r"[0-9A-F-]{36}\n", done.stdout), done.stdout
    # The association really happened.
    assert server.havip("havip-uf6demo0001")["status"] == "InUse"


def test_both_snippets_run_one_after_the_other(havip_server):
    """As a reader following the page does: the new SDK's, then the legacy SDK's."""
    server = havip_server()
    for code in _snippets():
        code = code.replace(DOC_ENDPOINT, server.endpoint)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    members = [m["id"] for m in server.havip("havip-uf6demo0001")["members"]]
    assert members == ["i-uf6demo0001", "i-uf6demo0002"]


def _table_rows():
    section = _section(DOC.read_text(), "Error codes")
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("Code", "---"):
            rows.append(cells)
    return rows


def _python_tests(path):
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_named_test_exists():
    rust_tests = set(re.findall(r"fn (\w+)\(", ERROR_TESTS_RS.read_text()))
    rows = _table_rows()
    assert len(rows) > 40
    for code, status, when, tests in rows:
        named = re.findall(r"`([^`]+)`", tests)
        assert named, f"{code} names no test"
        for ref in named:
            if ref.startswith("errors::tests::"):
                assert ref.split("::")[-1] in rust_tests, ref
            else:
                file, name = ref.split("::")
                assert name in _python_tests(pathlib.Path(__file__).parent / file), ref


def test_every_code_of_the_error_table_is_documented():
    documented = set()
    for code, *_ in _table_rows():
        documented.update(c.strip() for c in code.split(","))
    returned = set(re.findall(r'reply\(\s*[^,]+,\s*"([^"]+)"', ERRORS_RS.read_text()))
    assert returned, "no codes found in errors.rs"
    assert returned <= documented, returned - documented
