"""A header written on two rows, as many stores' forms have it: a group merged over its parts
(来店时间 over 到店 | 离店, 客户信息 over 姓名 | 电话), the other columns merged down both rows.
The lower row is header, not a data row of blank required cells, and the group's other column
is named by the two rows together. Rows that only look a little like it stay data."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import write_xlsx

from xl_dealer.excel.grid import check_rows
from xl_dealer.model.config import Config
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)
D, T = dt.datetime, dt.time
TITLE = ["来店(来电)客户登记表"]
# 来店时间 merged over 到店 | 离店 (D2:E2); the rest merged down rows 2-3
TOP = ["日期", "来店/来电", "客户姓名", "来店时间", None, "联系电话", "意向车型", "信息来源", "意向级别", "接待顾问", "是否建卡"]
LOW = [None, None, None, "到店", "离店", None, None, None, None, None, None]
MERGES = ["A1:K1", "D2:E2", *(f"{c}2:{c}3" for c in "ABCFGHIJK")]


NINE_THIRTY, TEN_FIFTEEN = T(9, 30), T(10, 15)


def _row(arrive: T = NINE_THIRTY, leave: T = TEN_FIFTEEN, phone: str = "13812345678") -> list:
    return [D(2026, 11, 20), "来店", "王先生", arrive, leave, phone, "途观L", "汽车之家", "H", "张伟", "是"]


def _codes(path: Path) -> list[tuple[str, str]]:
    return sorted((f.cell, f.rule) for f in validate([path], as_of=AS_OF).findings if f.rule != "card.missing")


def test_the_lower_row_is_header_and_the_group_names_both_columns(tmp_path):
    rows = [TITLE, TOP, LOW, _row(), _row(T(16, 0), T(15, 30), "13912345678"), _row(phone="1381234567")]
    path = write_xlsx(tmp_path / "登记.xlsx", {"11月": rows}, merge={"11月": MERGES})
    r = validate([path], as_of=AS_OF)
    sheet = r.files[0].sheets[0]
    assert sheet["header_row"] == 3 and sheet["rows"] == 3
    # 离店 before 到店 on Excel row 5 (so the 离店 column is read), the short phone on row 6;
    # nothing about row 3 (the sub-header), no column missing
    assert _codes(path) == [("E5", "time.order"), ("F6", "format.phone")]
    # as Excel hands the block to DEALER_VALIDATE (table_from_rows) the same
    _, found = check_rows(rows, Config(), AS_OF)
    assert sorted((f.cell, f.rule) for f in found if f.rule != "card.missing") == _codes(path)


def test_a_group_chosen_as_the_lower_row_keeps_the_columns_merged_down():
    """客户信息 over 姓名 | 电话: the lower row names more fields than the upper, so it is found as
    the header; the upper row's 日期 and 意向车型 (merged down) are still read."""
    top = ["日期", "来店/来电", "客户信息", None, "来店时间", None, "意向车型", "信息来源", "意向级别", "接待顾问"]
    low = [None, None, "客户姓名", "联系电话", "到店", "离店", None, None, None, None]
    good = [D(2026, 11, 20), "来店", "王先生", "13812345678", T(9, 30), T(10, 15), "途观L", "汽车之家", "H", "张伟"]
    late = [D(2026, 11, 29), *good[1:]]
    t, found = check_rows([top, low, good, late], Config(), AS_OF)
    assert t.header_row == 2 and {"date", "customer", "phone", "arrive_time", "leave_time", "model"} <= set(t.columns)
    assert [(f.cell, f.rule) for f in found] == [("A4", "date.future")]


