"""After-service callbacks and the quick-handling form: timing, window, scores, problem customers."""

from __future__ import annotations

from tests.helpers import cells, d, of, rows_of, run, t
from xl_dealer.model.config import Config
from xl_dealer.rules.scores import problem_customers, rate_of, score_normaliser

CB = ["维修单号", "车牌号", "客户姓名", "联系电话", "维修类型", "服务顾问", "交车日期", "回访日期", "通话时间",
      "回访人", "回访结果", "接待速度", "完工速度", "结算速度", "配件价格", "工时价格", "服务态度", "维修质量",
      "喷漆质量", "清洁程度", "总体评价", "是否投诉", "当前里程"]
ITEMS = ["接待速度", "完工速度", "结算速度", "配件价格", "工时价格", "服务态度", "维修质量", "清洁程度", "总体评价"]
CB_ROW = {"车牌号": "粤B12345", "客户姓名": "陈先生", "联系电话": 13800000001, "维修类型": "保养",
          "服务顾问": "刘洋", "交车日期": d("2026-11-20"), "回访日期": d("2026-11-22"), "通话时间": t("10:30"),
          "回访人": "小周", "回访结果": "已回访", **dict.fromkeys(ITEMS, 5), "是否投诉": "否", "当前里程": 35000}
KS = ["编号", "登记日期", "维修单号", "客户姓名", "联系电话", "问题描述", "责任部门", "负责人", "负责人签字",
      "承诺解决日期", "实际解决日期", "处理结果", "二次回访日期", "二次回访结果"]
KS_ROW = {"客户姓名": "陈先生", "问题描述": "等待时间长", "责任部门": "车间", "负责人": "黄主管", "负责人签字": "黄主管",
          "登记日期": d("2026-11-22"), "承诺解决日期": d("2026-11-30")}


def callbacks(*rows: dict, headers: list[str] = CB) -> dict:
    return {"回访": (headers, rows_of(headers, list(rows), CB_ROW))}


def forms(*rows: dict) -> dict:
    return {"快速处理表": (KS, rows_of(KS, list(rows), KS_ROW))}


def test_callback_timing_window_scores_plate_mileage_and_repeated_ro(tmp_path):
    r = run(tmp_path, {"cb.xlsx": callbacks(
        {"维修单号": "RO1", "交车日期": d("2026-11-20"), "回访日期": d("2026-11-23")},  # 3 days: on time
        {"维修单号": "RO2", "车牌号": "粤BD12345", "维修类型": "维修", "交车日期": d("2026-11-18"),
         "回访日期": d("2026-11-22"), "通话时间": t("16:00")},  # 4 days: late
        {"维修单号": "RO3", "车牌号": "川A12345D", "维修类型": "新车交付", "交车日期": d("2026-11-15")},  # 7 days
        {"维修单号": "RO4", "维修类型": "新车", "交车日期": d("2026-11-10"), "回访日期": d("2026-11-20")},  # 10
        {"维修单号": "RO5", "维修类型": "钣喷", "通话时间": "13:00"},  # paint blank; outside the windows
        {"维修单号": "RO6", "车牌号": "粤B1234", "接待速度": None},
        {"维修单号": "RO7", "交车日期": d("2026-11-18"), "回访日期": d("2026-11-20"), "回访结果": "无人接听",
         **dict.fromkeys(ITEMS)},
        {"维修单号": "ro 7", "交车日期": d("2026-11-18"), "回访日期": d("2026-11-22")},  # a retry: not late
        {"维修单号": "RO1", "交车日期": d("2026-11-20"), "回访日期": d("2026-11-24")},  # RO1 again
        {"维修单号": "RO8", "当前里程": "约3万"},
        {"维修单号": "RO9", "交车日期": d("2026-11-22"), "回访日期": d("2026-11-21")},
        {"维修单号": "RO10", "回访结果": "空号", **dict.fromkeys(ITEMS), "通话时间": t("12:00")},  # edge: inside
        {"维修单号": "RO11", "维修类型": "钣喷", "喷漆质量": "满意"},
    )})
    assert cells(r) == [
        ("callback.late", "回访", "H3", "called"),
        ("callback.late", "回访", "H5", "called"),
        ("callback.window", "回访", "I6", "call_time"),
        ("duplicate", "回访", "A10", "ro_no"),
        ("format.number", "回访", "W11", "mileage"),
        ("format.plate", "回访", "B7", "plate"),
        ("required", "回访", "L7", "reception_speed"),
        ("required", "回访", "S6", "paint_quality"),
        ("time.order", "回访", "H12", "called"),
    ]
    late = {f.cell: f.message for f in of(r, "callback.late")}
    assert "4天" in late["H3"] and "3天" in late["H3"]
    assert "新车交付" in late["H5"] and "7天" in late["H5"]
    assert "第2行" in of(r, "duplicate")[0].message
    assert "0~2000000" in of(r, "format.number")[0].message


def test_callback_days_are_configurable(tmp_path):
    r = run(tmp_path, {"cb.xlsx": callbacks(
        {"维修单号": "RO1", "交车日期": d("2026-11-20"), "回访日期": d("2026-11-23")},
    )}, callback_days=2, callback_windows=[["09:00", "10:00"]])
    assert cells(r) == [("callback.late", "回访", "H2", "called"), ("callback.window", "回访", "I2", "call_time")]


