"""The information clerk's rules (issue 16) on workbooks laid out as stores keep them: the
定期保养一览表 loop (reminder.not_called, reminder.no_result), a 新车交付 call with its own
questions, the customer's words and the next maintenance on every reached call, rows written
before the call. Every rule fires where it should; the clean rows beside them give nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dealer_forms import Form, day, write_forms

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)  # a Friday: this week began on Monday 11-23, last week on 11-16


def _found(result) -> list:
    return sorted((f.sheet, f.cell, f.rule) for f in result.findings)


def _rows(clean: list[dict], seeded: list[tuple[dict, str | None, str]]) -> tuple[list[dict], list]:
    return [*clean, *(r for r, _, _ in seeded)], [(len(clean) + j, h, rule) for j, (_, h, rule) in enumerate(seeded)]


# ---------------------------------------------------------------- 定期保养一览表

def _ml(plate: str, name: str, phone: object, nxt: str, letter: object = None, reminded: object = None,
        result: str | None = None, booked: str | None = None, remark: str | None = None) -> dict:
    return {"plate": plate, "customer": name, "phone": phone, "model": "凯美瑞", "last_service": day("2026-05-20"),
            "last_km": "35,000", "next_service_date": nxt, "next_service_km": 45000, "next_service_items": "机油、机滤",
            "letter_sent": letter, "reminded": reminded, "contact_result": result, "booked": booked, "remark": remark}


ML_CLEAN = [
    _ml("粤B10001", "王先生", "138 1234 0001", "2026-12-02", "2026-11-18", "2026/11/23", "约好了", "2026-11-28"),
    _ml("粤B10002", "李女士", "13812340002", "2026-12-08", "2026-11-24"),  # this week's letter: phoned next week
    _ml("粤B10003", "赵先生", "13812340003", "2026-12-01", "2026-11-17"),  # due this week, until Friday: not late
    _ml("粤B10004", "钱女士", "13812340004", "2026-11-25", "2026年11月10日", "11月16日", "无人接听"),
    _ml("粤B10005", "孙先生", "13812340005", "2026-12-20"),  # no letter yet: nothing to phone
    _ml("粤B10006", "周女士", "13812340006", "2026-11-22", "2026-11-09", None, "已到店", remark="自己来做了"),
    _ml("粤B10007", "吴先生", 13812340007.0, "2026-12-03", "2026-11-19", "2026-11-26", "关机"),
]
ML_SEEDED = [
    (_ml("粤B20001", "郑先生", "13812340011", "2026-11-24", "2026-11-10"), "提醒日期", "reminder.not_called"),
    (_ml("粤B20002", "冯女士", "+86 138 1234 0012", "2026-11-27", "2026.11.13"), "提醒日期", "reminder.not_called"),
    (_ml("粤B20003", "陈先生", "13812340013", "2026-12-01", "2026-11-17", "2026-11-25"), "提醒结果", "reminder.no_result"),
    (_ml("粤B20004", "褚女士", "13812340014", "2026-12-01", "2026-11-17", "2026-11-24", "不知道"), "提醒结果", "enum"),
    (_ml("粤B20005", "卫先生", "13812340015", "2026-12-01", "2026-11-17", "2026-11-30"), "提醒日期", "date.future"),
]
ML_HEADERS = [
    ("序号", lambda r: None), ("车牌", "plate"), ("车主", "customer"), ("手机号码", "phone"), ("车型", "model"),
    ("上次保养时间", "last_service"), ("上次里程", "last_km"), ("应保养日期", "next_service_date"),
    ("下次保养里程", "next_service_km"), ("保养项目", "next_service_items"), ("发信日期", "letter_sent"),
    ("提醒日期", "reminded"), ("提醒结果", "contact_result"), ("预约时间", "booked"), ("备注", "remark"),
]


def maintenance_forms() -> list[Form]:
    rows, expected = _rows(ML_CLEAN, ML_SEEDED)
    return [Form("11月保养", "maintenance_list", ML_HEADERS, rows, expected=expected,
                 title=[["XX汽车4S店定期保养一览表 2026年11月"], ["信息员：小周"]],
                 total=(1, [None, "合计", f"{len(rows)}户"]))]


def test_the_maintenance_list_loop_fires_where_it_should_and_nowhere_else(tmp_path: Path) -> None:
    forms = maintenance_forms()
    path = write_forms(tmp_path / "保养一览.xlsx", forms)
    result = validate([path], as_of=AS_OF, config=Config())
    (sheet,) = result.files[0].sheets
    assert sheet["kind"] == "maintenance_list" and sheet["header_row"] == 3 and sheet["rows"] == len(forms[0].rows)
    assert _found(result) == sorted(forms[0].findings())
    late = next(f for f in result.findings if f.cell == forms[0].cell(len(ML_CLEAN), "提醒日期"))
    assert "2026-11-10" in late.message and "2026-11-16至2026-11-20" in late.message  # the week it was due


def test_reminder_days_are_the_stores(tmp_path: Path) -> None:
    path = write_forms(tmp_path / "保养一览.xlsx", maintenance_forms())
    # a store that phones last week's letters on Monday: 11-17's letter (due 11-23) is late by Friday
    found = _found(validate([path], as_of=AS_OF, config=Config(reminder_call_days=0)))
    assert ("11月保养", "L6", "reminder.not_called") in found
    # a store that allows two weeks: the letter of 11-13 (due 11-16) is still on time
    found = _found(validate([path], as_of=AS_OF, config=Config(reminder_call_days=14)))
    assert [f for f in found if f[2] == "reminder.not_called"] == []


def test_a_list_without_the_reminder_columns_is_one_finding_each(tmp_path: Path) -> None:
    headers = [h for h in ML_HEADERS if h[1] not in ("reminded", "contact_result")]
    no_calls = Form("没有提醒列", "maintenance_list", headers, [r for r, _, _ in ML_SEEDED[:2]] + ML_CLEAN[:2])
    headers = [h for h in ML_HEADERS if h[1] != "contact_result"]
    no_results = Form("没有结果列", "maintenance_list", headers, [ML_SEEDED[2][0], ML_CLEAN[1]])
    path = write_forms(tmp_path / "一览表.xlsx", [no_calls, no_results])
    result = validate([path], as_of=AS_OF, config=Config())
    got = sorted((f.sheet, f.row, f.rule, f.value) for f in result.findings)
    # two letters of earlier weeks cannot show their call; the row written 11-25 cannot keep its result
    assert got == [("没有提醒列", None, "reminder.not_called", 2), ("没有结果列", None, "reminder.no_result", 1)]


def test_the_sheet_is_told_apart_from_the_customer_file_and_the_callback_log(tmp_path: Path) -> None:
    """Plate, owner, phone, model and mileage are on the customer file too; the letters and the
    reminders make it the 一览表. Our own template is read as one."""
    from tests.dealer_forms import template_book

    path = template_book(tmp_path / "ours.xlsx", {"一览表": ("maintenance_list", [
        {**ML_CLEAN[0], "contact_result": "已预约"}])})
    result = validate([path], as_of=AS_OF, config=Config())
    assert [s["kind"] for s in result.files[0].sheets] == ["maintenance_list"] and result.findings == []


# ---------------------------------------------------------------- callbacks

REPAIR = ("reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price", "staff_attitude",
          "repair_quality", "cleanliness", "overall")


def _cb(ro: str, plate: str, phone: str, stype: str, delivered: str, called: str | None, *, outcome: str | None = "已回访",
        scores: dict | None = None, comment: str | None = "满意", nxt: str | None = None, km: object = 15000,
        caller: str | None = "小周", **kw: object) -> dict:
    r = {"ro_no": ro, "plate": plate, "customer": "客户", "phone": phone, "service_type": stype, "advisor": "黄志强",
         "delivered": day(delivered), "called": day(called) if called else None, "call_time": "10:30" if called else None,
         "caller": caller if called else None, "outcome": outcome if called else None,
         "comment": comment if called else None, "next_service_date": day(nxt) if nxt else None,
         "next_service_km": km if called else None}
    if called and outcome == "已回访":
        r.update(scores if scores is not None else {**dict.fromkeys(REPAIR, "满意"), "overall": 9})
    r.update(kw)
    return r


NEW_CAR = {"delivery_satisfaction": "非常满意", "overall": 10}
CB_CLEAN = [
    _cb("RO01", "粤B30001", "13900000001", "保养", "2026-11-20", "2026-11-22", nxt="2026-05-20", quoted="√"),
    # the headline: a reached 新车交付 call answers its own questions and no repair score
    _cb("RO02", "粤B30002", "13900000002", "新车交付", "2026-11-12", "2026-11-19", scores=NEW_CAR, km=5000,
        comment="新车开着很好"),
    # an old form still had the clerk type repair scores on a new-car call: not required, and not counted
    _cb("RO03", "粤B30003", "13900000003", "交车", "2026-11-13", "2026-11-20",
        scores={**NEW_CAR, "repair_quality": 1, "parts_price": 2}),
    _cb("RO04", "粤B30004", "13900000004", "维修", "2026-11-25", None),  # written before the call, not yet due
    _cb("RO05", "粤B30005", "13900000005", "新车交付", "2026-11-21", None),  # a new car: called on its 7th day
    _cb("RO06", "粤B30006", "13900000006", "维修", "2026-11-20", "2026-11-21", outcome="未接通"),
    _cb("RO06", "粤B30006", "13900000006", "维修", "2026-11-20", "2026-11-22", comment="无"),  # the retry, reached
    _cb("RO07", "粤BD12345", "13900000007", "钣喷", "2026-11-23", "2026-11-24",
        scores={**dict.fromkeys(REPAIR, 4), "overall": 8, "paint_quality": 5}, explained="否", member="是"),
    _cb("RO08", "粤B30008", "13900000008", "保养", "2026-11-23", "2026-11-25", club_invited="是", club_joined="是"),
    _cb("RO09", "粤B30009", "13900000009", "维修", "2026-11-23", "2026-11-24", outcome="拒访", comment=None,
        km=None),  # not reached: no words, no scores, no next maintenance asked
]
CB_SEEDED = [
    (_cb("RO11", "粤B40001", "13900000011", "保养", "2026-11-23", "2026-11-24", comment=None), "客户原话", "required"),
    (_cb("RO12", "粤B40002", "13900000012", "维修", "2026-11-23", "2026-11-25", km=None), "下次保养时间", "required"),
    (_cb("RO13", "粤B40003", "13900000013", "新车交付", "2026-11-16", "2026-11-23", scores={"overall": 9}),
     "交车满意度", "required"),
    (_cb("RO14", "粤B40004", "13900000014", "保养", "2026-11-23", "2026-11-24",
         scores={**dict.fromkeys(REPAIR, 5), "repair_quality": None}), "维修质量", "required"),
    (_cb("RO15", "粤B40005", "13900000015", "维修", "2026-11-20", None), "回访日期", "callback.late"),  # 7 days, uncalled
    (_cb("RO16", "粤B40006", "13900000016", "新车交付", "2026-11-18", None), "回访日期", "callback.late"),  # 9 days
    (_cb("RO17", "粤B40007", "13900000017", "保养", "2026-11-25", "2026-11-26", called_blank=True), "回访日期",
     "required"),
    (_cb("RO18", "粤B40008", "13900000018", "保养", "2026-11-25", "2026-11-26", caller=None), "回访员", "required"),
]
for _r, _, _ in CB_SEEDED:  # a call written with its result and scores but no date
    if _r.pop("called_blank", None):
        _r["called"] = None
CB_HEADERS = [
    ("工单号", "ro_no"), ("车牌", "plate"), ("客户", "customer"), ("手机", "phone"), ("维修类型", "service_type"),
    ("服务顾问", "advisor"), ("出厂日期", "delivered"), ("回访日期", "called"), ("回访时间", "call_time"),
    ("回访员", "caller"), ("接通情况", "outcome"), ("接待速度", "reception_speed"), ("完工速度", "completion_speed"),
    ("结算速度", "checkout_speed"), ("配件价格", "parts_price"), ("工时价格", "labour_price"),
    ("服务态度", "staff_attitude"), ("维修质量", "repair_quality"), ("喷漆质量", "paint_quality"),
    ("清洁程度", "cleanliness"), ("交车满意度", "delivery_satisfaction"), ("总体评价(10分)", "overall"),
    ("是否报价", "quoted"), ("是否讲解", "explained"), ("客户原话", "comment"), ("是否投诉", "complaint"),
    ("是否会员", "member"), ("邀请入会", "club_invited"), ("入会", "club_joined"), ("下次保养时间", "next_service_date"),
    ("下次保养里程", "next_service_km"), ("保养项目", "next_service_items"),
]


def callback_forms() -> list[Form]:
    rows, expected = _rows(CB_CLEAN, CB_SEEDED)
    return [Form("11月回访", "service_callback", CB_HEADERS, rows, expected=expected,
                 title=[["售后回访记录表 2026年11月"]], total=(0, ["合计", f"{len(rows)}条"]))]


def test_callback_rules_of_the_clerks_day_and_nothing_on_clean_rows(tmp_path: Path) -> None:
    forms = callback_forms()
    result = validate([write_forms(tmp_path / "回访.xlsx", forms)], as_of=AS_OF, config=Config())
    assert result.files[0].sheets[0]["columns"]["club_joined"] == "入会"  # joined in this call, not 会员
    assert result.files[0].sheets[0]["columns"]["member"] == "是否会员"
    assert _found(result) == sorted(forms[0].findings())
    by_cell = {f.cell: f.message for f in result.findings}
    rows = forms[0].rows
    assert "下次保养" in by_cell[forms[0].cell(len(CB_CLEAN) + 1, "下次保养时间")]
    assert "还没有回访" in by_cell[forms[0].cell(len(CB_CLEAN) + 4, "回访日期")]
    assert "新车交付" in by_cell[forms[0].cell(len(CB_CLEAN) + 5, "回访日期")]
    assert "已填回访结果或评分" in by_cell[forms[0].cell(len(CB_CLEAN) + 6, "回访日期")]
    assert rows[len(CB_CLEAN) + 4]["called"] is None


def test_the_words_and_the_next_maintenance_can_be_switched_off(tmp_path: Path) -> None:
    forms = callback_forms()
    path = write_forms(tmp_path / "回访.xlsx", forms)
    config = Config(callback_comment_required=False, callback_next_service_required=False)
    got = _found(validate([path], as_of=AS_OF, config=config))
    words, nxt = forms[0].cell(len(CB_CLEAN), "客户原话"), forms[0].cell(len(CB_CLEAN) + 1, "下次保养时间")
    assert sorted(got) == sorted(f for f in forms[0].findings() if f[1] not in (words, nxt))


def test_which_questions_a_type_is_asked_is_the_stores(tmp_path: Path) -> None:
    """callback_items by header as the clerk knows them: this store also asks a new car's 服务态度,
    and its 保养 calls do not ask the 结算速度 (then a 保养 row without it is fine)."""
    forms = callback_forms()
    path = write_forms(tmp_path / "回访.xlsx", forms)
    config = Config(callback_items={"新车交付": ["交车满意度", "总体评价", "服务态度"],
                                    "保养": ["接待速度", "完工速度", "配件价格", "工时价格", "服务态度", "维修质量",
                                           "清洁程度", "总体评价"]})
    got = _found(validate([path], as_of=AS_OF, config=config))
    new_cars = [i for i, r in enumerate(forms[0].rows) if r["service_type"] in ("新车交付", "交车") and r["called"]
                and r["outcome"] == "已回访"]
    assert sorted(c for _, c, rule in got if rule == "required" and c.startswith("Q")) == sorted(
        forms[0].cell(i, "服务态度") for i in new_cars)  # 服务态度 is column Q, asked of new cars now
    with pytest.raises(InputError, match="callback_items"):
        from xl_dealer.model.config import load_config

        cfg = tmp_path / "dealer.toml"
        cfg.write_text('[callback_items]\n"新车交付" = ["交车满意度", "油耗"]\n', encoding="utf-8")
        load_config(cfg)


def test_a_new_car_call_adds_nothing_to_the_workshop_or_parts(tmp_path: Path) -> None:
    """The fix the issue asks for, counted: RO03's invented 维修质量 1 and 配件价格 2 are no answers."""
    from xl_dealer.reports import build_report

    forms = callback_forms()
    path = write_forms(tmp_path / "回访.xlsx", [Form("回访", "service_callback", CB_HEADERS, CB_CLEAN[:3])])
    checked = validate([path], as_of=AS_OF, config=Config()).checked
    report = build_report("weekly", checked, as_of=dt.date(2026, 11, 23), config=Config())  # 11-16 … 11-22
    depts = {r["department"]: (r["answered"], r["satisfied"]) for r in report.table("by_department").rows}
    # RO01: 8 repair items (满意), 总体评价 and 主动报价 (√); RO02, RO03: 交车满意度 and 总体评价 only
    assert depts["车间"] == (2, 2) and depts["配件"] == (1, 1) and depts["销售"] == (2, 2)
    assert depts["服务接待"] == (4, 4)  # 接待速度, 工时价格, 服务态度, 主动报价
    assert report.table("overall").rows[0]["answered"] == 10 + 2 + 2
    assert [r["ro_no"] for r in report.table("problems").rows] == []  # RO03's 1 and 2 were never asked
    assert forms  # the seeded rows are elsewhere: only clean rows here