def test_data_rows_of_texts_under_the_header_stay_data():
    """A first data row typed all as text (a text date, no times) is no header's lower row, nor
    is a row with a text under a column of its own; and a title above the header is a title."""
    header = [h for h in TOP if h]
    header[3] = "到店时间"
    texts = ["2026-11-20", "来店", "王先生", "9:30", "13812345678", "途观L", "汽车之家", "H", "张伟", "是"]
    t, found = check_rows([TITLE, header, texts, texts], Config(), AS_OF)
    assert t.header_row == 2 and len(t.rows) == 2
    extra = [*header, None]
    note = [*texts, "电话"]  # a note under a column with no header: still a data row
    t, _ = check_rows([extra, note], Config(), AS_OF)
    assert t.header_row == 1 and len(t.rows) == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_an_xls_with_a_two_row_header_reads_the_same(tmp_path):
    rows = [TITLE, TOP, LOW, _row(), _row(T(16, 0), T(15, 30), "13912345678")]
    src = write_xlsx(tmp_path / "登记.xlsx", {"11月": rows}, merge={"11月": MERGES})
    out = tmp_path / "xls"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "xls",
                    "--outdir", str(out), str(src)], capture_output=True, timeout=180, check=True)
    assert _codes(out / "登记.xls") == _codes(src) == [("E5", "time.order")]


def test_a_part_named_like_a_column_of_its_own_is_the_groups(tmp_path):
    """上次保养 and 下次保养 over 日期 | 里程: a bare 日期 or 里程 under a group is that group's
    (上次保养日期, 下次保养里程), never a second 里程 column of the sheet (column.duplicate)."""
    top = ["车牌号", "客户姓名", "联系电话", "车型", "上次保养", None, "下次保养", None, None, "电话提醒日期", "联系结果"]
    low = [None, None, None, None, "日期", "里程", "日期", "里程", "项目", None, None]
    car = ["粤B12345", "王先生", "13812345678", "途观L", D(2026, 5, 20), 15000, D(2026, 11, 20), 20000, "机油",
           D(2026, 11, 18), "已预约"]
    path = write_xlsx(tmp_path / "保养.xlsx", {"一览表": [top, low, car]})
    r = validate([path], as_of=AS_OF)
    sheet = r.files[0].sheets[0]
    assert sheet["header_row"] == 2 and {"last_service", "last_km", "next_service_date", "next_service_km",
                                        "next_service_items"} <= set(sheet["columns"])
    assert [f.rule for f in r.findings] == []


def test_notes_under_a_merged_column_stay_a_data_row(tmp_path):
    """备注 merged over two columns and a first row holding only notes there (未留电话 | 客户拒留):
    a row of blank required cells, as before, not the header's lower row (备注 names a field its
    'parts' do not keep)."""
    top = ["日期", "来店时间", "离店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别",
           "销售顾问", "备注", None]
    notes = [None] * 10 + ["未留电话", "客户拒留"]
    row = ["11月20日", "10:30", "11:15", "来电", "李女士", "13812345679", "帕萨特", "抖音", "A", "张伟", None, None]
    path = write_xlsx(tmp_path / "登记.xlsx", {"11月": [TITLE, top, notes, row]}, merge={"11月": ["K2:L2"]})
    r = validate([path], as_of=AS_OF)
    assert r.files[0].sheets[0]["header_row"] == 2 and r.files[0].sheets[0]["rows"] == 2
    assert {f.cell for f in r.findings if f.rule == "required"} >= {"A3", "E3", "J3"}


# 客户信息 merged over five parts that each name a field alone, 日期 and 接待顾问 merged down: the
# lower row names more fields, so it is found as the header, and the two rows gain only the
# columns merged down (no part gains anything)
GROUP_TOP = ["日期", "客户信息", None, None, None, None, "来店时间", None, "来店/来电", "接待顾问"]
GROUP_LOW = [None, "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别", "到店", "离店", None, None]
GROUP_MERGES = ["A1:J1", "B2:F2", "G2:H2", "A2:A3", "I2:I3", "J2:J3"]


def _group_row(day: dt.datetime | None = None, phone: str = "13812345678") -> list:
    return [day or D(2026, 11, 20), "王先生", phone, "途观L", "汽车之家", "H", T(9, 30), T(10, 0), "来店", "张伟"]


