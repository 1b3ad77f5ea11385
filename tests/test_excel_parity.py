"""A button and the headless run give the same findings on the same workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.fake_xlwings import book_from_xlsx
from xl_dealer.excel import validate as validate_book
from xl_dealer.model.config import Config
from xl_dealer.samples import generate, write_workbook
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)


def _key(f) -> tuple:
    return (f.sheet, f.row, f.cell, f.field, f.column, f.rule, f.severity, f.message, f.subject)


def test_macro_and_headless_agree_on_a_messy_workbook(tmp_path: Path) -> None:
    reg, td = generate(days=20, per_day=8, end=AS_OF, seed=11, mistakes=0.08)
    path = tmp_path / "showroom.xlsx"
    write_workbook(path, [reg, td], instructions="说明：每位客户一行。")
    config = Config()
    headless = validate([path], as_of=AS_OF, config=config)
    book = book_from_xlsx(str(path), fullname=str(path))
    live = validate_book(book, as_of=AS_OF, config=config)
    assert len(headless.findings) > 10  # the planted mistakes are there
    assert {f.rule for f in headless.findings} >= {
        "format.phone", "format.date", "format.time", "required", "duplicate", "testdrive.missing", "format.id"}
    assert [_key(f) for f in live] == [_key(f) for f in headless.findings]
    assert {f.path for f in live} == {str(path)}
    # and every finding on a cell is marked there
    sheet_cells = {(f.sheet, f.cell) for f in live if f.cell}
    for sname, cell in sheet_cells:
        assert book.sheets[sname].range(cell).color is not None


def test_report_macros_with_the_real_builders_match_the_headless_report(tmp_path: Path) -> None:
    """Every report button on a book holding the demo's after-service and follow-up sheets
    gives the same tables as the headless report of the same workbook."""
    from xl_dealer.excel import build_report
    from xl_dealer.report import report as headless
    from xl_dealer.reports import REPORTS
    from xl_dealer.samples.followup import generate_followup
    from xl_dealer.samples.service import generate_after_service

    day = dt.date(2026, 11, 27)
    reg, td = generate(days=30, per_day=6, end=day, seed=7)
    cards, log = generate_followup(reg, day)
    callbacks, cases = generate_after_service(day)
    path = tmp_path / "all.xlsx"
    write_workbook(path, [reg, td, cards, log, callbacks, cases])
    book = book_from_xlsx(path)
    for name in REPORTS:
        live = build_report(book, name, as_of=day, config=Config())
        (file_report,) = headless(name, [path], as_of=day, config=Config(), json_path=tmp_path / f"{name}.json")
        assert live.to_json()["tables"] == file_report.to_json()["tables"], name
        assert live.sheet in [s.name for s in book.sheets]


def test_the_validate_button_knows_the_delivery_register_and_the_customer_file(tmp_path: Path) -> None:
    """Both new kinds in one open book, with the after-service log: the same findings as headless,
    the rules across the sheets included (customer.mismatch, customer.unknown, new-car calls)."""
    from tests.dealer_forms import write_forms
    from tests.test_delivery_rules import books

    forms = books()
    path = write_forms(tmp_path / "store.xlsx", forms["交车登记.xlsx"] + forms["售后回访.xlsx"] + forms["客户档案.xlsx"])
    config = Config()
    headless = validate([path], as_of=AS_OF, config=config)
    live = validate_book(book_from_xlsx(str(path), fullname=str(path)), as_of=AS_OF, config=config)
    assert {"delivery.thanks_late", "delivery.new_car_call", "customer.mismatch", "customer.unknown",
            "format.vin"} <= {f.rule for f in headless.findings}
    assert [_key(f) for f in live] == [_key(f) for f in headless.findings]


def test_the_results_sheet_reads_the_same_in_a_marked_copy_and_in_the_open_book(tmp_path: Path) -> None:
    """The same summary, the same header and the same rows, cell for cell, whichever face made it
    (only the line saying how to check again differs: annotate or the 校验 button)."""
    import openpyxl

    from xl_dealer.annotate import annotate

    reg, td = generate(days=20, per_day=8, end=AS_OF, seed=11, mistakes=0.08)
    path = tmp_path / "showroom.xlsx"
    write_workbook(path, [reg, td], instructions="说明：每位客户一行。")
    copy = annotate([path], out=tmp_path / "out", as_of=AS_OF, config=Config()).files[0].out
    ws = openpyxl.load_workbook(copy)["校验结果"]
    file_rows = [[c.value if c.value is not None else "" for c in row] for row in ws.iter_rows(max_col=8)]
    book = book_from_xlsx(str(path), fullname=str(path))
    validate_book(book, as_of=AS_OF, config=Config())
    res = book.sheets["校验结果"]
    live_rows = [["" if v is None else v for v in row]
                 for row in res.range((1, 1), (len(file_rows), 8)).options(ndim=2).value]
    assert len(file_rows) > 20
    drop_time = lambda rows: [[c.split("（生成于")[0] if i == 1 and j == 0 else c for j, c in enumerate(r)]  # noqa: E731
                              for i, r in enumerate(rows)]
    file_rows, live_rows = drop_time(file_rows), drop_time(live_rows)
    assert file_rows[:4] == live_rows[:4] and file_rows[0][0] == "校验结果：showroom.xlsx"
    assert "xl-dealer annotate" in file_rows[4][0] and "「校验」" in live_rows[4][0]
    assert file_rows[5:] == live_rows[5:]
    widths = [ws.column_dimensions[chr(65 + i)].width for i in range(8)]
    assert widths == [res.range((6, i + 1)).column_width for i in range(8)]
