"""周回访报表: hand-computed numbers on a small callback workbook (SPEC §4, §7)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.workbooks import checked, write
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report

D = dt.date
ITEMS = ("reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price",
         "staff_attitude", "repair_quality", "cleanliness", "overall")


def call(ro, called, delivered, outcome="已回访", service_type="保养", scores=(), phone="13800000001", **kw):
    r = {"ro_no": ro, "plate": kw.pop("plate", f"粤A{ro[-1]}2345"), "customer": kw.pop("customer", "王先生"),
         "phone": phone, "service_type": service_type, "advisor": kw.pop("advisor", "李明"),
         "delivered": delivered, "called": called, "caller": "小刘", "outcome": outcome}
    r.update(dict(zip(ITEMS, scores, strict=False)))
    r.update(kw)
    return r


CALLS = [
    call("RO1", D(2026, 11, 23), D(2026, 11, 21), scores=(5, 4, 3, 5, 4, 5, 5, 4, 5)),  # Monday: in
    call("RO2", D(2026, 11, 29), D(2026, 11, 24), scores=(2, 4, 4, 4, 4, 2, 1, 5, 3), complaint="是",
         phone="13800000002", comment='=HYPERLINK("http://x","y")'),  # Sunday: in, 5 days late
    call("RO3", D(2026, 11, 24), D(2026, 11, 23), outcome="未接通", phone="13800000003"),
    call("RO3", D(2026, 11, 25), D(2026, 11, 23), scores=(5, 5, 5, 5, 5, 5, 5, None, 5), phone="13800000003"),
    call("RO4", D(2026, 11, 26), D(2026, 11, 25), outcome="拒访", phone="13800000004"),
    call("RO5", D(2026, 11, 22), D(2026, 11, 20), scores=(1,) * 9, phone="13800000005"),  # Sunday before: out
    call("RO6", D(2026, 11, 30), D(2026, 11, 28), scores=(1,) * 9, phone="13800000006"),  # today: out
    call("RO7", D(2026, 11, 26), D(2026, 11, 20), service_type="新车交付", scores=(4,) * 9, phone="13800000007"),
    call("RO8", D(2026, 11, 28), D(2026, 11, 27), service_type="钣喷", scores=(4, 4, 4, 3, 3, 4, 4, 4, 4),
         paint_quality=2, phone="13800000008"),
]
CASES = [{"case_no": "K001", "date": D(2026, 11, 29), "ro_no": "RO2", "customer": "王先生", "phone": "13800000002",
          "issue": "维修后仍异响", "department": "车间", "owner": "赵工", "owner_signed": "是", "due": D(2026, 12, 2),
          "resolved": D(2026, 11, 30), "result": "更换衬套", "second_call": D(2026, 11, 30)}]


@pytest.fixture
def weekly(tmp_path):
    p = write(tmp_path / "callbacks.xlsx", {"回访": ("service_callback", CALLS), "快速处理": ("complaint", CASES)})
    return build_report("weekly", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())


def test_period_is_last_monday_to_sunday(weekly):
    assert (weekly.period_start, weekly.period_end) == (D(2026, 11, 23), D(2026, 11, 29))


def test_overall_counts_service_visits_and_items(weekly):
    # RO1 RO2 RO3 RO4 RO7 RO8 called; RO4 refused; RO2 called 5 days after delivery. RO7 is a 新车交付
    # call: of its nine 4s only 总体评价 is a question it is asked (callback_items), so 8 answers fewer
    assert weekly.to_json()["tables"]["overall"] == [
        {"calls": 6, "reached": 5, "on_time": 5, "answered": 37, "satisfied": 29, "rate": pytest.approx(29 / 37)}]


def test_by_department_json_rows(weekly):
    rows = weekly.to_json()["tables"]["by_department"]
    assert [set(r) for r in rows] == [{"department", "answered", "satisfied", "rate"}] * len(rows)
    got = {r["department"]: (r["answered"], r["satisfied"]) for r in rows}
    # 总体评价 (5 answered, 4 satisfied) is no department: it is in the total, not a row of its own
    # the new-car call RO7 adds nothing to 车间, 配件 or any repair department; nobody answered 交车满意度
    assert got == {"服务接待": (12, 9), "车间": (8, 7), "结算": (4, 3), "配件": (4, 3), "钣喷": (1, 0),
                   "美容/洗车": (3, 3), "销售": (0, 0)}
    assert next(r for r in rows if r["department"] == "钣喷")["rate"] == 0
    # the total is SPEC's overall rate: every item pooled, 总体评价's 5 answers included, and says so
    total = weekly.table("by_department").total_row
    assert (total["department"], total["answered"], total["satisfied"]) == ("合计（含总体评价）", 37, 29)
    assert weekly.table("overall").rows[0]["rate"] == total["rate"] == pytest.approx(29 / 37)
    footnotes = "".join(weekly.footnotes)
    assert not any("a" <= ch.lower() <= "z" for ch in footnotes)  # Chinese only, no English sentence


def test_problem_customers_with_their_resolution(weekly):
    rows = weekly.table("problems").rows
    assert [r["ro_no"] for r in rows] == ["RO8", "RO2"]
    ro8, ro2 = rows
    assert ro8["status"] == "未登记快速处理" and ro8["problems"] == "喷漆质量2分"
    assert ro2["status"] == "已解决" and ro2["case_no"] == "K001" and ro2["resolved"] == D(2026, 11, 30)
    assert ro2["problems"] == "接待速度2分、服务态度2分、维修质量1分"
    assert ro2["phone"] == "138****0002"  # not a call list


def test_empty_week_says_so(tmp_path):
    p = write(tmp_path / "callbacks.xlsx", {"回访": ("service_callback", CALLS)})
    r = build_report("weekly", checked([p], D(2027, 3, 1)), as_of=D(2027, 3, 1), config=Config())
    j = r.to_json()
    assert j["tables"]["overall"] == [{"calls": 0, "reached": 0, "on_time": 0, "answered": 0, "satisfied": 0, "rate": None}]
    # every department keeps its row (the same rows every week), with no rate rather than 0 %
    assert {(d["answered"], d["rate"]) for d in j["tables"]["by_department"]} == {(0, None)}
    assert r.table("by_department").total_row["rate"] is None
    assert r.notes and "没有回访记录" in r.notes[0]


def test_as_of_sunday_reports_the_week_before(tmp_path):
    p = write(tmp_path / "callbacks.xlsx", {"回访": ("service_callback", CALLS)})
    r = build_report("weekly", checked([p], D(2026, 11, 29)), as_of=D(2026, 11, 29), config=Config())
    assert (r.period_start, r.period_end) == (D(2026, 11, 16), D(2026, 11, 22))
    assert r.to_json()["tables"]["overall"][0]["calls"] == 1  # RO5 only


def test_problem_scores_read_as_the_customer_gave_them(tmp_path):
    # 总体评价 on 10 points (8 and 3 said), 服务态度 in words: the list repeats what was said,
    # not the internal 5-point value (3 of 10 is 1.5 inside, never "1.5分" on the sheet)
    calls = [call("RO1", D(2026, 11, 24), D(2026, 11, 23), scores=(5, 5, 5, 5, 5, "满意", 5, 5, 8)),
             call("RO2", D(2026, 11, 25), D(2026, 11, 23), scores=(2, 5, 5, 5, 5, "不满意", 5, 5, 3),
                  phone="13800000002")]
    p = write(tmp_path / "callbacks.xlsx", {"回访": ("service_callback", calls)})
    r = build_report("weekly", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    assert [x["problems"] for x in r.table("problems").rows] == ["接待速度2分、服务态度不满意、总体评价3/10分"]


def test_ro_numbers_match_as_validate_matches_them(tmp_path):
    """"RO7" then "ro 7" is one repair order, handled by case C1 filed as RO7 (as complaint.unhandled sees it)."""
    calls = [call("RO7", D(2026, 11, 24), D(2026, 11, 23), outcome="未接通"),
             call("ro 7", D(2026, 11, 25), D(2026, 11, 23), scores=(4, 4, 4, 4, 4, 4, 1, 4, 4))]
    case = {"case_no": "C1", "date": D(2026, 11, 25), "ro_no": "RO7", "customer": "王先生", "phone": "13900000000",
            "issue": "返修", "department": "车间", "owner": "张工", "owner_signed": "是", "due": D(2026, 11, 28)}
    p = write(tmp_path / "cb.xlsx", {"回访": ("service_callback", calls), "快速处理": ("complaint", [case])})
    r = build_report("weekly", checked([p], D(2026, 11, 30)), as_of=D(2026, 11, 30), config=Config())
    (overall,) = r.table("overall").rows
    assert (overall["calls"], overall["reached"]) == (1, 1)
    (problem,) = r.table("problems").rows
    assert problem["case_no"] == "C1"