def test_a_lower_row_whose_parts_name_fields_alone_keeps_the_columns_merged_down(tmp_path):
    """Before, the two rows were read together only when a part gained a field: 日期 and 接待顾问
    were then never read, and the sheet said 缺少必填列 for columns that are there. The lower row
    alone (姓名 | 电话 | 车型 | 来源 | 级别) also looks more like a follow-up card than the visitor
    log the two rows make: the kind is asked of both rows together."""
    rows = [TITLE, GROUP_TOP, GROUP_LOW, _group_row(), _group_row(D(2026, 11, 29), "13912345678")]
    path = write_xlsx(tmp_path / "登记.xlsx", {"11月": rows}, merge={"11月": GROUP_MERGES})
    r = validate([path], as_of=AS_OF)
    sheet = r.files[0].sheets[0]
    assert sheet["kind"] == "registration" and sheet["header_row"] == 3 and sheet["rows"] == 2
    assert {"date", "customer", "phone", "arrive_time", "leave_time", "consultant"} <= set(sheet["columns"])
    assert _codes(path) == [("A5", "date.future")]
    t, found = check_rows(rows, Config(), AS_OF)  # as Excel hands the block to DEALER_VALIDATE
    assert t.kind.key == "registration"
    assert sorted((f.cell, f.rule) for f in found if f.rule != "card.missing") == _codes(path)


def test_a_title_over_a_header_is_no_group():
    """A title merged over the whole header names no field the header lacks: one header row."""
    header = [h for h in TOP if h]
    header[3] = "到店时间"
    t, _ = check_rows([["来店(来电)客户登记表", *[None] * (len(header) - 1)], header, _row()[:4] + _row()[5:]],
                      Config(), AS_OF)
    assert t.header_row == 2 and len(t.rows) == 1


def test_dealer_check_row_reads_a_header_on_two_rows_as_the_full_way():
    """DEALER_CHECK_ROW given the two header rows ($A$2:$K$3) says what the sheet's check says of
    the row; before, the two rows were run together into one header twice as wide."""
    from udfs import dealer_udfs as u

    forms = ((TOP, LOW, [_row(), _row(T(16, 0), T(15, 30)), _row(phone="1381234567")]),
             (GROUP_TOP, GROUP_LOW, [_group_row(), _group_row(D(2026, 11, 29)), _group_row(phone="12345")]))
    for top, low, (good, *bad) in forms:
        assert u.DEALER_CHECK_ROW([top, low], [good], AS_OF) == ""
        for r in bad:
            _, found = check_rows([top, low, r], Config(), AS_OF)
            said = u.DEALER_CHECK_ROW([top, low], [r], AS_OF)
            assert said and said == "；".join(f.message for f in found)
            title = [TITLE[0], *[None] * (len(top) - 1)]
            assert u.DEALER_CHECK_ROW([title, top, low], [r], AS_OF) == said  # the title above: the same
    assert u.DEALER_CHECK_ROW([TOP, LOW], [_row(T(16, 0), T(15, 30))], AS_OF).count("离店") >= 1
    assert u.DEALER_CHECK_ROW([["甲", "乙"], ["丙", "丁"]], [[1.0, 2.0]]).startswith("错误：表头无法识别")


def test_columns_typed_again_in_the_lower_row_are_the_columns_own(tmp_path):
    """A form whose columns are not merged down but typed in both rows (日期 over 日期, 来店时间
    over 到店 | 离店): still a header on two rows, so 离店 is read and checked (before, it was
    left unread and a 离店 before 到店 went unnoticed)."""
    low = [t if t else None for t in TOP]
    low[3], low[4] = "到店", "离店"
    rows = [TITLE, TOP, low, _row(), _row(T(16, 0), T(15, 30), "13912345678")]
    path = write_xlsx(tmp_path / "登记.xlsx", {"11月": rows}, merge={"11月": ["A1:K1", "D2:E2"]})
    sheet = validate([path], as_of=AS_OF).files[0].sheets[0]
    assert sheet["header_row"] == 3 and sheet["rows"] == 2 and "leave_time" in sheet["columns"]
    assert _codes(path) == [("E5", "time.order")]
    again = [TITLE, TOP, TOP, _row()]  # the same header twice, a group in it: no lower row
    t, _ = check_rows(again, Config(), AS_OF)
    assert t.header_row == 2
