"""No output may be an input, and a run writes all its outputs or none (issue 13)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REG_HEADER, reg_row, write_xlsx

AS_OF = "2026-11-27"


def run_cli(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=300, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def digest(*paths: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row()]})


@pytest.mark.parametrize("option", ["--out", "--json"])
def test_report_output_equal_to_an_input_is_refused(tmp_path, book, option):
    before = digest(book)
    other = tmp_path / "link.xlsx"
    os.symlink(book, other)  # another name for the same file
    for target in (book, other):
        code, _, err = run_cli("report", "funnel", book, "--as-of", AS_OF, option, target)
        assert code == 2 and "输入的工作簿" in err and "Traceback" not in err
    assert digest(book) == before


def test_report_never_replaces_a_file_it_did_not_write(tmp_path, book):
    clerk = write_xlsx(tmp_path / "别的表.xlsx", {"Sheet1": [["我的数据"]]})
    before = digest(clerk)
    code, _, err = run_cli("report", "funnel", book, "--as-of", AS_OF, "--out", clerk)
    assert code == 2 and "不是 xl-dealer 写的报表" in err
    assert digest(clerk) == before
    out = tmp_path / "r.xlsx"
    assert run_cli("report", "funnel", book, "--as-of", AS_OF, "--out", out)[0] == 0
    assert run_cli("report", "funnel", book, "--as-of", AS_OF, "--out", out)[0] == 0  # our own: replaced


def test_report_writes_both_outputs_or_neither(tmp_path, book):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # --json goes into a "folder" that is a file: it cannot be written
    out = tmp_path / "r.xlsx"
    code, _, err = run_cli("report", "funnel", book, "--as-of", AS_OF, "--out", out, "--json", blocker / "r.json")
    assert code == 2 and "Traceback" not in err
    assert not out.exists()  # the xlsx is not published without its JSON
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_annotate_never_writes_over_another_input(tmp_path, book):
    fixed = write_xlsx(tmp_path / "登记.checked.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    before = digest(book, fixed)
    code, _, err = run_cli("annotate", book, fixed, "--as-of", AS_OF)
    assert code == 2 and "登记.checked.xlsx" in err
    assert digest(book, fixed) == before


def test_templates_never_replace_a_filled_workbook(tmp_path):
    out = tmp_path / "t"
    assert run_cli("templates", out)[0] == 0
    assert run_cli("templates", out)[0] == 0  # our own empty templates: refreshed
    from openpyxl import load_workbook

    reg = out / "registration.xlsx"
    wb = load_workbook(reg)
    wb.worksheets[0].append(reg_row(name="张三"))
    wb.save(reg)
    before = digest(*out.iterdir())
    code, _, err = run_cli("templates", out)
    assert code == 2 and "registration.xlsx" in err
    assert digest(*out.iterdir()) == before  # nothing written, not even the other templates


def test_demo_never_replaces_a_clerks_file(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    clerk = write_xlsx(out / "showroom_log.xlsx", {"登记": [REG_HEADER, reg_row()]})
    before = digest(clerk)
    code, _, err = run_cli("demo", out, "--as-of", AS_OF)
    assert code == 2 and "showroom_log.xlsx" in err
    assert digest(clerk) == before
    assert sorted(p.name for p in out.iterdir()) == ["showroom_log.xlsx"]
