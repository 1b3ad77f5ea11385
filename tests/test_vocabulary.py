"""Workbooks laid out as dealers keep them read without false alarms (issue 14).

Each kind is written in one or more dealer layouts (their own header words, titles with
the day, day-per-sheet forms, 在店时段 ranges, totals typed anywhere, refused signatures),
with seeded mistakes and clean rows: exactly the seeded findings come out, no
column.missing, no column.duplicate. The same clean rows, alone and laid out as our
templates, give nothing, and are read as the same values.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from dealer_forms import Form, day, span, template_book, write_forms

from xl_dealer.model.config import Config
from xl_dealer.samples import id_number
from xl_dealer.validate import validate

AS_OF = "2026-11-27"

# ---------------------------------------------------------------- the visitor log


def _visit(d: str, arrive: str, leave: str | None, name: str, phone: str | None, model: str, source: str,
           level: str, consultant: str, *, seq: str = "初", drive: str = "否", card: str = "是", party: int = 1,
           remark: str | None = None, visit: str = "来店", gender: str = "男", sep: str = "-") -> dict:
    return {"date": day(d), "visit_type": visit, "arrive_time": arrive, "leave_time": leave, "customer": name,
            "gender": gender, "phone": phone, "model": model, "source": source, "level": level,
            "visit_seq": seq, "party_size": party, "consultant": consultant, "test_drive": drive,
            "card": card, "remark": remark, "_sep": sep}


DAY18_CLEAN = [
    _visit("2026-11-18", "9:30", "10:15", "王先生", "13812340001", "凯美瑞", "汽车之家", "H级", "李娜", party=2),
    _visit("2026-11-18", "10:20", "11:05", "李女士", "13812340002", "卡罗拉", "朋友介绍", "A级", "王强",
           seq="再", drive="是", card="√", gender="女", sep="~"),
    _visit("2026-11-18", "9点30", "10点15", "赵先生", None, "汉兰达", "路过", "C级", "王强", card="否",
           remark="客户没留电话"),
    _visit("2026-11-18", "15:00", None, "孙女士", None, "雷凌", "抖音", "B", "李娜", card="否", gender="女",
           remark="客户未留，说下次再来"),
]
DAY18_SEEDED = [  # (row, the header its finding is on, rule)
    (_visit("2026-11-18", "14:00", "13:00", "钱先生", "13812340006", "凯美瑞", "抖音", "B级", "李娜"),
     "在店时段", "time.order"),
    (_visit("2026-11-18", "16:00", "16:40", "冯先生", "1381234567", "凯美瑞", "抖音", "B级", "李娜"),
     "手机号码", "format.phone"),
    (_visit("2026-11-18", "16:10", "16:50", "陈女士", "13812340007", "卡罗拉", "易车", "X级", "王强"),
     "客户级别", "enum"),
    (_visit("2026-11-18", "17:00", "17:30", "褚先生", "13812340009", "亚洲龙", "易车", "A", "李娜", card="否"),
     "是否建卡", "card.required"),
]
DAY19_CLEAN = [
    _visit("2026-11-19", "10:00", "10:40", "卫先生", "13812340021", "威兰达", "易车", "A级", "王强"),
    _visit("2026-11-19", "下午3:30", "下午4:15", "蒋女士", "13812340022", "bZ3", "小红书", "H级", "李娜",
           gender="女"),
]
DAY19_SEEDED = [(_visit("2026-11-19", "11:00", "11:30", "沈先生", "13812340023", "雷凌", "随便看看", "B级", "王强"),
                 "客户来源", "enum")]
MONTH_CLEAN = [
    _visit("2026-11-20", "10:00", "11:30", "周先生", "13812340011", "RAV4荣放", "懂车帝", "h", "张伟", seq="F",
           drive="Y", visit="展厅", party=2),
    _visit("2026-11-20", "14:00", "14:10", "吴女士", "13812340012", "bZ3", "电话", "B级", "张伟", seq="S", drive="N",
           card="√", visit="来电", gender="女", party=None),
    _visit("2026-11-21", "9:45", "11:00", "郑先生", "13812340013", "亚洲龙", "老客户推荐", "O", "张伟",
           seq="首次"),
]
MONTH_SEEDED = [
    (_visit("2026-11-21", "15:00", "15:40", "郑先生", "13812340013", "亚洲龙", "老客户推荐", "O", "张伟", seq="再次"),
     "电话号码", "duplicate"),
    (_visit("2026-11-21", "16:00", "16:30", "王女士", "13812340015", "卡罗拉", "路过", "C", "张伟", gender="女"),
     "电话号码", "card.missing"),
]

DAY_HEADERS = [  # a 来店顾客登记表 of one day: no 日期, no 来店/来电, one 在店时段 cell
    ("序号", lambda r: None), ("在店时段", lambda r: span("arrive_time", "leave_time", r["_sep"])(r)),
    ("顾客姓名", "customer"), ("性别", "gender"), ("手机号码", "phone"), ("意向型号", "model"),
    ("客户来源", "source"), ("客户级别", "level"), ("来店频率", "visit_seq"), ("来店人数", "party_size"),
    ("接待顾问", "consultant"), ("是否试驾", "test_drive"), ("是否建卡", "card"), ("备注", "remark"),
]
MONTH_HEADERS = [  # the 来店(电)登记表 of a month, in the words of another brand
    ("日期", "date"), ("星期", lambda r: "一二三四五六日"[r["date"].weekday()]), ("来店时间", "arrive_time"),
    ("离店时间", "leave_time"), ("来店(电)方式", "visit_type"), ("首次/再次", "visit_seq"), ("顾客姓名", "customer"),
    ("电话号码", "phone"), ("欲购车型", "model"), ("获知渠道", "source"), ("意向级别", "level"), ("接待人", "consultant"),
    ("试乘试驾", "test_drive"), ("建档", "card"), ("来店人数", "party_size"), ("备注", "remark"),
]


def _seeded(clean: list[dict], seeded: list[tuple[dict, str, str]], with_seeded: bool):
    rows = list(clean) + ([r for r, _, _ in seeded] if with_seeded else [])
    expected = [(len(clean) + j, h, rule) for j, (_, h, rule) in enumerate(seeded)] if with_seeded else []
    return rows, expected


def registration_forms(with_seeded: bool = True) -> dict[str, list[Form]]:
    rows18, exp18 = _seeded(DAY18_CLEAN, DAY18_SEEDED, with_seeded)
    rows19, exp19 = _seeded(DAY19_CLEAN, DAY19_SEEDED, with_seeded)
    rows_m, exp_m = _seeded(MONTH_CLEAN, MONTH_SEEDED, with_seeded)
    total = [None] * 9 + ["合计", len(rows18)]  # typed under 来店频率, the tenth column
    return {
        "来店顾客登记.xlsx": [
            Form("11月18日", "registration", DAY_HEADERS, rows18,
                 title=[["XX汽车4S店来店顾客登记表"], ["日期：2026年11月18日 星期三"] + [None] * 9 + ["天气：晴"]],
                 total=(9, total), expected=exp18),
            Form("11月19日", "registration", DAY_HEADERS, rows19, title=[["来店顾客登记表 2026年11月"]],
                 total=(0, ["合计", len(rows19)]), expected=exp19),
        ],
        "来店来电登记11月.xlsx": [
            Form("11月", "registration", MONTH_HEADERS, rows_m, title=[["XX汽车4S店来店(电)客户登记表 2026年11月"]],
                 total=(15, [None] * 15 + ["合计：5批"]), expected=exp_m),
        ],
    }


# ---------------------------------------------------------------- follow-up cards and log


def _card(d: str, name: str, phone: str, model: str, level: str, consultant: str, status: str = "跟进中",
          reason: str | None = None, nxt: dt.date | None = None, source: str = "汽车之家") -> dict:
    return {"card_date": day(d), "customer": name, "phone": phone, "model": model, "level": level,
            "source": source, "consultant": consultant, "status": status, "lost_reason": reason, "next_date": nxt}


CARDS_CLEAN = [
    _card("2026-11-18", "王先生", "13812340001", "凯美瑞", "H级", "李娜", nxt=day("2026-11-28")),
    _card("2026-11-18", "李女士", "13812340002", "卡罗拉", "A级", "王强", source="朋友介绍"),
    _card("2026-11-18", "钱先生", "13812340006", "凯美瑞", "B级", "李娜"),
    _card("2026-11-18", "陈女士", "13812340007", "卡罗拉", "B级", "王强"),
    _card("2026-11-18", "褚先生", "13812340009", "亚洲龙", "A", "李娜"),
    _card("2026-11-19", "卫先生", "13812340021", "威兰达", "A级", "王强"),
    _card("2026-11-19", "蒋女士", "13812340022", "bZ3", "H级", "李娜"),
    _card("2026-11-19", "沈先生", "13812340023", "雷凌", "B级", "王强"),
    _card("2026-11-20", "周先生", "13812340011", "RAV4荣放", "H", "张伟", source="懂车帝"),
    _card("2026-11-20", "吴女士", "13812340012", "bZ3", "B级", "张伟", source="电话"),
    _card("2026-11-21", "郑先生", "13812340013", "亚洲龙", "O", "张伟", source="老客户推荐"),
    _card("2026-11-02", "何先生", "13812340031", "汉兰达", "F", "王强", status="战败", reason="买了竞品"),
]
CARDS_SEEDED = [(_card("2026-11-03", "吕女士", "13812340030", "卡罗拉", "F", "李娜", status="战败"),
                 "战败原因", "required")]
CARD_HEADERS = [  # the 客户信息卡 of 三表一卡: 建档日期, 首次级别 beside 当前级别, 联系方式 is the phone
    ("客户编号", lambda r: "KH" + r["phone"][-4:]), ("建档日期", "card_date"), ("顾客姓名", "customer"),
    ("性别", lambda r: None), ("联系方式", "phone"), ("意向型号", "model"), ("首次级别", "level"),
    ("当前级别", "level"), ("获知渠道", "source"), ("销售顾问", "consultant"), ("客户状态", "status"),
    ("战败原因", "lost_reason"), ("下次跟进时间", "next_date"), ("备注", lambda r: None),
]


def _contact(d: str, name: str, phone: str, level: str, channel: str, content: str, consultant: str, *,
             time: str | None = "10:00", nxt: dt.date | None = None, signed: str = "王经理") -> dict:
    return {"date": day(d), "time": time, "consultant": consultant, "customer": name, "phone": phone,
            "level": level, "channel": channel, "content": content, "feedback": "考虑中", "next_date": nxt,
            "submitted_at": "16:30", "manager_signed": signed}


def _six(consultant: str, customers: list[tuple[str, str, str]], signed: str = "王经理") -> list[dict]:
    """A consultant's day of follow-ups (the daily target is 6): their cards' customers, then others."""
    others = [("华先生", "13812340041", "C"), ("金女士", "13812340042", "B"), ("魏先生", "13812340043", "C"),
              ("陶女士", "13812340044", "N")]
    people = (customers + others)[:6]
    return [_contact("2026-11-26", n, p, lv, "电话", "介绍本月优惠", consultant, signed=signed,
                     nxt=day("2026-11-28")) for n, p, lv in people]


LOG_WQ = _six("王强", [("李女士", "13812340002", "A级"), ("陈女士", "13812340007", "B级"),
                     ("卫先生", "13812340021", "A级"), ("沈先生", "13812340023", "B级")])
LOG_LN = _six("李娜", [("王先生", "13812340001", "H级"), ("钱先生", "13812340006", "B级"),
                     ("褚先生", "13812340009", "A"), ("蒋女士", "13812340022", "H级")], signed="否")
LOG_ZW = _six("张伟", [("周先生", "13812340011", "H"), ("吴女士", "13812340012", "B级"), ("郑先生", "13812340013", "O")])
DAY_LOG_HEADERS = [  # a consultant's 意向客户跟进表 of one day: who and when are in the title
    ("序号", lambda r: None), ("顾客姓名", "customer"), ("电话", "phone"), ("跟进方式", "channel"),
    ("跟进情况", "content"), ("跟踪后级别", "level"), ("下次跟踪时间", "next_date"), ("经理批阅", "manager_signed"),
]
MONTH_LOG_HEADERS = [
    ("跟进日期", "date"), ("跟进时间", "time"), ("跟进人", "consultant"), ("顾客姓名", "customer"),
    ("联系方式", "phone"), ("意向级别", "level"), ("沟通方式", "channel"), ("洽谈内容", "content"),
    ("客户反馈", "feedback"), ("下次跟进日期", "next_date"), ("提交时间", "submitted_at"), ("经理签名", "manager_signed"),
]


def followup_forms(with_seeded: bool = True) -> dict[str, list[Form]]:
    cards, exp_cards = _seeded(CARDS_CLEAN, CARDS_SEEDED, with_seeded)
    wq = [dict(r) for r in LOG_WQ]
    exp_wq: list = []
    if with_seeded:  # two of 王强's rows go wrong
        wq[4]["channel"], wq[5]["next_date"] = "QQ", day("2026-11-20")
        exp_wq = [(4, "跟进方式", "enum"), (5, "下次跟踪时间", "time.order")]
    ln = [dict(r) for r in LOG_LN]
    if not with_seeded:
        for r in ln:
            r["manager_signed"] = "王经理"
    return {
        "跟进卡.xlsx": [Form("客户跟进卡", "followup_card", CARD_HEADERS, cards, title=[["客户跟进卡（三表一卡）"]],
                            expected=exp_cards)],
        "跟进记录.xlsx": [
            Form("王强", "followup_log", DAY_LOG_HEADERS, wq,
                 title=[["意向客户跟进表"], ["销售顾问：王强    日期：2026年11月26日"]], expected=exp_wq),
            Form("李娜", "followup_log", DAY_LOG_HEADERS, ln,
                 title=[["意向客户跟进表"], ["销售顾问：李娜    日期：2026-11-26"]],
                 expected=[(0, "经理批阅", "followup.late_submit")] if with_seeded else []),
            Form("张伟11月", "followup_log", MONTH_LOG_HEADERS, LOG_ZW, title=[["意向客户跟进记录 2026年11月"]]),
        ],
    }


# ---------------------------------------------------------------- test drives

def _drive(d: str, name: str, phone: str, model: str, consultant: str, signed: str, with_: str,
           born: dt.date = dt.date(1990, 5, 6)) -> dict:
    rng = random.Random(name)
    return {"date": day(d), "customer": name, "age": 36, "occupation": "教师", "license_no": id_number(rng, born),
            "phone": phone, "address": "广州市天河区1号", "model": model, "route": "A线 市区",
            "customer_signed": signed, "consultant_signed": with_, "consultant": consultant}


DRIVES_CLEAN = [
    _drive("2026-11-18", "李女士", "13812340002", "卡罗拉", "王强", "李女士", "王强"),
    _drive("2026-11-20", "周先生", "13812340011", "RAV4荣放", "张伟", "√", "张伟"),
]
DRIVES_SEEDED = [  # refusals written in the signature cells: no signature
    (_drive("2026-11-22", "韩先生", "13812340051", "凯美瑞", "李娜", "否", "李娜"), "试驾人签字", "required"),
    (_drive("2026-11-22", "杨女士", "13812340052", "雷凌", "李娜", "×", "李娜"), "试驾人签字", "required"),
    (_drive("2026-11-23", "朱先生", "13812340053", "汉兰达", "王强", "朱先生", "未签"), "陪同人签字", "required"),
]
DRIVE_HEADERS = [
    ("试驾日期", "date"), ("顾客姓名", "customer"), ("年龄", "age"), ("职业", "occupation"), ("驾驶证号", "license_no"),
    ("手机号码", "phone"), ("住址", "address"), ("试驾车型", "model"), ("试驾路线", "route"),
    ("试驾人签字", "customer_signed"), ("陪同人签字", "consultant_signed"), ("销售顾问", "consultant"),
]


def drive_forms(with_seeded: bool = True) -> dict[str, list[Form]]:
    rows, exp = _seeded(DRIVES_CLEAN, DRIVES_SEEDED, with_seeded)
    return {"试乘试驾.xlsx": [Form("试驾登记", "test_drive", DRIVE_HEADERS, rows, title=[["试乘试驾登记表"]],
                                  expected=exp)]}


# ---------------------------------------------------------------- after-service calls and complaints

SCORES = ("reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price", "staff_attitude",
          "repair_quality", "cleanliness", "overall")


def _call(ro: str, plate: str, name: str, phone: str, stype: str, delivered: str, called: str, time: str,
          outcome: str = "已回访", score: object = 5, advisor: str = "黄志强", caller: str = "小周") -> dict:
    r = {"ro_no": ro, "plate": plate, "customer": name, "phone": phone, "service_type": stype, "advisor": advisor,
         "delivered": day(delivered), "called": day(called), "call_time": time, "caller": caller, "outcome": outcome}
    if outcome == "已回访":
        r.update(dict.fromkeys(SCORES, score))
        if stype == "钣喷":
            r["paint_quality"] = score
        # a reached call keeps the customer's words and tells the next maintenance (issue 16): our
        # template has both columns; the dealers' forms below have neither, and are not asked for them
        r.update(comment="满意", next_service_km=15000)
    return r


CALLS_CLEAN = [
    _call("RO2611200001", "粤B12345", "黄先生", "13912340001", "保养", "2026-11-20", "2026-11-22", "10:30"),
    _call("RO2611200002", "粤BD12345", "林女士", "13912340002", "维修", "2026-11-20", "2026-11-21", "15:20", score=4),
    _call("RO2611210003", "粤A12345D", "马先生", "13912340003", "保养", "2026-11-21", "2026-11-23", "11:00",
          outcome="未接通"),
]
CALLS_SEEDED = [
    (_call("RO2611210004", "粤B22345", "罗先生", "13912340004", "保养", "2026-11-21", "2026-11-23", "13:10"),
     "回访时间", "callback.window"),
    (_call("RO2611200005", "粤B32345", "梁女士", "13912340005", "维修", "2026-11-20", "2026-11-26", "10:10"),
     "回访日期", "callback.late"),
]
CALL_HEADERS = [  # 回访日期 and 回访时间 side by side: the time is the call's time of day
    ("工单号", "ro_no"), ("车牌", "plate"), ("车主", "customer"), ("联系方式", "phone"), ("维修类型", "service_type"),
    ("服务顾问", "advisor"), ("交车日期", "delivered"), ("回访日期", "called"), ("回访时间", "call_time"),
    ("回访人", "caller"), ("回访结果", "outcome"), ("接待速度", "reception_speed"), ("完工速度", "completion_speed"),
    ("结算速度", "checkout_speed"), ("配件价格", "parts_price"), ("工时价格", "labour_price"),
    ("服务态度", "staff_attitude"), ("维修质量", "repair_quality"), ("清洁程度", "cleanliness"), ("总体评价", "overall"),
]
DAY_CALLS_CLEAN = [
    _call("RO2611190011", "粤B42345", "董先生", "13912340011", "保养", "2026-11-19", "2026-11-21", "10:05"),
    _call("RO2611190012", "粤B52345", "潘女士", "13912340012", "钣喷", "2026-11-19", "2026-11-21", "16:40",
          score="非常满意"),
]
DAY_CALLS_SEEDED = [(_call("RO2611190013", "粤B62345", "袁先生", "13912340013", "保养", "2026-11-19", "2026-11-21",
                           "19:30"), "回访时间", "callback.window")]
DAY_CALL_HEADERS = [  # one day's calls: the day in the title, 回访时间 is the time alone
    ("工单号", "ro_no"), ("车牌号", "plate"), ("客户姓名", "customer"), ("手机号码", "phone"),
    ("维修类型", "service_type"), ("服务顾问", "advisor"), ("出厂日期", "delivered"), ("回访时间", "call_time"),
    ("回访员", "caller"), ("接通情况", "outcome"), ("接待速度", "reception_speed"), ("完工速度", "completion_speed"),
    ("结算速度", "checkout_speed"), ("配件价格", "parts_price"), ("工时价格", "labour_price"),
    ("服务态度", "staff_attitude"), ("维修质量", "repair_quality"), ("喷漆质量", "paint_quality"),
    ("清洁程度", "cleanliness"), ("总体评价", "overall"),
]
STAMP_CALLS_CLEAN = [
    _call("RO2611220021", "粤B72345", "蔡先生", "13912340021", "保养", "2026-11-22", "2026-11-23", "10:30"),
    _call("RO2611220022", "粤B82345", "蒋先生", "13912340022", "维修", "2026-11-22", "2026-11-24", "15:45", score=4),
]
STAMP_CALLS_SEEDED = [(_call("RO2611220023", "粤B92345", "余女士", "13912340023", "保养", "2026-11-22", "2026-11-24",
                             "12:40"), "回访时间", "callback.window")]
STAMP_CALL_HEADERS = [  # 回访时间 alone, holding the date and the time of each call
    ("维修单号", "ro_no"), ("车牌号码", "plate"), ("客户", "customer"), ("电话", "phone"), ("业务类型", "service_type"),
    ("SA", "advisor"), ("结算日期", "delivered"),
    ("回访时间", lambda r: f"{r['called'].isoformat()} {r['call_time']}"), ("回访人", "caller"), ("回访结果", "outcome"),
    ("接待速度", "reception_speed"), ("完工速度", "completion_speed"), ("结算速度", "checkout_speed"),
    ("配件价格", "parts_price"), ("工时价格", "labour_price"), ("服务态度", "staff_attitude"),
    ("维修质量", "repair_quality"), ("清洁程度", "cleanliness"), ("总体评价", "overall"),
]

CASES_CLEAN = [
    {"case_no": "KS2611-001", "date": day("2026-11-22"), "ro_no": "RO2611150001", "customer": "曹先生",
     "phone": "13912340031", "issue": "接车等了40分钟", "department": "服务接待", "owner": "黄志强",
     "owner_signed": "黄志强", "due": day("2026-11-25"), "resolved": day("2026-11-23"), "result": "道歉并赠送保养",
     "second_call": day("2026-11-25"), "second_result": "满意"},
    {"case_no": "KS2611-002", "date": day("2026-11-25"), "ro_no": None, "customer": "彭女士", "phone": "13912340032",
     "issue": "异响没有修好", "department": "车间", "owner": "孙师傅", "owner_signed": "√", "due": day("2026-11-29")},
]
CASES_SEEDED = [({"case_no": "KS2611-003", "date": day("2026-11-26"), "customer": "谢先生", "phone": "13912340033",
                  "issue": "洗车不干净", "department": "美容/洗车", "owner": "罗主管", "owner_signed": "无",
                  "due": day("2026-11-30")}, "负责人签字", "required")]
CASE_HEADERS = [
    ("编号", "case_no"), ("投诉日期", "date"), ("委托书号", "ro_no"), ("顾客姓名", "customer"), ("手机号码", "phone"),
    ("客户反映情况", "issue"), ("责任部门", "department"), ("处理人", "owner"), ("负责人签字", "owner_signed"),
    ("承诺解决日期", "due"), ("解决日期", "resolved"), ("处理结果", "result"), ("二次回访日期", "second_call"),
    ("二次回访结果", "second_result"),
]


def service_forms(with_seeded: bool = True) -> dict[str, list[Form]]:
    calls, exp = _seeded(CALLS_CLEAN, CALLS_SEEDED, with_seeded)
    day_calls, exp_day = _seeded(DAY_CALLS_CLEAN, DAY_CALLS_SEEDED, with_seeded)
    stamp_calls, exp_stamp = _seeded(STAMP_CALLS_CLEAN, STAMP_CALLS_SEEDED, with_seeded)
    cases, exp_cases = _seeded(CASES_CLEAN, CASES_SEEDED, with_seeded)
    return {
        "售后回访.xlsx": [
            Form("11月回访", "service_callback", CALL_HEADERS, calls, title=[["售后回访记录表 2026年11月"]],
                 expected=exp),
            Form("11月21日", "service_callback", DAY_CALL_HEADERS, day_calls,
                 title=[["售后回访记录"], ["回访日期：2026年11月21日"]], expected=exp_day),
            Form("回访明细", "service_callback", STAMP_CALL_HEADERS, stamp_calls, expected=exp_stamp),
        ],
        "快速处理表.xlsx": [Form("快速处理", "complaint", CASE_HEADERS, cases, title=[["客户抱怨快速处理表"]],
                                expected=exp_cases)],
    }


ALL_FORMS = (registration_forms, followup_forms, drive_forms, service_forms)


def _write_all(folder: Path, with_seeded: bool) -> tuple[list[Path], list]:
    paths, expected = [], []
    for make in ALL_FORMS:
        for name, forms in make(with_seeded).items():
            paths.append(write_forms(folder / name, forms))
            expected += [(str(paths[-1]), *e) for f in forms for e in f.findings()]
    return paths, expected


def _found(result) -> list:
    return sorted((f.path, f.sheet, f.cell, f.rule) for f in result.findings)


# ---------------------------------------------------------------- the tests


def test_dealer_layouts_give_exactly_their_seeded_findings(tmp_path: Path) -> None:
    paths, expected = _write_all(tmp_path, with_seeded=True)
    result = validate(paths, as_of=AS_OF, config=Config())
    assert _found(result) == sorted(expected)
    kinds = {s["name"]: s["kind"] for fr in result.files for s in fr.sheets}
    assert kinds == {"11月18日": "registration", "11月19日": "registration", "11月": "registration",
                     "客户跟进卡": "followup_card", "王强": "followup_log", "李娜": "followup_log",
                     "张伟11月": "followup_log", "试驾登记": "test_drive", "11月回访": "service_callback",
                     "11月21日": "service_callback", "回访明细": "service_callback", "快速处理": "complaint"}


def test_dealer_layouts_clean_rows_alone_give_nothing(tmp_path: Path) -> None:
    paths, expected = _write_all(tmp_path, with_seeded=False)
    assert expected == []
    assert _found(validate(paths, as_of=AS_OF, config=Config())) == []


def _template_rows() -> dict[str, tuple[str, list[dict]]]:
    def plain(rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]

    return {
        "登记": ("registration", plain(DAY18_CLEAN + DAY19_CLEAN + MONTH_CLEAN)),
        "跟进卡": ("followup_card", plain(CARDS_CLEAN)),
        "跟进记录": ("followup_log", [{**r, "manager_signed": "王经理"} for r in LOG_WQ + LOG_LN + LOG_ZW]),
        "试驾": ("test_drive", DRIVES_CLEAN),
        "回访": ("service_callback", CALLS_CLEAN + DAY_CALLS_CLEAN + STAMP_CALLS_CLEAN),
        "快速处理": ("complaint", CASES_CLEAN),
    }


def test_the_same_clean_rows_as_our_templates_give_the_same_empty_result_and_values(tmp_path: Path) -> None:
    paths, _ = _write_all(tmp_path, with_seeded=False)
    dealer = validate(paths, as_of=AS_OF, config=Config())
    ours = validate([template_book(tmp_path / "ours.xlsx", _template_rows())], as_of=AS_OF, config=Config())
    assert _found(ours) == [] and _found(dealer) == []

    def values(result, kind: str) -> list[tuple]:
        from xl_dealer.model.kinds import KINDS

        keys = [f.key for f in KINDS[kind].fields]
        out = []
        for c in result.checked:
            if c.kind == kind:
                cols = {k: c.col(k) for k in keys if c.has(k)}
                out += [tuple(sorted((k, col[i]) for k, col in cols.items() if col[i] is not None))
                        for i in range(len(c.table.rows))]
        return sorted(out)

    for kind, fields in {"registration": ("date", "visit_type", "arrive_time", "leave_time", "customer", "phone",
                                          "model", "source", "level", "consultant", "visit_seq", "card"),
                         "followup_card": ("card_date", "phone", "level", "status", "consultant"),
                         "followup_log": ("date", "consultant", "phone", "level", "channel"),
                         "test_drive": ("date", "customer_signed", "consultant_signed", "license_no"),
                         "service_callback": ("ro_no", "called", "call_time", "outcome", "overall"),
                         "complaint": ("case_no", "date", "owner_signed")}.items():
        pick = [tuple(kv for kv in row if kv[0] in fields) for row in values(dealer, kind)]
        assert sorted(pick) == sorted(tuple(kv for kv in row if kv[0] in fields) for row in values(ours, kind)), kind


def test_where_values_outside_the_table_came_from_is_in_the_json(tmp_path: Path) -> None:
    paths, _ = _write_all(tmp_path, with_seeded=False)
    result = validate(paths, as_of=AS_OF, config=Config())
    sheets = {s["name"]: s for fr in result.to_json()["files"] for s in fr["sheets"]}
    day18 = sheets["11月18日"]
    assert day18["filled"]["date"] == {"from": "title", "value": "2026年11月18日", "text": "日期：2026年11月18日 星期三",
                                       "cell": "A2"}
    assert day18["filled"]["visit_type"]["from"] == "default" and day18["filled"]["visit_type"]["value"] == "来店"
    assert day18["columns"]["arrive_time"] == day18["columns"]["leave_time"] == "在店时段"
    assert sheets["11月19日"]["filled"]["date"] == {"from": "sheet_name", "value": "11月19日", "text": "11月19日",
                                                   "cell": None}
    assert sheets["11月"]["filled"] == {}  # a 来店(电) form with its own 来店(电)方式 column
    assert sheets["王强"]["filled"]["consultant"]["value"] == "王强"
    assert sheets["11月21日"]["filled"]["called"]["value"] == "2026年11月21日"
    assert sheets["11月21日"]["columns"]["call_time"] == "回访时间"
    stamp = sheets["回访明细"]
    assert stamp["columns"]["called"] == stamp["columns"]["call_time"] == "回访时间"
    assert sheets["11月回访"]["columns"]["called"] == "回访日期" and sheets["11月回访"]["columns"]["call_time"] == "回访时间"
    from xl_dealer.render.text import render_text

    text = render_text(result)
    assert "日期取自标题「日期：2026年11月18日 星期三」（A2）" in text and "日期取自工作表名「11月19日」" in text
    assert "来店/来电按表单「xx汽车4s店来店顾客登记表」默认为「来店」".upper() in text.upper()


def test_a_day_in_the_title_that_is_no_date_is_one_finding_on_the_title(tmp_path: Path) -> None:
    forms = registration_forms(with_seeded=False)["来店顾客登记.xlsx"][:1]
    forms[0].title = [["XX汽车4S店来店顾客登记表"], ["日期：2026年12月18日"]]  # after the as-of date
    p = write_forms(tmp_path / "f.xlsx", forms)
    r = validate([p], as_of=AS_OF, config=Config())
    assert [(f.rule, f.cell, f.row) for f in r.findings] == [("date.future", "A2", 2)]
    assert "标题" in r.findings[0].message


@pytest.mark.parametrize("title", ["XX汽车4S店来店顾客登记表", "XX汽车4S店来店顾客登记表    打印日期：2026-11-27",
                                   "来店顾客登记表 统计截至2026年11月26日"])
def test_without_the_day_anywhere_the_date_column_is_missing_once(tmp_path: Path, title: str) -> None:
    forms = registration_forms(with_seeded=False)["来店顾客登记.xlsx"][:1]
    forms[0].title = [[title]]  # a printing or counting date is not the rows' day
    forms[0].name = "登记"
    p = write_forms(tmp_path / "f.xlsx", forms)
    r = validate([p], as_of=AS_OF, config=Config())
    assert [(f.rule, f.field) for f in r.findings] == [("column.missing", "date")]


@pytest.mark.parametrize("title, visit_type", [
    ("来店顾客登记表", "来店"), ("展厅客流登记表", "来店"), ("来电客户登记表", "来电"), ("来店(来电)客户登记表", None),
])
def test_a_forms_default_only_when_its_title_says_which(tmp_path: Path, title: str, visit_type: str | None) -> None:
    forms = registration_forms(with_seeded=False)["来店顾客登记.xlsx"][:1]
    forms[0].title = [[title], ["日期：2026年11月18日"]]
    p = write_forms(tmp_path / "f.xlsx", forms)
    r = validate([p], as_of=AS_OF, config=Config())
    if visit_type == "来店":
        assert r.findings == [] and set(r.checked[0].col("visit_type")) == {"来店"}
    else:  # 来电 is not this kind's default; a mixed form without the column could be either
        assert [(f.rule, f.field) for f in r.findings] == [("column.missing", "visit_type")]


def test_a_rule_across_workbooks_without_its_columns_is_one_finding_not_a_flood(tmp_path: Path) -> None:
    """The follow-up cards lack the phone column: one cross.skipped on them, no card.missing on the visitors."""
    books = {**registration_forms(with_seeded=False), **followup_forms(with_seeded=False)}
    cards = books["跟进卡.xlsx"]
    cards[0].headers = [(h, spec) for h, spec in cards[0].headers if h != "联系方式"]
    for order in (list(books), list(reversed(books))):  # in any order of files
        paths = [write_forms(tmp_path / n, books[n]) for n in order]
        r = validate(paths, as_of=AS_OF, config=Config())
        got = sorted((f.sheet, f.rule, f.field) for f in r.findings)
        assert got == [("客户跟进卡", "column.missing", "phone"), ("客户跟进卡", "cross.skipped", None)]
    skipped = next(f for f in r.findings if f.rule == "cross.skipped")
    assert skipped.row is None and "本表没有「联系电话」列" in skipped.message
    assert "card.missing" in skipped.message and "followup.overdue" in skipped.message


def test_a_log_without_phones_does_not_make_every_card_overdue(tmp_path: Path) -> None:
    fu = followup_forms(with_seeded=False)
    log = fu["跟进记录.xlsx"]
    log[2].headers = [(h, spec) for h, spec in log[2].headers if h != "联系方式"]
    paths = [write_forms(tmp_path / n, f) for n, f in fu.items()]
    r = validate(paths, as_of=AS_OF, config=Config())
    assert sorted((f.sheet, f.rule) for f in r.findings) == [("张伟11月", "column.missing"), ("张伟11月", "cross.skipped")]


def test_unrecognised_required_columns_name_the_headers_and_the_config_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    forms = followup_forms(with_seeded=False)["跟进卡.xlsx"]
    forms[0].headers = [("联络号" if h == "联系方式" else h, spec) for h, spec in forms[0].headers]
    p = write_forms(tmp_path / "卡.xlsx", forms)
    out = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", str(p), "--as-of", AS_OF],
                         capture_output=True, text=True, timeout=120).stdout
    assert "缺少必填列「联系电话」" in out and "本表中未能识别的列：客户编号、性别、联络号、首次级别。" in out
    assert 'dealer.toml 的 [aliases] 下加一行：phone = ["联络号"]' in out  # its values are phones
    toml = tmp_path / "dealer.toml"
    toml.write_text('[aliases]\nphone = ["联络号"]\n', encoding="utf-8")
    r = validate([p], as_of=AS_OF, config_file=toml)
    assert not [f for f in r.findings if f.rule.startswith("column.")]
    assert r.files[0].sheets[0]["columns"]["phone"] == "联络号"
    # the one line works on every kind at once: the same header on a visitor log
    reg = tmp_path / "reg.xlsx"
    from helpers import REG_HEADER, reg_row, write_xlsx

    write_xlsx(reg, {"登记": [["联络号" if h == "*联系电话" else h for h in REG_HEADER], reg_row()]})
    assert validate([reg], as_of=AS_OF, config_file=toml).checked[0].has("phone")
    # without it the visitor log says so once: its phone may be blank on a row, never the column
    missing = [f for f in validate([reg], as_of=AS_OF).findings if f.rule == "column.missing"]
    assert [(f.field, f.row) for f in missing] == [("phone", None)]


def test_the_one_header_nothing_understood_is_the_line_to_add(tmp_path: Path) -> None:
    """来宾 says nothing of a name, but it is the sheet's only unknown header and 客户姓名 its only
    missing column: the hint gives that line, ready to paste; with two unknown headers it guesses nothing."""
    from helpers import REG_HEADER, reg_row, write_xlsx

    p = tmp_path / "reg.xlsx"
    write_xlsx(p, {"登记": [["来宾" if h == "*客户姓名" else h for h in REG_HEADER], reg_row()]})
    (f,) = validate([p], as_of=AS_OF, config=Config()).findings
    assert f.rule == "column.missing" and 'customer = ["来宾"]' in f.message and "如果「来宾」就是这一列" in f.message
    write_xlsx(p, {"登记": [["来宾" if h == "*客户姓名" else "号码" if h == "*联系电话" else h for h in REG_HEADER],
                            reg_row()]})
    missing = [f for f in validate([p], as_of=AS_OF, config=Config()).findings if f.rule == "column.missing"]
    # two unknown headers, two missing columns: the name guesses nothing, the phone its column of phones
    by = {f.field: f.message for f in missing}
    assert sorted(by) == ["customer", "phone"] and 'customer = ["表中的列名"]' in by["customer"]
    assert 'phone = ["号码"]' in by["phone"]


def test_a_kinds_own_aliases_and_unknown_names_in_the_config(tmp_path: Path) -> None:
    from xl_dealer.model.config import load_config
    from xl_dealer.model.errors import InputError

    toml = tmp_path / "dealer.toml"
    toml.write_text('[aliases.followup_card]\nphone = ["客户手机"]\n', encoding="utf-8")
    cfg = load_config(toml)
    assert cfg.aliases_of("followup_card", "phone") == ["客户手机"] and cfg.aliases_of("registration", "phone") == []
    toml.write_text('[aliases]\nphnoe = ["客户手机"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="没有字段「phnoe」"):
        load_config(toml)
    toml.write_text('[aliases.visitors]\nphone = ["客户手机"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="没有这种工作簿"):
        load_config(toml)


def test_an_alias_of_the_vocabulary_is_shared_by_every_kind_that_has_the_field() -> None:
    from xl_dealer.model.kinds import KINDS
    from xl_dealer.model.vocabulary import VOCABULARY

    for key, shared in VOCABULARY.items():
        users = [f for k in KINDS.values() for f in k.fields if f.shared == key]
        for f in users:  # every shared name, but one a kind gave to another of its fields
            kind = next(k for k in KINDS.values() if f in k.fields)
            others = {n for g in kind.fields if g is not f for n in g.names}
            assert set(shared.names) - others <= set(f.names), (key, f.header)
    phone_kinds = [k.key for k in KINDS.values() if any(f.shared == "phone" for f in k.fields)]
    assert set(phone_kinds) == {k for k in KINDS if KINDS[k].has("phone")}


def test_no_header_names_two_fields_of_one_kind_except_a_date_beside_its_time() -> None:
    from xl_dealer.model.kinds import KINDS
    from xl_dealer.read.header import header_key

    for kind in KINDS.values():
        names: dict[str, set[str]] = {}
        for f in kind.fields:
            for n in f.names:
                names.setdefault(header_key(n), set()).add(f.key)
        both = {n: keys for n, keys in names.items() if len(keys) > 1}
        allowed = {frozenset(p) for p in kind.moments}
        assert all(frozenset(keys) in allowed for keys in both.values()), (kind.key, both)


@pytest.mark.parametrize("remark, declined", [
    ("客户不留电话", True), ("没留电话", True), ("客户未留", True), ("客户未留，下次再来", True), ("拒绝提供手机号", True),
    ("不愿透露电话", True), ("拒留", True), ("客户未留微信", False), ("未留意价格", False), ("带家人来看车", False),
])
def test_declined_phone_words(remark: str, declined: bool) -> None:
    from xl_dealer.rules.fields import declined_phone

    assert declined_phone(remark) is declined


@pytest.mark.parametrize("cell, signed", [
    ("王强", True), ("√", True), ("是", True), ("已签", True), ("否", None), ("×", None), ("无", None), ("未签", None),
    ("没签", None), ("未签字", None), ("N", None), (None, None), ("", None), (0, None),
])
def test_signature_refusals_are_no_signature(cell: object, signed: object) -> None:
    from xl_dealer.read.values import to_sign

    assert to_sign(cell) == (signed, None)


@pytest.mark.parametrize("cell, start, end", [
    ("9:30-10:15", "9:30", "10:15"), ("9:30~10:15", "9:30", "10:15"), ("9:30～10:15", "9:30", "10:15"),
    ("9点30-10点15", "9点30", "10点15"), ("9:30—10:15", "9:30", "10:15"), ("9:30至10:15", "9:30", "10:15"),
    ("下午3:30-4:15", "下午3:30", "下午4:15"), ("9:30", "9:30", None), ("9:30-", "9:30", None),
    (dt.time(9, 30), dt.time(9, 30), None), (None, None, None),
])
def test_a_range_cell_splits_into_its_start_and_end(cell: object, start: object, end: object) -> None:
    from xl_dealer.read.values import split_span

    assert split_span(cell) == (start, end)


@pytest.mark.parametrize("text, day_text", [
    ("日期：2026年11月18日 星期三", "2026年11月18日"), ("2026-11-18 周三", "2026年11月18日"),
    ("XX店来店登记表 2026年11月", None), ("2026年11月1日—11月30日", None), ("2026/11/18 至 2026/11/19", None),
])
def test_the_one_day_a_title_names(text: str, day_text: str | None) -> None:
    from xl_dealer.read.values import date_in_text

    assert date_in_text(text) == day_text


@pytest.mark.parametrize("name, titles, day_text", [
    ("11月18日", [], "11月18日"), ("11.18", [], "11.18"), ("2026-11-18", [], "2026年11月18日"),
    ("18日", ["登记表 2026年11月"], "2026年11月18日"), ("18", ["登记表 2026年11月"], "2026年11月18日"),
    ("18", [], None), ("Sheet1", [], None), ("汇总", ["2026年11月"], None), ("32", ["2026年11月"], None),
])
def test_the_day_a_sheet_name_says(name: str, titles: list[str], day_text: str | None) -> None:
    from xl_dealer.read.values import date_in_sheet_name

    assert date_in_sheet_name(name, titles) == day_text


def test_levels_written_with_their_word_and_totals_typed_anywhere(tmp_path: Path) -> None:
    from helpers import REG_HEADER, reg_row, write_xlsx

    rows = [REG_HEADER, reg_row(level="H级"), reg_row(level="a级客户", phone="13900001111"),
            reg_row(level="B类", phone="13900002222"),
            [None] * 8 + ["本日合计", "3人"], [None] * 11 + ["合计：3"], [None, "小计"]]
    r = validate([write_xlsx(tmp_path / "l.xlsx", {"登记": rows})], as_of=AS_OF, config=Config())
    assert r.findings == [] and r.checked[0].col("level") == ["H", "A", "B"]
    # a remark that only starts like a total is a visitor, not a total row
    rows = [REG_HEADER, reg_row(remark="合计购车2台，老客户")]
    r = validate([write_xlsx(tmp_path / "m.xlsx", {"登记": rows})], as_of=AS_OF, config=Config())
    assert len(r.checked[0].table.rows) == 1
