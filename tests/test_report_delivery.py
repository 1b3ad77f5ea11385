"""The delivery step through the reports (issue 15): the morning report's deliveries and
thank-you calls, delivered customers off the follow-up list, 首保 in the reminders, a car
sold here that never came back counted in churn. Hand-computed on small workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.test_delivery_rules import vin
from tests.test_report_weekly import call
from tests.workbooks import checked, write
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report

D = dt.date
T = dt.time


def dl(day: D, time: T | None, name: str, phone: str, n: int, consultant: str, thanks=None, advisor="黄志强",
       intro="是", plate=None, first_service=None) -> dict:
    return {"delivered": day, "delivery_time": time, "customer": name, "phone": phone, "model": "凯美瑞",
            "vin": vin(n), "plate": plate, "consultant": consultant, "advisor": advisor, "service_intro": intro,
            "thanks_at": thanks, "first_service_date": first_service}


def test_the_morning_report_has_yesterdays_deliveries_and_thank_you_calls(tmp_path: Path) -> None:
    as_of = D(2026, 11, 27)
    y = D(2026, 11, 26)
    rows = [dl(y, T(10), "甲", "13800000001", 1, "王强", T(10, 40)),
            dl(y, T(14), "乙", "13800000002", 2, "王强", T(15, 30)),  # 90 minutes: late
            dl(y, T(23, 30), "丙", "13800000003", 3, "李娜", T(0, 20)),  # after midnight: 50 minutes
            dl(y, T(16), "丁", "13800000004", 4, "李娜", None, intro="否"),  # no call recorded
            dl(D(2026, 11, 25), T(10), "戊", "13800000005", 5, "李娜", T(10, 10))]  # the day before: not counted
    p = write(tmp_path / "交车.xlsx", {"交车": ("delivery", rows)})
    rep = build_report("morning", checked([p], as_of), as_of=as_of, config=Config())
    got = {r["consultant"]: r for r in rep.table("deliveries").rows}
    assert {k: (v["deliveries"], v["on_time"], v["late"], v["missing"], v["introduced"]) for k, v in got.items()} == \
        {"王强": (2, 1, 1, 0, 2), "李娜": (2, 1, 0, 1, 1)}
    total = rep.table("deliveries").total_row
    assert (total["deliveries"], total["on_time"], total["rate"]) == (4, 2, 0.5)
    assert any("感谢电话及时率" in f for f in rep.footnotes)
    # without a delivery register the morning report is as before
    p2 = write(tmp_path / "卡.xlsx", {"卡": ("followup_card", [{"card_date": y, "customer": "甲", "phone": "13800000001",
                                                               "model": "凯美瑞", "level": "H", "consultant": "王强",
                                                               "status": "跟进中"}])})
    assert [t.key for t in build_report("morning", checked([p2], as_of), as_of=as_of, config=Config()).tables] == \
        ["by_consultant"]


def test_delivered_customers_drop_off_the_follow_up_list(tmp_path: Path) -> None:
    as_of = D(2026, 11, 27)
    cards = [{"card_date": D(2026, 11, 1), "customer": c, "phone": p, "model": "凯美瑞", "level": "H",
              "consultant": "王强", "status": "跟进中"} for c, p in (("甲", "13800000001"), ("乙", "13800000002"))]
    cards.append({"card_date": D(2026, 11, 20), "customer": "丙", "phone": "13800000003", "model": "汉兰达",
                  "level": "H", "consultant": "王强", "status": "跟进中"})  # a card after the delivery: a second car
    p1 = write(tmp_path / "卡.xlsx", {"卡": ("followup_card", cards)})
    p2 = write(tmp_path / "交车.xlsx", {"交车": ("delivery", [
        dl(D(2026, 11, 10), T(10), "甲", "13800000001", 1, "王强", T(10, 20)),
        dl(D(2026, 11, 5), T(10), "丙", "13800000003", 3, "王强", T(10, 20))])})
    listed = [r["customer"] for r in build_report("followups", checked([p1, p2], as_of), as_of=as_of,
                                                  config=Config()).table("list").rows]
    assert sorted(listed) == ["丙", "乙"]
    alone = [r["customer"] for r in build_report("followups", checked([p1], as_of), as_of=as_of,
                                                 config=Config()).table("list").rows]
    assert sorted(alone) == ["丙", "乙", "甲"]


def test_reminders_add_the_first_maintenance_from_the_delivery(tmp_path: Path) -> None:
    as_of = D(2026, 11, 27)
    rows = [dl(D(2026, 8, 29), T(10), "甲", "13800000001", 1, "王强", T(10, 20), plate="粤B11111"),  # +3 months: 11-29
            dl(D(2026, 10, 1), T(10), "乙", "13800000002", 2, "王强", T(10, 20), first_service=D(2026, 12, 1)),
            dl(D(2026, 8, 28), T(10), "丙", "13800000003", 3, "王强", T(10, 20), plate="粤B33333"),  # came back
            dl(D(2026, 9, 20), T(10), "丁", "13800000004", 4, "王强", T(10, 20))]  # due 12-20: not this week
    p1 = write(tmp_path / "交车.xlsx", {"交车": ("delivery", rows)})
    p2 = write(tmp_path / "回访.xlsx", {"回访": ("service_callback", [
        call("RO3", D(2026, 11, 22), D(2026, 11, 20), plate="粤B33333", phone="13800000003", customer="丙")])})
    due = build_report("reminders", checked([p1, p2], as_of), as_of=as_of, config=Config()).table("due").rows
    assert [(r["customer"], r["due"], r["service_type"], r["next_km"]) for r in due] == [
        ("甲", D(2026, 11, 29), "首保（新车）", 5000), ("乙", D(2026, 12, 1), "首保（新车）", 5000)]


def test_churn_counts_a_car_sold_here_that_never_came_back(tmp_path: Path) -> None:
    as_of = D(2026, 11, 27)  # cut-off 2026-05-27, base year from 2025-05-27
    p1 = write(tmp_path / "交车.xlsx", {"交车": ("delivery", [
        dl(D(2025, 12, 1), T(10), "甲", "13800000001", 1, "王强", T(10, 20)),  # never back: lost
        dl(D(2025, 11, 1), T(10), "乙", "13800000002", 2, "王强", T(10, 20), plate="粤B22222"),  # back in 2026-02
        dl(D(2026, 7, 1), T(10), "丙", "13800000003", 3, "王强", T(10, 20))])})  # after the cut-off: not in the base
    p2 = write(tmp_path / "回访.xlsx", {"回访": ("service_callback", [
        call("RO2", D(2026, 8, 3), D(2026, 8, 1), plate="粤B22222", phone="13800000002", customer="乙")])})
    p3 = write(tmp_path / "档案.xlsx", {"档案": ("customer_file", [
        {"customer": "戊", "phone": "13800000005", "vin": vin(5), "model": "卡罗拉", "bought": D(2026, 1, 10),
         "buy_type": "自销"},  # sold here, never back: lost
        {"customer": "己", "phone": "13800000006", "vin": vin(6), "model": "卡罗拉", "bought": D(2026, 1, 10),
         "buy_type": "他店"}])})  # bought elsewhere: not ours to lose
    rep = build_report("churn", checked([p1, p2, p3], as_of), as_of=as_of, config=Config())
    summary = rep.table("summary").rows[0]
    lost = {r["customer"]: r for r in rep.table("lost").rows}
    assert set(lost) == {"甲", "戊"} and lost["甲"]["reason"] == "购车后未回厂首保"
    assert (summary["base"], summary["lost"]) == (2, 2)  # 乙 came back after the cut-off: not in the base year
    without = build_report("churn", checked([p2], as_of), as_of=as_of, config=Config())
    assert without.table("lost").rows == []
