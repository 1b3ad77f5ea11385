"""月度满意度, 客户流失, 保养提醒: hand-computed numbers on small after-service workbooks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_report_weekly import call
from tests.workbooks import checked, write
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report

D = dt.date
AS_OF = D(2026, 12, 3)  # the 3rd: the monthly report covers November


def case(no, day, dept, due, resolved=None, second=None, satisfied=None, phone="13800000009", ro=None, issue="问题"):
    return {"case_no": no, "date": day, "ro_no": ro, "customer": "客户", "phone": phone, "issue": issue,
            "department": dept, "owner": "负责人", "owner_signed": "是", "due": due, "resolved": resolved,
            "result": "已处理" if resolved else None, "second_call": second, "satisfied": satisfied}


@pytest.fixture
def monthly(tmp_path):
    calls = [
        call("RO1", D(2026, 11, 30), D(2026, 11, 28), reception_speed=5, repair_quality=2),  # month end: in
        call("RO2", D(2026, 11, 1), D(2026, 10, 30), reception_speed=4, repair_quality=4, overall=5),  # first day
        call("RO3", D(2026, 12, 1), D(2026, 11, 29), reception_speed=1),  # December: out
        call("RO4", D(2026, 10, 31), D(2026, 10, 29), reception_speed=2, repair_quality=5),  # October
        call("RO5", D(2026, 10, 15), D(2026, 10, 14), reception_speed=4),
    ]
    cases = [case("K1", D(2026, 11, 5), "车间", D(2026, 11, 10), D(2026, 11, 8), D(2026, 11, 12), "是"),
             case("K2", D(2026, 11, 20), "车间", D(2026, 11, 25)),  # open past its due date
             case("K3", D(2026, 11, 28), "服务接待", D(2026, 12, 5)),  # open, not yet due
             case("K4", D(2026, 10, 30), "车间", D(2026, 11, 2))]  # October
    # November and October in separate workbooks of one folder, as clerks keep them
    folder = tmp_path / "回访"
    folder.mkdir()
    write(folder / "2026-11.xlsx", {"回访": ("service_callback", [c for c in calls if c["called"].month != 10]),
                                    "快速处理": ("complaint", cases[:3])})
    write(folder / "2026-10.xlsx", {"回访": ("service_callback", [c for c in calls if c["called"].month == 10]),
                                    "快速处理": ("complaint", cases[3:])})
    return build_report("monthly", checked([folder], AS_OF), as_of=AS_OF, config=Config())


def test_monthly_beside_the_month_before(monthly):
    assert (monthly.period_start, monthly.period_end) == (D(2026, 11, 1), D(2026, 11, 30))
    rows = {r["department"]: r for r in monthly.table("by_department").rows}
    assert (rows["服务接待"]["answered"], rows["服务接待"]["rate"], rows["服务接待"]["prev_rate"]) == (2, 1.0, 0.5)
    assert rows["服务接待"]["change"] == 50.0  # percentage points, as the sheet shows "+50.0百分点"
    assert (rows["车间"]["answered"], rows["车间"]["satisfied"], rows["车间"]["rate"], rows["车间"]["prev_rate"]) == \
        (2, 1, 0.5, 1.0)
    assert rows["车间"]["change"] == -50.0
    assert "总体" not in rows  # 总体评价 speaks for no department
    assert monthly.notes == []  # October is in the inputs: nothing to explain
    assert rows["钣喷"]["rate"] is None  # nothing answered: no rate, not 0 %
    assert (rows["车间"]["problems"], rows["车间"]["complaints"], rows["服务接待"]["complaints"]) == (1, 2, 1)
    total = monthly.table("by_department").total_row
    # the total is every item pooled, 总体评价 (RO2: 5) included
    assert (total["answered"], total["satisfied"], total["prev_rate"]) == (5, 4, pytest.approx(2 / 3))
    assert total["change"] == round((4 / 5 - 2 / 3) * 100, 1)


def test_monthly_complaint_resolution(monthly):
    rows = {r["department"]: r for r in monthly.table("complaints").rows}
    keys = ("registered", "resolved", "open", "overdue", "second_called", "satisfied", "close_rate", "second_call_rate")
    assert tuple(rows["车间"][k] for k in keys) == (2, 1, 1, 1, 1, 1, 0.5, 1.0)
    assert tuple(rows["服务接待"][k] for k in keys) == (1, 0, 1, 0, 0, 0, 0.0, None)
    total = monthly.table("complaints").total_row
    assert (total["registered"], total["close_rate"]) == (3, pytest.approx(1 / 3))


def test_monthly_trend(monthly):
    trend = {r["month"]: (r["answered"], r["satisfied"]) for r in monthly.table("trend").rows}
    assert list(trend) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert trend["2026-10"] == (3, 2) and trend["2026-11"] == (5, 4) and trend["2026-06"] == (0, 0)


# ---------------------------------------------------------------- churn

def svc(plate, delivered, phone, **kw):
    return call(f"R{plate}{delivered:%y%m%d}", delivered + dt.timedelta(days=1), delivered, plate=plate,
                phone=phone, **kw)


@pytest.fixture
def history(tmp_path):
    rows = [svc("粤A10001", D(2025, 8, 1), "13600000001"), svc("粤A10001", D(2026, 7, 10), "13600000001"),  # back
            svc("粤A10002", D(2025, 12, 1), "13600000002"),  # lost
            svc("粤A10003", D(2026, 6, 2), "13600000003", repair_quality=1, comment="等太久"),  # lost (day before)
            svc("粤A10004", D(2026, 6, 3), "13600000004"),  # cut-off day: not older than 6 months
            svc("粤A10005", D(2025, 6, 2), "13600000005"),  # before the base year
            svc("粤A10006", D(2025, 6, 3), "13600000006"),  # first day of the base year: lost
            svc(None, D(2026, 1, 10), "13600000007"), svc(None, D(2026, 9, 1), "13600000007")]  # no plate: by phone
    folder = tmp_path / "history"
    folder.mkdir()
    for year in (2025, 2026):  # history across files
        write(folder / f"{year}.xlsx", {"回访": ("service_callback", [r for r in rows if r["delivered"].year == year])})
    write(folder / "complaints.xlsx", {"快速处理": ("complaint", [
        case("K9", D(2025, 12, 3), "车间", D(2025, 12, 10), phone="13600000002", issue="保养后漏油")])})
    return checked([folder], AS_OF)


def test_churn_rate_over_unique_customers(history):
    r = build_report("churn", history, as_of=AS_OF, config=Config())
    assert (r.period_start, r.period_end) == (D(2025, 6, 3), D(2026, 6, 2))
    assert r.to_json()["tables"]["summary"] == [{"label": "统计日", "at": "2026-12-03", "cutoff": "2026-06-03",
                                                 "base": 5, "lost": 3, "churn_rate": 0.6, "return_rate": 0.4}]
    lost = {x["plate"]: x for x in r.table("lost").rows}
    assert set(lost) == {"粤A10002", "粤A10003", "粤A10006"}
    assert lost["粤A10002"]["reason"] == "保养后漏油" and lost["粤A10002"]["status"] == "投诉逾期未解决"
    assert lost["粤A10003"]["reason"] == "等太久" and lost["粤A10003"]["status"] == "待回访"
    assert lost["粤A10003"]["phone"] == "13600000003"  # the follow-up list is for calling
    assert lost["粤A10006"]["months"] == 18  # 2025-06-03 → 2026-12-03


def test_churn_months_from_config(history):
    r = build_report("churn", history, as_of=AS_OF, config=Config(churn_months=3))
    s = r.table("summary").rows[0]
    assert (s["cutoff"], s["base"], s["lost"], s["churn_rate"], s["return_rate"]) == (D(2026, 9, 3), 5, 5, 1.0, 0.0)


def test_churn_without_history(tmp_path):
    p = write(tmp_path / "x.xlsx", {"回访": ("service_callback", [])})
    r = build_report("churn", checked([p], AS_OF), as_of=AS_OF, config=Config())
    assert r.table("summary").rows[0]["churn_rate"] is None and r.notes


# ---------------------------------------------------------------- reminders

def test_reminders_next_seven_days(tmp_path):
    rows = [svc("粤B11111", D(2026, 6, 1), "13500000001", next_service_date=D(2026, 12, 1)),
            svc("粤B11111", D(2026, 9, 1), "13500000001", next_service_date=D(2027, 3, 1)),  # replaces it
            svc("粤B22222", D(2026, 6, 5), "13500000002", next_service_date=D(2026, 12, 6), member="是"),
            svc("粤B33333", D(2026, 6, 6), "13500000003", next_service_date=D(2026, 12, 7)),
            svc("粤B44444", D(2026, 5, 30), "13500000004", next_service_date=D(2026, 11, 30), next_service_km=15000),
            svc("粤B55555", D(2026, 5, 29), "13500000005", next_service_date=D(2026, 11, 29))]
    p = write(tmp_path / "回访.xlsx", {"回访": ("service_callback", rows)})
    r = build_report("reminders", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    assert (r.period_start, r.period_end) == (D(2026, 11, 30), D(2026, 12, 6))
    got = [(x["due"], x["plate"], x["phone"], x["member"]) for x in r.table("due").rows]
    # a club member first (issue 16), then by date
    assert got == [(D(2026, 12, 6), "粤B22222", "13500000002", "会员"),
                   (D(2026, 11, 30), "粤B44444", "13500000004", None)]
    assert r.table("due").rows[1]["next_km"] == 15000
    assert r.table("due").rows[0]["windows"] == "10:00–12:00、15:00–18:00"


def test_churn_for_a_quarter_beside_the_quarter_before(history):
    r = build_report("churn", history, as_of=AS_OF, config=Config(), period="quarter")  # Q3: measured on 9-30
    now, before = r.table("summary").rows
    # base year before 2026-03-30: 10001 (back 07-10), 10002, 10005, 10006 (lost), phone …07 (back 09-01)
    assert (now["at"], now["cutoff"], now["base"], now["lost"], now["churn_rate"]) == \
        (D(2026, 9, 30), D(2026, 3, 30), 5, 3, 0.6)
    # on 06-30: 10001's return (07-10) has not happened yet; …07 first came after that base year
    assert (before["at"], before["base"], before["lost"], before["churn_rate"]) == (D(2026, 6, 30), 4, 4, 1.0)
    assert now["change"] == -40.0 and "（季度）" in r.title
    assert {x["plate"] for x in r.table("lost").rows} == {"粤A10002", "粤A10005", "粤A10006"}


def test_churn_drops_columns_nothing_feeds(history, tmp_path):
    r = build_report("churn", history, as_of=AS_OF, config=Config())
    assert {"problems", "reason"} <= {c.key for c in r.table("lost").columns}  # 10002's complaint, 10003's score
    p = write(tmp_path / "h.xlsx", {"回访": ("service_callback", [svc("粤A20001", D(2025, 12, 1), "13600000021"),
                                                                  svc("粤A20002", D(2025, 11, 1), "13600000022")])})
    quiet = build_report("churn", checked([p], AS_OF), as_of=AS_OF, config=Config())
    assert len(quiet.table("lost").rows) == 2
    assert not {"problems", "reason"} & {c.key for c in quiet.table("lost").columns}
    assert any("不列不满意项和流失原因" in f for f in quiet.footnotes)


@pytest.fixture
def two_quarters(tmp_path):
    calls = [call("Q1", D(2026, 8, 10), D(2026, 8, 8), reception_speed=5, repair_quality=2),  # Q3
             call("Q2", D(2026, 9, 30), D(2026, 9, 28), reception_speed=4, repair_quality=4),
             call("Q3", D(2026, 10, 5), D(2026, 10, 3), reception_speed=2, repair_quality=5),  # Q4
             call("Q4", D(2026, 12, 31), D(2026, 12, 29), reception_speed=5, repair_quality=5, overall=5)]
    for m in (8, 9, 10, 12):  # a workbook per month
        write(tmp_path / f"2026-{m:02d}.xlsx", {"回访": ("service_callback", [c for c in calls if c["called"].month == m])})
    return checked([tmp_path], D(2027, 1, 5))


def test_satisfaction_for_a_quarter_beside_the_one_before(two_quarters):
    r = build_report("monthly", two_quarters, as_of=D(2027, 1, 5), config=Config(), period="quarter")
    assert (r.sheet, r.period_start, r.period_end) == ("季度满意度", D(2026, 10, 1), D(2026, 12, 31))
    rows = {x["department"]: x for x in r.table("by_department").rows}
    assert (rows["服务接待"]["rate"], rows["服务接待"]["prev_rate"], rows["服务接待"]["change"]) == (0.5, 1.0, -50.0)
    assert (rows["车间"]["rate"], rows["车间"]["prev_rate"], rows["车间"]["change"]) == (1.0, 0.5, 50.0)
    assert [c.header for c in r.table("by_department").columns][3:6] == ["本期满意率", "上期满意率", "变化"]
    assert [t["month"] for t in r.table("trend").rows] == [f"2026-{m:02d}" for m in range(7, 13)]
    assert [n[:8] for n in r.notes] == ["未提供快速处理表"]  # the previous quarter is there: nothing else to say


def test_satisfaction_without_the_previous_period_says_why(two_quarters):
    r = build_report("monthly", two_quarters, as_of=D(2026, 9, 3), config=Config())  # August; July is absent
    assert any("上月" not in n and "上期（2026年7月）没有接通的回访记录" in n for n in r.notes)
    assert all(x["prev_rate"] is None and x["change"] is None for x in r.table("by_department").rows)
