"""The column-wise calamine path (``iter_rows`` into columns) gives the Table the row-wise one does."""

from __future__ import annotations

import python_calamine as pc
from openpyxl import Workbook

from tests.helpers import REG_HEADER, reg_row
from xl_dealer.model.config import Config
from xl_dealer.read.dense import Grid as _Grid
from xl_dealer.read.dense import from_calamine as _from_calamine
from xl_dealer.read.header import AliasIndex
from xl_dealer.read.table import Table, table_from_rows


def _book(path, offset_cols: int, offset_rows: int):
    wb = Workbook()
    ws = wb.active
    ws.title = "登记"
    rows = [["XX店来店登记表 2026年11月"], [], REG_HEADER]
    for i in range(40):
        rows.append(reg_row(phone=f"1381234{i:04d}"))
    rows[10] = [None] * len(REG_HEADER)  # a blank row
    rows[20] = list(REG_HEADER)  # the header printed again
    rows[30] = ["", "", "合计", "40条"]  # a total in the first six columns, not the first
    rows.append(["小计"])
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                cell = ws.cell(row=r + 1 + offset_rows, column=c + 1 + offset_cols, value=v)
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)
    return path


def _both(path) -> tuple[Table, Table]:
    config = Config()
    index = AliasIndex(config)
    wb = pc.CalamineWorkbook.from_path(str(path))
    # no fallback given: None if the fast path gave up, so the test sees the fast path
    sh = wb.get_sheet_by_name("登记")
    fast = _from_calamine(str(path), "登记", _Grid([(lambda: sh, 0)]), index, config, None)
    slow = table_from_rows(str(path), "登记", wb.get_sheet_by_name("登记").to_python(skip_empty_area=False),
                           index, config)
    assert isinstance(fast, Table) and isinstance(slow, Table)
    return fast, slow


def test_iter_rows_path_matches_the_grid_path(tmp_path):
    for cols, rows in ((0, 0), (2, 0), (0, 3), (3, 4)):
        fast, slow = _both(_book(tmp_path / f"b{cols}{rows}.xlsx", cols, rows))
        assert fast.rows == slow.rows and fast.raw == slow.raw and fast.columns == slow.columns
        assert fast.header_row == slow.header_row == 3 + rows
        assert len(fast.rows) == 37  # 40 visitors less the blank, repeated-header and 合计 rows
        assert fast.cell("phone", 0) == slow.cell("phone", 0)
