"""The generated follow-up and after-service workbooks: validate finds exactly the planted mistakes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from xl_dealer.samples import generate, write_workbook
from xl_dealer.samples.delivery import generate_delivery
from xl_dealer.samples.followup import generate_followup
from xl_dealer.samples.service import generate_after_service, generate_service_history
from xl_dealer.validate import validate

END = dt.date(2026, 11, 27)


def _key(sheet, row, field, rule, subject):
    return (sheet, row, field, rule, subject)


def test_planted_mistakes_are_found_exactly_across_all_workbooks(tmp_path):
    reg, td = generate(days=30, per_day=10, end=END, seed=7)
    cards, log = generate_followup(reg, END)
    cb, ks = generate_after_service(END)
    history = generate_service_history(END)  # clean: it adds no finding
    dl, cf = generate_delivery(END, cards, cb, history)
    books = {"reg.xlsx": [reg], "td.xlsx": [td], "fu.xlsx": [cards, log], "sv.xlsx": [cb, history, ks],
             "dl.xlsx": [dl], "cf.xlsx": [cf]}
    for order in (list(books), list(reversed(books))):  # the rules across workbooks in any order of files
        for name, sheets in books.items():
            write_workbook(tmp_path / name, sheets)
        r = validate([tmp_path / n for n in order], as_of=END)
        got = Counter(_key(f.sheet, f.row, f.field, f.rule, f.subject) for f in r.findings)
        want = Counter(_key(p.sheet, p.row, p.field, p.rule, p.subject)
                       for s in (reg, td, cards, log, cb, ks, dl, cf) for p in s.planted_cells())
        assert got == want
    rules = {k[3] for k in want}
    # every rule of this issue is exercised by the samples
    assert {"card.missing", "followup.quota", "followup.window", "followup.overdue", "followup.late_submit",
            "callback.late", "callback.window", "complaint.unhandled", "complaint.open_overdue",
            "complaint.no_second_call", "format.plate", "format.number", "duplicate", "time.order",
            "delivery.thanks_late", "delivery.thanks_missing", "delivery.service_intro", "delivery.first_callback",
            "delivery.new_car_call", "card.not_closed", "customer.mismatch", "customer.unknown",
            "format.vin"} <= rules
    # every row finding carries its Excel cell; group findings name their subject
    assert all(f.cell and f.row for f in r.findings if f.subject is None)
    assert all(f.row is None and f.cell is None for f in r.findings if f.rule == "followup.quota")


def test_generators_are_deterministic():
    a = generate_after_service(END)[0].rows
    b = generate_after_service(END)[0].rows
    assert a == b
    reg1, _ = generate(days=30, per_day=10, end=END, seed=7)
    reg2, _ = generate(days=30, per_day=10, end=END, seed=7)
    assert generate_followup(reg1, END)[1].rows == generate_followup(reg2, END)[1].rows
    assert reg1.planted == reg2.planted


def test_a_later_as_of_date_still_gives_exact_findings(tmp_path):
    end = dt.date(2027, 3, 2)  # data is relative to the as-of date
    reg, td = generate(days=30, per_day=8, end=end, seed=3)
    cards, log = generate_followup(reg, end, seed=5)
    cb, ks = generate_after_service(end, seed=9)
    write_workbook(tmp_path / "reg.xlsx", [reg])
    write_workbook(tmp_path / "td.xlsx", [td])
    write_workbook(tmp_path / "fu.xlsx", [cards, log])
    write_workbook(tmp_path / "sv.xlsx", [cb, ks])
    r = validate([tmp_path / n for n in ("reg.xlsx", "td.xlsx", "fu.xlsx", "sv.xlsx")], as_of=end)
    got = Counter(_key(f.sheet, f.row, f.field, f.rule, f.subject) for f in r.findings)
    want = Counter(_key(p.sheet, p.row, p.field, p.rule, p.subject)
                   for s in (reg, td, cards, log, cb, ks) for p in s.planted_cells())
    assert got == want


def test_a_3000_row_log_written_as_the_benchmark_writes_it_gives_exactly_the_planted(tmp_path):
    """The benchmark's kind of file (write-only, inline strings, ~5% mistakes) at a size where
    the column-wise reading and checking paths matter; with worker processes too, and with
    each sheet cut into pieces read side by side (split_mb = 0, two CPUs per process)."""
    from xl_dealer.model.config import Config, Limits

    reg, td = generate(days=30, per_day=100, end=END, seed=13)
    assert len(reg.rows) > 2500 and len(reg.planted) > 100
    write_workbook(tmp_path / "log.xlsx", [reg], write_only=True)
    write_workbook(tmp_path / "drives.xlsx", [td], write_only=True)
    want = Counter(_key(p.sheet, p.row, p.field, p.rule, p.subject) for s in (reg, td) for p in s.planted_cells())
    for jobs, config in ((1, None), (2, None), (4, Config(limits=Limits(split_mb=0)))):
        r = validate([tmp_path / "log.xlsx", tmp_path / "drives.xlsx"], as_of=END, jobs=jobs, config=config)
        got = Counter(_key(f.sheet, f.row, f.field, f.rule, f.subject) for f in r.findings)
        assert got == want, jobs


def test_service_history_gives_churn_reminders_and_a_trend(tmp_path):
    from xl_dealer.model.config import Config
    from xl_dealer.reports import build_report

    cb, ks = generate_after_service(END)
    history = generate_service_history(END)
    assert not history.planted
    write_workbook(tmp_path / "sv.xlsx", [cb, history, ks])
    checked = validate([tmp_path / "sv.xlsx"], as_of=END).checked
    build = lambda name: build_report(name, checked, as_of=END, config=Config()).to_json()  # noqa: E731
    churn = build("churn")["tables"]["summary"][0]
    assert churn["base"] >= 50 and 0.1 < churn["churn_rate"] < 0.6
    assert len(build("reminders")["tables"]["due"]) >= 3
    monthly = build("monthly")["tables"]
    assert all(m["rate"] is not None for m in monthly["trend"])  # six months of calls
    # every department answered this month has last month beside it (销售 is asked on new-car calls only)
    assert all(d["prev_rate"] is not None for d in monthly["by_department"] if d["answered"])
    assert sum(1 for d in monthly["by_department"] if d["answered"]) >= 6
