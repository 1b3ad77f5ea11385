"""Formula errors in an .xls come through as the .xlsx ones do: calamine reads them as blanks,
which made a failed VLOOKUP in a required column a wrong `required` ("不能为空")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import REG_HEADER, reg_row, write_xls, write_xlsx

from xl_dealer.read.xls_errors import may_hold_errors, xls_error_cells
from xl_dealer.validate import validate

AS_OF = "2026-11-27"


def _store_log() -> list[list]:
    """A day's 来店登记 as a store keeps it: a title, clean rows, formula columns that failed on
    some rows (the name and the consultant looked up by phone, a rate), the lookup dragged down
    past the data, and a 合计 row."""
    blank = [None] * len(REG_HEADER)
    dragged = list(blank)
    dragged[4] = "#N/A"  # 客户姓名 =VLOOKUP(…) on a row nobody filled
    return [
        ["XX汽车4S店展厅来店登记表 2026年11月20日"],
        REG_HEADER,
        reg_row(),
        reg_row(name="#N/A", phone="13900000002"),              # row 4: required 客户姓名
        reg_row(model="#DIV/0!", phone="13900000003"),          # row 5: optional 意向车型
        reg_row(consultant="#REF!", phone="13900000004"),       # row 6
        reg_row(phone="#VALUE!"),                               # row 7: required 联系电话
        reg_row(arrive=dt.time(14, 30), leave=dt.time(15, 10), phone="13900000005", name="李女士"),
        dragged, dragged,
        ["合计", "5组"],
    ]


def _found(r) -> list[tuple[str | None, str, object]]:
    return sorted((f.cell, f.rule, f.value) for f in r.findings)


def test_an_xls_formula_error_is_the_finding_an_xlsx_gives(tmp_path: Path) -> None:
    rows = _store_log()
    xls = validate([write_xls(tmp_path / "log.xls", {"登记": rows})], as_of=AS_OF)
    xlsx = validate([write_xlsx(tmp_path / "log.xlsx", {"登记": rows})], as_of=AS_OF)
    assert xls.files[0].error is None and xls.files[0].sheets[0]["rows"] == 6
    assert _found(xls) == _found(xlsx) == [("E4", "cell.error", "#N/A"), ("F7", "cell.error", "#VALUE!"),
                                           ("G5", "cell.error", "#DIV/0!"), ("J6", "cell.error", "#REF!")]
    assert not any(f.rule == "required" for f in xls.findings)


def test_error_cells_by_sheet_and_only_where_a_formula_failed(tmp_path: Path) -> None:
    p = write_xls(tmp_path / "m.xls", {"说明": [["填表说明"]], "11月": _store_log()})
    assert xls_error_cells(p) == {"11月": {(4, 4): "#N/A", (5, 6): "#DIV/0!", (6, 9): "#REF!", (7, 5): "#VALUE!",
                                           (9, 4): "#N/A", (10, 4): "#N/A"}}


def test_a_file_without_error_cells_is_not_read_twice(tmp_path: Path) -> None:
    """The search that decides whether xlrd looks again: no for a clean log, even one whose
    formulas give numbers and text, yes for an error written either way (FORMULA or BOOLERR)."""
    import xlwt

    clean = [REG_HEADER] + [reg_row(phone=f"139{i:08d}", remark=f"备注（{i}）¥") for i in range(300)]
    p = write_xls(tmp_path / "clean.xls", {"登记": clean})
    assert not may_hold_errors(p.read_bytes()) and xls_error_cells(p) == {}

    wb = xlwt.Workbook()
    ws = wb.add_sheet("登记")
    ws.write(0, 0, xlwt.Formula("1+1"))
    ws.write(0, 1, xlwt.Formula('"a"&"b"'))
    wb.save(str(tmp_path / "formulas.xls"))
    assert not may_hold_errors((tmp_path / "formulas.xls").read_bytes())

    ws.row(1).set_cell_error(0, 0x07)
    wb.save(str(tmp_path / "boolerr.xls"))
    assert xls_error_cells(tmp_path / "boolerr.xls") == {"登记": {(2, 0): "#DIV/0!"}}
    assert may_hold_errors(write_xls(tmp_path / "e.xls", {"登记": [["#N/A"]]}).read_bytes())
