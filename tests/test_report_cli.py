"""``xl-dealer report``: the thin shell over ``xl_dealer.reports.report``; the demo's report workbook."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.cli_runner import invoke
from tests.test_report_weekly import CALLS, CASES
from tests.workbooks import write
from xl_dealer.reports import REPORTS


@pytest.fixture
def callbacks(tmp_path):
    return write(tmp_path / "cb.xlsx", {"回访": ("service_callback", CALLS), "快速处理": ("complaint", CASES)})


def test_weekly_xlsx_and_json(tmp_path, callbacks):
    out, js = tmp_path / "w.xlsx", tmp_path / "w.json"
    res = invoke(["report", "weekly", str(callbacks), "--as-of", "2026-11-30",
                              "--out", str(out), "--json", str(js)])
    assert res.exit_code == 0, res.output
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["report"] == "weekly" and data["period"] == {"start": "2026-11-23", "end": "2026-11-29"}
    assert data["tables"]["overall"][0]["calls"] == 6
    assert load_workbook(out).sheetnames == ["周回访报表"]


def test_default_out_name_in_current_folder(tmp_path, callbacks, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "all", str(callbacks), "--as-of", "2026-11-30"])
    assert res.exit_code == 0, res.output
    assert load_workbook(tmp_path / "全部报表_2026-11-30.xlsx").sheetnames == list(REPORTS.values())
    res = invoke(["report", "周回访报表", str(callbacks), "--as-of", "2026-11-30"])
    assert res.exit_code == 0 and "周回访报表_2026-11-30.xlsx" in res.output, res.output
    assert load_workbook(tmp_path / "周回访报表_2026-11-30.xlsx").sheetnames == ["周回访报表"]


def test_default_out_name_in_english_is_the_key(tmp_path, callbacks, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "weekly", str(callbacks), "--as-of", "2026-11-30", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["cb.xlsx", "weekly_2026-11-30.xlsx"]


def test_json_to_stdout(callbacks, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "all", str(callbacks), "--as-of", "2026-11-30", "--json", "-"])
    assert res.exit_code == 0
    assert [r["report"] for r in json.loads(res.stdout)["reports"]] == list(REPORTS)
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["cb.xlsx"]  # only JSON was asked for


@pytest.mark.parametrize("args", [["report", "nope", "x.xlsx"], ["report", "weekly", "missing.xlsx"],
                                  ["report", "weekly", "x.xlsx", "--as-of", "30/11/2026"],
                                  ["report", "funnel", "x.xlsx", "--period", "decade"],
                                  ["report", "morning", "x.xlsx", "--period", "week"]])
def test_bad_usage_exits_2_with_one_line(tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(args)
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.xlsx"))


def test_demo_writes_the_report_workbook(tmp_path):
    from xl_dealer.demo import demo

    paths = demo(tmp_path / "demo", as_of="2026-11-30", echo=lambda s: None)
    assert load_workbook(paths["reports"]).sheetnames == list(REPORTS.values())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_every_demo_report_to_pdf(tmp_path):
    """A real program reads our files: every sheet of the demo's reports.xlsx must print."""
    from xl_dealer.demo import demo

    paths = demo(tmp_path / "demo", as_of="2026-11-30", echo=lambda s: None)
    pdf_dir = tmp_path / "pdf"
    env = {**os.environ, "HOME": str(tmp_path)}  # a private LibreOffice profile: parallel runs don't collide
    proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(pdf_dir),
                           str(paths["reports"])], capture_output=True, text=True, timeout=180, env=env)
    pdf = pdf_dir / "reports.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _pages(pdf) >= len(REPORTS)  # at least a page per sheet


def _pages(pdf) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        return int(next((ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")), "0"))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.fixture
def visitors(tmp_path):
    from tests.test_report_sales import reg

    d = __import__("datetime").date
    return write(tmp_path / "来店.xlsx", {"登记": ("registration", [reg(d(2026, 11, 3), "王强", phone="13700000001"),
                                                                    reg(d(2026, 11, 4), "李娜", phone="13700000002")])})


def test_a_report_fed_by_nothing_it_needs_exits_2_and_writes_nothing(tmp_path, visitors, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "weekly", str(visitors), "--as-of", "2026-11-30", "--json", "w.json"])
    assert res.exit_code == 2
    assert "周回访报表" in res.stderr and "未提供售后回访记录" in res.stderr and "未生成报表" in res.stderr
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["来店.xlsx"] and not (tmp_path / "w.json").exists()


def test_all_says_on_stderr_what_each_report_lacks(tmp_path, visitors, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "all", str(visitors), "--as-of", "2026-12-03", "--out", "r.xlsx"])
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert any(ln.startswith("xl-dealer: 周回访报表: 未提供售后回访记录") for ln in lines)
    assert any(ln.startswith("xl-dealer: 销售总结: 上期（2026年10月）") for ln in lines)  # October not given
    ws = load_workbook(tmp_path / "r.xlsx")["周回访报表"]
    assert any("未提供售后回访记录" in str(c.value) for row in ws.iter_rows(max_row=6) for c in row)


def test_period_for_sales_and_satisfaction(tmp_path, callbacks, visitors, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke(["report", "sales", str(visitors), "--as-of", "2027-01-05", "--period", "quarter",
                              "--json", "-"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["period"] == {"start": "2026-10-01", "end": "2026-12-31"} and data["title"].startswith("销售总结（季度）")
    res = invoke(["report", "monthly", str(callbacks), "--as-of", "2027-01-05", "--period", "quarter",
                              "--out", "q.xlsx"])
    assert res.exit_code == 0, res.output
    assert load_workbook(tmp_path / "q.xlsx").sheetnames == ["季度满意度"]


@pytest.mark.parametrize("name", list(REPORTS))
def test_each_report_is_refused_without_any_of_its_inputs(tmp_path, visitors, callbacks, name):
    from xl_dealer.model.config import Config
    from xl_dealer.model.errors import InputError
    from xl_dealer.report import report

    fed_by_visitors = {"morning", "funnel", "sales"}
    fed_by_callbacks = {"calls", "daily", "weekly", "monthly", "churn", "reminders"}
    for path, fed in ((visitors, fed_by_visitors), (callbacks, fed_by_callbacks)):
        out = tmp_path / f"{name}_{path.stem}.xlsx"
        if name in fed:
            report(name, [path], as_of="2026-12-03", config=Config(), out=out)
            assert out.exists()
        else:
            with pytest.raises(InputError, match="未生成报表"):
                report(name, [path], as_of="2026-12-03", config=Config(), out=out)
            assert not out.exists()