# ---------------------------------------------------------------- problem customers


def _problem_run(tmp_path, with_forms: bool):
    cb = callbacks(
        {"维修单号": "RO1", "总体评价": 9},  # the 总体评价 column is on the 10-point scale
        {"维修单号": "RO2", "总体评价": 4, "联系电话": 13800000002},  # 4/10 → 2: problem, form by RO
        {"维修单号": "RO3", "服务态度": "不满意", "联系电话": 13800000003},  # form without RO, same phone
        {"维修单号": "RO4", "是否投诉": "是", "联系电话": 13800000004},  # complained, no form
        {"维修单号": "RO5", "维修质量": 2, "联系电话": 13800000005},  # no form
        {"维修单号": "RO6", "总体评价": 5, "联系电话": 13800000006},  # 5/10 → 2.5: not a problem
        {"维修单号": "RO7", "维修质量": "很不好", "联系电话": 13800000007},  # form for another RO
        {"维修单号": "RO8", "总体评价": 10, "服务态度": "一般", "联系电话": 13800000008},  # 3: not a problem
    )
    books = {"cb.xlsx": cb}
    if with_forms:
        books["ks.xlsx"] = forms(
            {"编号": "KS1", "维修单号": "ro2", "联系电话": 13900000000},
            {"编号": "KS2", "维修单号": None, "联系电话": "138-0000-0003"},
            {"编号": "KS3", "维修单号": "RO99", "联系电话": 13800000007},
        )
    return run(tmp_path, books)


def test_problem_customer_without_a_form_matched_by_ro_else_phone(tmp_path):
    r = _problem_run(tmp_path, with_forms=True)
    assert cells(r) == [
        ("complaint.unhandled", "回访", "R6", "repair_quality"),
        ("complaint.unhandled", "回访", "R8", "repair_quality"),
        ("complaint.unhandled", "回访", "V5", "complaint"),
    ]
    assert all(f.severity == "error" for f in r.findings)
    msg = {f.cell: f.message for f in r.findings}
    assert "维修质量" in msg["R6"] and "2" in msg["R6"]
    assert "投诉" in msg["V5"]


def test_no_unhandled_without_a_form_in_the_run(tmp_path):
    assert cells(_problem_run(tmp_path, with_forms=False)) == []


def test_scores_ten_point_and_words_normalise_to_five_points():
    config = Config()
    ten, five = score_normaliser(config, ten_point=True), score_normaliser(config)
    assert ten(9)[0] == 4.5 and ten("4分")[0] == 2 and ten(11) == (None, "format.number")
    assert five("非常满意")[0] == 5 and five("很不好")[0] == 1 and five("一般")[0] == 3
    assert five("还行") == (None, "enum")
    values = {"overall": [4.5, 2.0, None, 2.5], "staff_attitude": [5.0, None, 1.0, None],
              "complaint": [False, False, False, True]}
    assert problem_customers(values, config) == {1: "overall", 2: "staff_attitude", 3: "complaint"}
    rate = rate_of(values["overall"], config)
    assert (rate.answered, rate.satisfied) == (3, 1)


# ---------------------------------------------------------------- the quick-handling form itself


def test_complaint_rows_overdue_second_call_and_order(tmp_path):
    r = run(tmp_path, {"ks.xlsx": forms(
        {"编号": "1", "联系电话": 13800000001, "登记日期": d("2026-11-10"), "承诺解决日期": d("2026-11-13"),
         "实际解决日期": d("2026-11-12"), "处理结果": "返修", "二次回访日期": d("2026-11-15")},
        {"编号": "2", "联系电话": 13800000002, "登记日期": d("2026-11-20"), "承诺解决日期": d("2026-11-25")},
        {"编号": "3", "联系电话": 13800000003, "登记日期": d("2026-11-24"), "承诺解决日期": d("2026-11-28")},
        {"编号": "4", "联系电话": 13800000004, "登记日期": d("2026-11-10"), "承诺解决日期": d("2026-11-12"),
         "实际解决日期": d("2026-11-15"), "处理结果": "更换配件"},  # 12 days, no second call
        {"编号": "5", "联系电话": 13800000005, "登记日期": d("2026-11-20"), "承诺解决日期": d("2026-11-22"),
         "实际解决日期": d("2026-11-22"), "处理结果": "道歉"},  # 5 days: second call not yet due
        {"编号": "6", "联系电话": 13800000006, "登记日期": d("2026-11-20"), "实际解决日期": d("2026-11-18"),
         "处理结果": "退款", "二次回访日期": d("2026-11-21")},
        {"编号": "7", "联系电话": 13800000007, "登记日期": d("2026-11-10"), "实际解决日期": d("2026-11-20"),
         "二次回访日期": d("2026-11-22")},  # no result
        {"编号": "8", "联系电话": 13800000008, "登记日期": d("2026-11-20"), "承诺解决日期": d("2026-11-27")},
    )})
    assert cells(r) == [
        ("complaint.no_second_call", "快速处理表", "M5", "second_call"),
        ("complaint.open_overdue", "快速处理表", "J3", "due"),
        ("required", "快速处理表", "L8", "result"),
        ("time.order", "快速处理表", "K7", "resolved"),
    ]
    assert "12天" in of(r, "complaint.no_second_call")[0].message
