"""Each worksheet function fed what Excel really hands it, through xlwings' own
``conversion.read``/``conversion.write`` with the options its decorators declare."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.xl_windows import MISSING, Cells, call, windows_udfs

D = dt.datetime
REG_HEADER = ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别", "销售顾问",
              "是否建卡"]
GOOD_ROW = [D(2026, 11, 3), D(1899, 12, 30, 9, 30), "来店", "王先生", 13812345678.0, "A6", "网络", "h", "张三", "是"]


@pytest.fixture(scope="module")
def u():
    with windows_udfs() as mod:
        yield mod


def test_phone_checks_a_cell_or_a_whole_column_keeping_its_shape(u) -> None:
    assert call(u.DEALER_PHONE_OK, 13812345678.0) == [[True]]  # a number cell arrives as a float
    got = call(u.DEALER_PHONE_OK, Cells([[13812345678.0], ["138 1234 5678"], [None], ["12345"], ["0755-88886666"]]))
    assert got == [[True], [True], [""], [False], [True]]  # a column stays a column; blank stays blank
    assert call(u.DEALER_PHONE_OK, Cells([[13812345678.0, "abc"]])) == [[True, False]]


def test_phone_normalises_to_text_digits_and_explains_bad_ones(u) -> None:
    assert call(u.DEALER_PHONE, "+86 138-1234-5678") == [["13812345678"]]
    assert call(u.DEALER_PHONE, Cells([[13812345678.0], [None], ["１３８１２３４５６７８"]])) == \
        [["13812345678"], [""], ["13812345678"]]
    assert call(u.DEALER_PHONE, "1234")[0][0].startswith("错误：")


def test_id_number_check_and_age_from_birth_date(u) -> None:
    good = "11010519491231002X"
    assert call(u.DEALER_ID_OK, Cells([[good], ["110105194912310021"], [None], [1.10105194912310e17]])) == \
        [[True], [False], [""], [False]]  # 18 digits typed as a number lost their tail
    assert call(u.DEALER_ID_AGE, good, D(2026, 1, 1)) == [[76]]
    assert call(u.DEALER_ID_AGE, good, 46023.0) == [[76]]  # a date serial from an array formula
    assert call(u.DEALER_ID_AGE, good, MISSING)[0][0] == call(u.DEALER_ID_AGE, good, D.today())[0][0]
    assert call(u.DEALER_ID_AGE, None) == [[""]]
    assert call(u.DEALER_ID_AGE, "123")[0][0].startswith("错误：")


def test_vin_check_digit_upper_or_lower_case_with_spaces(u) -> None:
    good = "LSVAM4187C2184847"
    got = call(u.DEALER_VIN_OK, Cells([[good], ["lsvam 4187c 2184847"], ["LSVAM4187C2184848"], ["LSVAI4187C2184847"],
                                       [None], [12345678901234567.0]]))
    assert got == [[True], [True], [False], [False], [""], [False]]  # check digit, I/O/Q, a number is never one


def test_validate_knows_the_delivery_register(u) -> None:
    header = ["交车日期", "交车时间", "客户姓名", "联系电话", "车型", "车架号", "销售顾问", "服务顾问", "感谢电话时间"]
    row = [D(2026, 11, 20), D(1899, 12, 30, 10, 0), "王先生", 13812345678.0, "凯美瑞", "LSVAM4187C2184848", "李娜",
           "黄志强", D(1899, 12, 30, 10, 40)]
    got = call(u.DEALER_VALIDATE, Cells([header, row]), D(2026, 11, 21))
    assert [r[2] for r in got[1:]] == ["format.vin"] and got[1][0] == "F2"


def test_mask_phone_and_id(u) -> None:
    assert call(u.DEALER_MASK, Cells([[13812345678.0], ["11010519491231002X"], [None]])) == \
        [["138****5678"], ["110105********002X"], [""]]


def test_next_followup_from_level_cadence_dates_and_serials(u) -> None:
    assert call(u.DEALER_NEXT_FOLLOWUP, "H", D(2026, 11, 20)) == [[D(2026, 11, 22)]]
    assert call(u.DEALER_NEXT_FOLLOWUP, "a", 46346.0) == [[D(2026, 11, 24)]]  # serial of 2026-11-20
    assert call(u.DEALER_NEXT_FOLLOWUP, "B", D(2026, 11, 20), D(2026, 11, 23)) == [[D(2026, 11, 23)]]
    assert call(u.DEALER_NEXT_FOLLOWUP, "F", D(2026, 11, 20)) == [["已关闭，无需跟进"]]
    assert call(u.DEALER_NEXT_FOLLOWUP, "X", D(2026, 11, 20))[0][0].startswith("错误：意向级别")
    assert call(u.DEALER_NEXT_FOLLOWUP, "H", None)[0][0].startswith("错误：")
    assert call(u.DEALER_NEXT_FOLLOWUP, "H", "不是日期")[0][0].startswith("错误：")


def test_followup_status(u) -> None:
    last = D(2026, 11, 20)
    assert call(u.DEALER_FOLLOWUP_STATUS, "H", last, MISSING, D(2026, 11, 21)) == [["正常（2026-11-22前跟进）"]]
    assert call(u.DEALER_FOLLOWUP_STATUS, "H", last, MISSING, D(2026, 11, 22)) == [["今日到期"]]
    assert call(u.DEALER_FOLLOWUP_STATUS, "H", last, None, D(2026, 11, 25)) == [["逾期3天"]]
    assert call(u.DEALER_FOLLOWUP_STATUS, "H", last, D(2026, 11, 21), D(2026, 11, 22)) == [["逾期1天"]]
    assert call(u.DEALER_FOLLOWUP_STATUS, "D", last, MISSING, D(2026, 12, 25)) == [["已关闭，无需跟进"]]


def test_callback_due_and_late(u) -> None:
    assert call(u.DEALER_CALLBACK_DUE, D(2026, 11, 20), "保养") == [[D(2026, 11, 23)]]
    assert call(u.DEALER_CALLBACK_DUE, D(2026, 11, 20), "新车") == [[D(2026, 11, 27)]]  # synonym of 新车交付
    assert call(u.DEALER_CALLBACK_DUE, None) == [[""]]
    assert call(u.DEALER_CALLBACK_LATE, D(2026, 11, 20), D(2026, 11, 23), "维修") == [[False]]
    assert call(u.DEALER_CALLBACK_LATE, D(2026, 11, 20), D(2026, 11, 24), "维修") == [[True]]
    assert call(u.DEALER_CALLBACK_LATE, D(2026, 11, 20), D(2026, 11, 24), "新车交付") == [[False]]
    # not called yet: late once the as-of date is past the due date
    assert call(u.DEALER_CALLBACK_LATE, D(2026, 11, 20), None, MISSING, D(2026, 11, 23)) == [[False]]
    assert call(u.DEALER_CALLBACK_LATE, D(2026, 11, 20), None, MISSING, D(2026, 11, 24)) == [[True]]


def test_satisfaction_rate_of_a_range_with_blanks_words_and_ten_point_scores(u) -> None:
    assert call(u.DEALER_SATISFACTION, Cells([[5.0, 4.0, None], ["不满意", 3.0, "非常满意"]])) == [[0.6]]
    assert call(u.DEALER_SATISFACTION, Cells([[10.0, 6.0], [8.0, None]])) == [[2 / 3]]  # 10-point, halved
    assert call(u.DEALER_SATISFACTION, Cells([[None, None]])) == [[""]]  # nothing answered: no rate, no NaN
    assert call(u.DEALER_SATISFACTION, Cells([[5.0, "好极了"]]))[0][0].startswith("错误：")


def test_check_row_returns_the_rows_findings_as_text(u) -> None:
    header = Cells([REG_HEADER])
    assert call(u.DEALER_CHECK_ROW, header, Cells([GOOD_ROW]), D(2026, 11, 27)) == [[""]]
    bad = list(GOOD_ROW)
    bad[4], bad[7] = "12345", "Z"
    text = call(u.DEALER_CHECK_ROW, header, Cells([bad]), D(2026, 11, 27))[0][0]
    assert "联系电话" in text and "12345" in text and "意向级别" in text and "；" in text
    assert call(u.DEALER_CHECK_ROW, Cells([["甲", "乙"]]), Cells([[1.0, 2.0]]))[0][0].startswith("错误：表头无法识别")


def test_validate_spills_a_findings_table_with_real_cell_addresses(u) -> None:
    bad = list(GOOD_ROW)
    bad[4] = "12345"
    data = Cells([["XX汽车4S店来店(来电)客户登记表", *[None] * 9], REG_HEADER, GOOD_ROW, bad], top=3, left=2)
    got = call(u.DEALER_VALIDATE, data, D(2026, 11, 27))
    assert got[0] == ["单元格", "列", "规则", "级别", "说明"]
    assert [r[:4] for r in got[1:]] == [["F6", "联系电话", "format.phone", "错误"]]
    assert all(len(r) == 5 for r in got)  # rectangular: it spills cleanly
    clean = call(u.DEALER_VALIDATE, Cells([REG_HEADER, GOOD_ROW]), D(2026, 11, 27))
    assert clean[1][-1] == "没有发现问题"
    assert call(u.DEALER_VALIDATE, Cells([["a", "b"], [1.0, 2.0]]))[0][0].startswith("错误：")


def test_errors_are_text_never_exceptions_or_nan(u) -> None:
    for fn in (u.DEALER_PHONE, u.DEALER_ID_AGE, u.DEALER_NEXT_FOLLOWUP, u.DEALER_SATISFACTION):
        out = call(fn, *([float("nan")] * len([a for a in fn.__xlfunc__["args"] if "optional" not in a])))
        cell = out[0][0]
        assert cell == "" or isinstance(cell, str | bool | int | float | dt.datetime)
        assert cell == cell  # not NaN
