"""``demo`` tells the truth: sheets named for the month their rows are in whatever day it runs,
complaint numbers of the month they were registered in, a history that gives the 6-month trend
months of like size, and the next commands to try, in Chinese, that work as printed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from tests.cli_runner import invoke
from xl_dealer.read.values import to_date


def _demo(out: Path, as_of: str) -> str:
    res = invoke(["demo", str(out), "--as-of", as_of])
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.fixture(scope="module")
def first_of_month(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "d"
    return out, _demo(out, "2026-12-01")


def _column(ws, header: str) -> list:  # noqa: ANN001
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if any(str(c or "").lstrip("*") == header for c in r))
    col = next(j for j, c in enumerate(rows[head]) if str(c or "").lstrip("*") == header)
    return [r[col] for r in rows[head + 1:] if r[0] not in (None, "合计") and not str(r[0]).startswith("合计")]


def _month_of(name: str) -> int:
    return int(re.search(r"(\d+)月", name)[1])


def test_on_the_first_the_sheets_are_last_months(first_of_month):
    out, _ = first_of_month
    visits = openpyxl.load_workbook(out / "showroom_log.xlsx", read_only=True).sheetnames
    assert visits == ["说明", "2026年10月", "2026年11月"]  # not 2026年12月: the 1st is not in the log
    service = openpyxl.load_workbook(out / "after_service.xlsx", read_only=True).sheetnames
    assert service == ["11月回访", "历史回访", "快速处理表"]
    assert openpyxl.load_workbook(out / "deliveries.xlsx", read_only=True).sheetnames == ["11月交车"]


def test_the_instructions_print_on_one_page_wide(first_of_month):
    # its longest line is wider than a portrait page: unfitted, LibreOffice printed its last
    # words ("不留电话”。") on a page of their own
    out, _ = first_of_month
    ws = openpyxl.load_workbook(out / "showroom_log.xlsx")["说明"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


def _cases_numbered_by_their_month(book: Path) -> None:
    ws = openpyxl.load_workbook(book, read_only=True)["快速处理表"]
    numbers, days = _column(ws, "编号"), [to_date(v)[0] for v in _column(ws, "登记日期")]
    assert numbers
    seen: dict[str, int] = {}
    for no, day in zip(numbers, days, strict=True):
        m = re.fullmatch(r"KS(\d{2})(\d{2})-(\d{3})", no)
        assert m and (2000 + int(m[1]), int(m[2])) == (day.year, day.month), (no, day)
        seen[m[1] + m[2]] = seen.get(m[1] + m[2], 0) + 1
        assert int(m[3]) == seen[m[1] + m[2]]  # from 001 each month


def test_complaint_numbers_are_of_the_month_they_were_registered_in(first_of_month):
    _cases_numbered_by_their_month(first_of_month[0] / "after_service.xlsx")


def test_mid_month_each_month_sheet_holds_that_months_rows(tmp_path):
    _demo(tmp_path / "d", "2026-11-15")
    wb = openpyxl.load_workbook(tmp_path / "d" / "after_service.xlsx", read_only=True)
    assert wb.sheetnames == ["10月回访", "11月回访", "历史回访", "快速处理表"]
    for name in ("10月回访", "11月回访"):
        called = [to_date(v)[0] for v in _column(wb[name], "回访日期")]
        assert called and all(d.month == _month_of(name) for d in called if d), name
    deliveries = openpyxl.load_workbook(tmp_path / "d" / "deliveries.xlsx", read_only=True)
    assert deliveries.sheetnames == ["10月交车", "11月交车"]
    for ws in deliveries.worksheets:
        days = [to_date(v)[0] for v in _column(ws, "交车日期")]
        assert days and all(d.month == _month_of(ws.title) for d in days if d), ws.title
    _cases_numbered_by_their_month(tmp_path / "d" / "after_service.xlsx")


def test_the_six_month_trend_compares_months_of_like_size(first_of_month):
    from xl_dealer.report import report

    out, _ = first_of_month
    (monthly,) = report("monthly", [out / "after_service.xlsx"], as_of=dt.date(2026, 12, 1),
                        json_path=out.parent / "monthly.json")
    trend = monthly.to_json()["tables"]["trend"]
    assert [t["month"] for t in trend] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    answered = [t["answered"] for t in trend]
    assert min(answered) > 0.6 * max(answered), answered  # the history was a tenth of the month's size
    rates = [t["rate"] for t in trend]
    assert max(rates) - min(rates) < 0.05, rates


def test_the_next_commands_are_printed_in_chinese_and_work(first_of_month):
    out, printed = first_of_month
    tail = printed[printed.index("接下来可以试试："):]
    log, copy = out / "showroom_log.xlsx", out / "showroom_log.checked.xlsx"
    assert tail.count(f"xl-dealer annotate {out} ") == 2 and copy.name in tail
    assert f"xl-dealer report 晨会日报 {out} " in tail
    assert all(re.search(r"[\u4e00-\u9fff]", line) for line in tail.splitlines()[1:])
    from xl_dealer.model.text import text_width

    # the explanations start in one column, and the files are listed by what they are, in Chinese
    assert len({text_width(ln[:ln.index("  ", 4)]) + len(ln[ln.index("  ", 4):]) - len(ln[ln.index("  ", 4):].lstrip())
                for ln in tail.splitlines()[1:]}) == 1
    listing = printed[printed.index("样例工作簿和结果在"):printed.index("接下来可以试试：")]
    assert "来店(来电)客户登记表" in listing and "定期保养一览表" in listing and "registration" not in listing
    # the folder together: the rules across workbooks mark the copy too, and nothing says they did not run
    res = invoke(["annotate", str(out), "--as-of", "2026-12-01"])
    assert res.exit_code == 0 and copy.is_file() and "没有做的跨表核对" not in res.output
    assert "reports.xlsx：xl-dealer 生成的报表，不是登记数据，已跳过" in res.output  # the demo's report, in Chinese punctuation
    import openpyxl

    results = openpyxl.load_workbook(copy, read_only=True)["校验结果"]
    assert "card.missing" in {c for row in results.iter_rows(values_only=True) for c in row}
    res = invoke(["annotate", str(out), "--as-of", "2026-12-01"])  # again: the copies are marked again, not copied
    assert res.exit_code == 0 and sorted(p.name for p in out.glob("showroom_log*")) == \
        ["showroom_log.checked.xlsx", "showroom_log.xlsx"]
    # the log alone: marked, and told which rules across workbooks it was not checked by
    res = invoke(["annotate", str(log), "--as-of", "2026-12-01"])
    assert res.exit_code == 0 and "没有跟进卡（card.missing，要和客户跟进卡一起检查）" in res.output
