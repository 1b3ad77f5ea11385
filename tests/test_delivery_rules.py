"""The delivery step and the customer file (issue 15): messy workbooks of both kinds (title
rows, the dealers' header words, VINs in lower case with spaces, times as text, a thank-you
call after midnight), every rule where it should fire and quiet on clean rows; the rules
across workbooks in any order of files and with either side missing."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from dealer_forms import Form, day, write_forms

from xl_dealer.model.config import Config
from xl_dealer.read.values import vin_check_digit
from xl_dealer.samples import id_number
from xl_dealer.validate import validate

AS_OF = "2026-11-27"


def vin(n: int) -> str:
    body = f"LSVAM4180C2{n:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def spaced(v: str) -> str:
    """A VIN as a clerk copies it off the papers: lower case, in groups."""
    return f"{v[:3]} {v[3:9]} {v[9:]}".lower()


def _delivery(d: str, t: str | None, name: str, phone: str, n: int, *, plate: str | None = None,
              consultant: str = "李娜", advisor: str | None = "黄志强", intro: str = "是", thanks: object = None,
              first: str | None = None, vin_text: str | None = None) -> dict:
    return {"delivered": day(d), "delivery_time": t, "customer": name, "phone": phone, "model": "凯美瑞",
            "vin": vin_text or spaced(vin(n)), "plate": plate, "consultant": consultant, "advisor": advisor,
            "service_intro": intro, "thanks_at": thanks, "thanks_by": consultant if thanks else None,
            "first_callback": day(first) if first else None, "first_callback_note": "满意" if first else None}


DELIVERIES_CLEAN = [
    _delivery("2026-11-10", "10:00", "王先生", "13812340001", 1, plate="粤B10001", thanks="10:40", first="2026-11-12"),
    _delivery("2026-11-21", "23:30", "李女士", "13812340002", 2, consultant="王强", advisor="周敏", intro="√",
              thanks="0:20", first="2026-11-23"),  # the call after midnight is 50 minutes later
    _delivery("2026-11-24", "下午3点", "赵先生", "13812340003", 3, consultant="王强", thanks="2026-11-24 15:45"),
    _delivery("2026-11-26", "9:00", "孙女士", "13812340004", 4, thanks="9点20"),
]
DELIVERIES_SEEDED = [
    (_delivery("2026-11-25", "14:00", "钱先生", "13812340005", 5, thanks="15:30", first="2026-11-26"),
     "感谢电话时间", "delivery.thanks_late"),
    (_delivery("2026-11-25", "16:00", "周女士", "13812340006", 6, first="2026-11-26"), "感谢电话时间",
     "delivery.thanks_missing"),
    (_delivery("2026-11-25", "10:00", "吴先生", "13812340007", 7, thanks="10:30", first="2026-11-26",
               vin_text="LSVAM4188C2000007"), "车架号(VIN)", "format.vin"),
    (_delivery("2026-11-25", "11:00", "郑女士", "13812340008", 8, thanks="11:30", first="2026-11-26", intro="否"),
     "介绍售后", "delivery.service_intro"),
    (_delivery("2026-11-25", "11:30", "冯先生", "13812340009", 9, thanks="12:00", first="2026-11-26", advisor=None),
     "服务顾问", "delivery.service_intro"),
    (_delivery("2026-11-20", "15:00", "陈先生", "13812340010", 10, thanks="15:20"), "一级回访日期",
     "delivery.first_callback"),
    (_delivery("2026-11-18", "10:00", "褚女士", "13812340011", 11, thanks="10:10", first="2026-11-19"), "交车日期",
     "delivery.new_car_call"),
    (_delivery("2026-11-22", "10:00", "李女士", "13812340002", 2, thanks="10:10", first="2026-11-23"), "车架号(VIN)",
     "duplicate"),
]
DELIVERY_HEADERS = [
    ("序号", lambda r: None), ("交车日期", "delivered"), ("交车时间", "delivery_time"), ("顾客姓名", "customer"),
    ("手机号码", "phone"), ("车型", "model"), ("车架号(VIN)", "vin"), ("车牌", "plate"), ("销售顾问", "consultant"),
    ("服务顾问", "advisor"), ("介绍售后", "service_intro"), ("感谢电话时间", "thanks_at"), ("感谢电话人", "thanks_by"),
    ("一级回访日期", "first_callback"), ("一级回访内容", "first_callback_note"), ("首保日期", lambda r: None),
    ("会员/入会", lambda r: "否"), ("备注", lambda r: None),
]


def _call(ro: str, plate: str | None, name: str, phone: str, stype: str, delivered: str, called: str,
          vin_text: str | None = None) -> dict:
    return {"ro_no": ro, "plate": plate, "vin": vin_text, "customer": name, "phone": phone, "service_type": stype,
            "advisor": "黄志强", "delivered": day(delivered), "called": day(called), "caller": "小周",
            "outcome": "已回访", "overall": 5}


CALLS_CLEAN = [
    _call("RO1105001", "粤B30003", "王伟", "13900000003", "保养", "2026-11-03", "2026-11-05"),
    _call("RO1117001", "粤B10001", "王先生", "13812340001", "新车交付", "2026-11-10", "2026-11-17"),
    _call("RO1118001", "粤B40004", "何女士", "13900000004", "维修", "2026-11-16", "2026-11-18"),
    _call("RO1120001", "粤B20002", "李四", "13900000002", "保养", "2026-11-19", "2026-11-20"),  # a new owner
]
CALLS_SEEDED = [
    (_call("RO1121001", "粤B50005", "吕先生", "13900000005", "保养", "2026-11-20", "2026-11-21"), "车牌号",
     "customer.unknown"),
    (_call("RO1124001", "粤b 50005", "吕先生", "13900000005", "维修", "2026-11-23", "2026-11-24"), None, None),
]
CALL_HEADERS = [
    ("工单号", "ro_no"), ("车牌号", "plate"), ("VIN码", "vin"), ("客户姓名", "customer"), ("联系电话", "phone"),
    ("维修类型", "service_type"), ("服务顾问", "advisor"), ("交车日期", "delivered"), ("回访日期", "called"),
    ("回访人", "caller"), ("回访结果", "outcome"), ("总体评价", "overall"),
]


def _file(name: str, phone: str, plate: str | None, v: str, *, bought: str | None = None, buy: str = "自销") -> dict:
    return {"customer": name, "phone": phone, "plate": plate, "vin": v, "model": "凯美瑞",
            "bought": day(bought) if bought else None, "buy_type": buy, "customer_type": "私家",
            "member": "是", "joined": day("2025-06-01"), "region": "天河区",
            "id_no": id_number(random.Random(name), dt.date(1985, 3, 4)), "last_visit": None, "last_km": 12000}


FILE_CLEAN = [
    _file("王先生", "13812340001", "粤B10001", vin(1), bought="2026-11-10"),
    _file("李女士", "13812340002", None, spaced(vin(2)), bought="2026-11-21"),
    _file("王先生", "13900000003", "粤B30003", vin(30), buy="他销"),  # 王伟 in the callbacks, the same phone
    _file("何女士", "13900000004", "粤b40004", vin(40), buy="他销"),
]
FILE_SEEDED = [
    (_file("张三", "13900000001", "粤B20002", vin(20), buy="他销"), "联系电话", "customer.mismatch"),
    (_file("赵先生", "13800009999", None, vin(3), bought="2026-11-24"), "联系电话", "customer.mismatch"),
    (_file("何女士", "13900000004", "粤B40004", vin(40), buy="他销"), "车架号", "duplicate"),
]
FILE_HEADERS = [
    ("车主", "customer"), ("联系电话", "phone"), ("车牌号", "plate"), ("车架号", "vin"), ("车型", "model"),
    ("购车日期", "bought"), ("购车类型", "buy_type"), ("客户类型", "customer_type"), ("会员", "member"),
    ("入会日期", "joined"), ("区域/地址", "region"), ("身份证号", "id_no"), ("最近进厂日期", "last_visit"),
    ("最近里程", "last_km"), ("备注", lambda r: None),
]

CARDS = [  # the sales side: a delivered customer whose card is still open, a closed one, a second car
    {"card_date": day("2026-11-10"), "customer": "孙女士", "phone": "13812340004", "model": "凯美瑞", "level": "H",
     "consultant": "李娜", "status": "跟进中"},
    {"card_date": day("2026-11-01"), "customer": "李女士", "phone": "13812340002", "model": "卡罗拉", "level": "D",
     "consultant": "王强", "status": "成交"},
    {"card_date": day("2026-11-20"), "customer": "王先生", "phone": "13812340001", "model": "汉兰达", "level": "B",
     "consultant": "李娜", "status": "跟进中"},
]
CARD_HEADERS = [("建卡日期", "card_date"), ("客户姓名", "customer"), ("联系电话", "phone"), ("意向车型", "model"),
                ("意向级别", "level"), ("销售顾问", "consultant"), ("状态", "status")]


def _rows(clean: list[dict], seeded: list[tuple[dict, str | None, str | None]]):
    rows = list(clean) + [r for r, _, _ in seeded]
    return rows, [(len(clean) + j, h, rule) for j, (_, h, rule) in enumerate(seeded) if rule]


def books() -> dict[str, list[Form]]:
    d_rows, d_exp = _rows(DELIVERIES_CLEAN, DELIVERIES_SEEDED)
    c_rows, c_exp = _rows(CALLS_CLEAN, CALLS_SEEDED)
    f_rows, f_exp = _rows(FILE_CLEAN, FILE_SEEDED)
    return {
        "交车登记.xlsx": [Form("11月交车", "delivery", DELIVERY_HEADERS, d_rows,
                               title=[["XX汽车4S店交车登记表 2026年11月"]], expected=d_exp,
                               total=(1, [None, "合计", f"{len(d_rows)}台"]))],
        "售后回访.xlsx": [Form("回访", "service_callback", CALL_HEADERS, c_rows, title=[["售后回访记录"]],
                               expected=c_exp)],
        "客户档案.xlsx": [Form("客户信息卡", "customer_file", FILE_HEADERS, f_rows, title=[["客户信息卡（客户档案）"]],
                               expected=f_exp)],
        "跟进卡.xlsx": [Form("跟进卡", "followup_card", CARD_HEADERS, CARDS, expected=[(0, "状态", "card.not_closed")])],
    }


def _found(result) -> list:
    return sorted((Path(f.path).name, f.sheet, f.cell, f.rule) for f in result.findings)


def _expected(forms: dict[str, list[Form]], names) -> list:
    return sorted((n, *e) for n in names for f in forms[n] for e in f.findings())


def test_every_rule_at_its_cell_and_nothing_on_clean_rows_in_any_order(tmp_path: Path) -> None:
    forms = books()
    paths = [write_forms(tmp_path / n, f) for n, f in forms.items()]
    want = _expected(forms, forms)
    for order in (paths, list(reversed(paths)), paths[1:] + paths[:1]):
        assert _found(validate(order, as_of=AS_OF, config=Config())) == want
    rules = {w[3] for w in want}
    assert {"delivery.thanks_late", "delivery.thanks_missing", "delivery.service_intro", "delivery.first_callback",
            "delivery.new_car_call", "card.not_closed", "customer.mismatch", "customer.unknown", "format.vin",
            "duplicate"} <= rules


@pytest.mark.parametrize("given", [
    ("交车登记.xlsx",), ("售后回访.xlsx",), ("客户档案.xlsx",), ("跟进卡.xlsx",),
    ("交车登记.xlsx", "跟进卡.xlsx"), ("售后回访.xlsx", "客户档案.xlsx"), ("交车登记.xlsx", "客户档案.xlsx"),
    ("交车登记.xlsx", "售后回访.xlsx"),
])
def test_with_either_side_missing_only_the_rules_both_sides_allow(tmp_path: Path, given: tuple[str, ...]) -> None:
    forms = books()
    paths = [write_forms(tmp_path / n, forms[n]) for n in given]
    pairs = {"delivery.new_car_call": {"交车登记.xlsx", "售后回访.xlsx"}, "card.not_closed": {"交车登记.xlsx", "跟进卡.xlsx"},
             "customer.unknown": {"售后回访.xlsx", "客户档案.xlsx"}}
    want = [w for w in _expected(forms, given) if w[3] not in pairs or pairs[w[3]] <= set(given)]
    file = forms["客户档案.xlsx"][0]
    source = {file.cell(len(FILE_CLEAN), "联系电话"): "售后回访.xlsx", file.cell(len(FILE_CLEAN) + 1, "联系电话"): "交车登记.xlsx"}
    # a mismatch needs the file and the side that names the other owner
    want = [w for w in want if w[3] != "customer.mismatch" or source[w[2]] in given]
    if "跟进卡.xlsx" in given and "交车登记.xlsx" not in given:  # no delivery: the delivered customer is overdue
        want.append(("跟进卡.xlsx", "跟进卡", "E2", "followup.overdue"))
    assert _found(validate(paths, as_of=AS_OF, config=Config())) == sorted(want)


def test_a_side_without_the_columns_a_rule_compares_is_one_finding(tmp_path: Path) -> None:
    forms = books()
    calls = forms["售后回访.xlsx"][0]
    calls.headers = [(h, s) for h, s in calls.headers if h != "维修类型"]
    calls.expected = [e for e in calls.expected]
    paths = [write_forms(tmp_path / n, f) for n, f in forms.items()]
    r = validate(paths, as_of=AS_OF, config=Config())
    got = [(f.sheet, f.rule, f.row) for f in r.findings if f.sheet == "回访" and f.rule != "customer.unknown"]
    assert sorted(got) == [("回访", "column.missing", None), ("回访", "cross.skipped", None)]
    assert not any(f.rule == "delivery.new_car_call" for f in r.findings)
    assert "新车" in next(f.message for f in r.findings if f.rule == "cross.skipped")


def test_a_register_without_the_thanks_or_callback_column_says_so_once(tmp_path: Path) -> None:
    forms = books()
    reg = forms["交车登记.xlsx"][0]
    reg.headers = [(h, s) for h, s in reg.headers if h not in ("感谢电话时间", "一级回访日期")]
    p = write_forms(tmp_path / "d.xlsx", [reg])
    r = validate([p], as_of=AS_OF, config=Config())
    rules = [(f.rule, f.row) for f in r.findings if f.rule in ("delivery.thanks_missing", "delivery.first_callback")]
    assert sorted(rules) == [("delivery.first_callback", None), ("delivery.thanks_missing", None)]
    assert "12台交车" in next(f.message for f in r.findings if f.rule == "delivery.thanks_missing")


def test_a_register_read_as_a_delivery_even_without_its_time_and_advisor(tmp_path: Path) -> None:
    forms = books()
    reg = forms["交车登记.xlsx"][0]
    reg.headers = [(h, s) for h, s in reg.headers if h not in ("交车时间", "服务顾问")]
    p = write_forms(tmp_path / "d.xlsx", [reg])
    r = validate([p], as_of=AS_OF, config=Config())
    assert r.files[0].sheets[0]["kind"] == "delivery"
    assert sorted(f.field for f in r.findings if f.rule == "column.missing") == ["advisor", "delivery_time"]


def test_vins_lower_case_with_spaces_are_one_car(tmp_path: Path) -> None:
    forms = books()
    p = write_forms(tmp_path / "d.xlsx", forms["交车登记.xlsx"])
    r = validate([p], as_of=AS_OF, config=Config())
    assert r.checked[0].col("vin")[0] == vin(1)


@pytest.mark.parametrize("delivered, call, late", [
    ("23:30", "0:20", False), ("23:30", "1:00", True), ("15:00", "14:00", True), ("10:00", "11:00", False),
    ("10:00", "11:01", True), ("10:00", dt.datetime(2026, 11, 21, 10, 5), True),
])
def test_the_thank_you_call_within_the_hour(tmp_path: Path, delivered: str, call: object, late: bool) -> None:
    from xl_dealer.rules.delivery import thanks_moment

    t = dt.time.fromisoformat(delivered.zfill(5))
    c = call if isinstance(call, dt.datetime) else dt.time.fromisoformat(call.zfill(5))
    m = thanks_moment(dt.date(2026, 11, 20), t, c)
    assert (m - dt.datetime.combine(dt.date(2026, 11, 20), t) > dt.timedelta(minutes=60)) is late


def test_english_messages_of_the_new_rules(tmp_path: Path) -> None:
    forms = books()
    paths = [write_forms(tmp_path / n, f) for n, f in forms.items()]
    r = validate(paths, as_of=AS_OF, config=Config(lang="en"))
    by_rule = {f.rule: f.message for f in r.findings}
    assert "minutes after the delivery" in by_rule["delivery.thanks_late"]
    assert "is not a valid VIN" in by_rule["format.vin"] and "customer file" in by_rule["customer.mismatch"]


def test_the_mismatch_shows_both_owners() -> None:
    from xl_dealer.rules.customer import same_person

    assert same_person("王先生", "王伟") and same_person("李 娜", "李娜") and not same_person("张三", "李四")
    assert not same_person("王先生", "李女士")


def test_mismatch_message_names_both_values(tmp_path: Path) -> None:
    forms = books()
    paths = [write_forms(tmp_path / n, f) for n, f in forms.items()]
    r = validate(paths, as_of=AS_OF, config=Config())
    msg = next(f.message for f in r.findings if f.rule == "customer.mismatch" and "粤B20002" in f.message)
    assert "张三 13900000001" in msg and "李四 13900000002" in msg and "售后回访.xlsx「回访」第6行" in msg


def _in_date_cell(delivered: object, n: int, thanks: object) -> dict:
    """A delivery whose 交车日期 cell holds ``delivered`` (a time in it or not) and whose 交车时间
    is blank."""
    return {**_delivery("2026-11-20", None, "王先生", f"139000001{n:02d}", 20 + n, thanks=thanks, first="2026-11-21"),
            "delivered": delivered}


def test_a_time_written_in_the_date_cell_is_the_delivery_time(tmp_path: Path) -> None:
    """交车日期 2026-11-20 14:30 (text or a datetime) with 交车时间 blank: the delivery was at 14:30,
    not a blank required 交车时间, and the hour of the thank-you call counts from it. A date typed
    as a datetime (0:00) gives no time: 交车时间 is still blank."""
    rows = [
        _delivery("2026-11-20", "10:00", "赵先生", "13900000100", 20, thanks="10:30", first="2026-11-21"),
        _in_date_cell("2026-11-20 14:30", 1, "15:00"),
        _in_date_cell(dt.datetime(2026, 11, 20, 14, 30), 2, "16:00"),  # 90 minutes: late
        _in_date_cell(dt.datetime(2026, 11, 20, 9, 15), 3, None),  # no call at all
        _in_date_cell(dt.datetime(2026, 11, 20), 4, "10:30"),  # midnight: a date, no time
        _in_date_cell("2026-11-20 00:00", 5, "10:30"),
        _in_date_cell(dt.datetime(2026, 11, 20, 16, 5), 6, dt.datetime(2026, 11, 20, 16, 40)),
    ]
    form = Form("11月交车", "delivery", DELIVERY_HEADERS, rows, title=[["XX汽车4S店交车登记表 2026年11月"]],
                total=(1, [None, "合计", f"{len(rows)}台"]),
                expected=[(2, "感谢电话时间", "delivery.thanks_late"), (3, "感谢电话时间", "delivery.thanks_missing"),
                          (4, "交车时间", "required"), (5, "交车时间", "required")])
    r = validate([write_forms(tmp_path / "交车登记.xlsx", [form])], as_of=AS_OF, config=Config())
    assert _found(r) == _expected({"交车登记.xlsx": [form]}, ["交车登记.xlsx"])
    assert r.files[0].sheets[0]["rows"] == len(rows)
    assert r.checked[0].col("delivery_time")[1:4] == [dt.time(14, 30), dt.time(14, 30), dt.time(9, 15)]
    by_rule = {f.rule: f.message for f in r.findings}
    assert "14:30" in by_rule["delivery.thanks_late"] and "09:15" in by_rule["delivery.thanks_missing"]


def test_one_column_of_dates_with_times_gives_no_midnight_delivery(tmp_path: Path) -> None:
    """A register whose 交车日期 holds the time too (no 交车时间 column): a cell with 00:00 is a
    date typed so, not a delivery at midnight that makes the morning's thank-you call late."""
    headers = [(h, s) for h, s in DELIVERY_HEADERS if h != "交车时间"]
    rows = [_in_date_cell(dt.datetime(2026, 11, 20, 9 + n, 30), n, f"{10 + n}:00") for n in range(4)]
    rows.append(_in_date_cell("2026-11-21 00:00", 5, "10:30"))
    form = Form("11月交车", "delivery", headers, rows, title=[["交车登记表"]], total=(1, [None, "合计", "5台"]),
                expected=[(4, "交车日期", "required")])
    r = validate([write_forms(tmp_path / "交车登记.xlsx", [form])], as_of=AS_OF, config=Config())
    assert r.files[0].sheets[0]["columns"]["delivery_time"] == "交车日期"
    assert _found(r) == _expected({"交车登记.xlsx": [form]}, ["交车登记.xlsx"])
