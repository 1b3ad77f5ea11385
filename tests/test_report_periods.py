"""Period boundaries: Monday/Sunday, month ends, the 3rd, clamped months."""

from __future__ import annotations

import datetime as dt

import pytest

from xl_dealer.reports.common import add_months, last_month, last_week, month_of, yesterday

D = dt.date


@pytest.mark.parametrize(("as_of", "week"), [
    (D(2026, 11, 30), (D(2026, 11, 23), D(2026, 11, 29))),  # Monday: the week just ended
    (D(2026, 11, 29), (D(2026, 11, 16), D(2026, 11, 22))),  # Sunday: its own week is not over
    (D(2026, 12, 2), (D(2026, 11, 23), D(2026, 11, 29))),
    (D(2027, 1, 4), (D(2026, 12, 28), D(2027, 1, 3))),  # across the year end
])
def test_last_week_is_monday_to_sunday(as_of, week):
    assert last_week(as_of) == week
    assert week[0].weekday() == 0 and week[1].weekday() == 6


@pytest.mark.parametrize(("as_of", "month"), [
    (D(2026, 12, 3), (D(2026, 11, 1), D(2026, 11, 30))),  # the 3rd: last month
    (D(2026, 12, 1), (D(2026, 11, 1), D(2026, 11, 30))),
    (D(2026, 11, 30), (D(2026, 10, 1), D(2026, 10, 31))),
    (D(2026, 3, 3), (D(2026, 2, 1), D(2026, 2, 28))),
    (D(2028, 3, 3), (D(2028, 2, 1), D(2028, 2, 29))),  # leap year
    (D(2027, 1, 3), (D(2026, 12, 1), D(2026, 12, 31))),
])
def test_last_month(as_of, month):
    assert last_month(as_of) == month


def test_month_arithmetic_clamps_to_month_end():
    assert add_months(D(2026, 8, 31), -6) == D(2026, 2, 28)
    assert add_months(D(2026, 12, 3), -6) == D(2026, 6, 3)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert month_of(D(2026, 2, 14)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert yesterday(D(2026, 12, 1)) == (D(2026, 11, 30), D(2026, 11, 30))


@pytest.mark.parametrize(("period", "as_of", "span", "before", "name"), [
    ("day", D(2026, 12, 1), (D(2026, 11, 30),) * 2, (D(2026, 11, 29),) * 2, "2026-11-30"),
    ("week", D(2026, 12, 2), (D(2026, 11, 23), D(2026, 11, 29)), (D(2026, 11, 16), D(2026, 11, 22)),
     "2026-11-23 至 2026-11-29"),
    ("month", D(2026, 3, 3), (D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 1, 1), D(2026, 1, 31)), "2026年2月"),
    ("quarter", D(2026, 10, 1), (D(2026, 7, 1), D(2026, 9, 30)), (D(2026, 4, 1), D(2026, 6, 30)), "2026年第3季度"),
    ("quarter", D(2026, 2, 10), (D(2025, 10, 1), D(2025, 12, 31)), (D(2025, 7, 1), D(2025, 9, 30)), "2025年第4季度"),
    ("half", D(2026, 7, 1), (D(2026, 1, 1), D(2026, 6, 30)), (D(2025, 7, 1), D(2025, 12, 31)), "2026年上半年"),
    ("half", D(2026, 3, 1), (D(2025, 7, 1), D(2025, 12, 31)), (D(2025, 1, 1), D(2025, 6, 30)), "2025年下半年"),
    ("year", D(2026, 1, 2), (D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31)), "2025年"),
])
def test_every_period_is_the_last_complete_one_with_the_one_before(period, as_of, span, before, name):
    from xl_dealer.reports.common import period_name, period_range, previous_range

    assert period_range(period, as_of) == span
    assert previous_range(period, span[0]) == before
    assert period_name(period, *span) == name


def test_a_month_share_is_days_over_the_days_of_their_month():
    from xl_dealer.reports.common import month_share

    assert month_share(D(2026, 7, 1), D(2026, 9, 30)) == pytest.approx(3)
    assert month_share(D(2026, 2, 1), D(2026, 2, 14)) == pytest.approx(0.5)
    assert month_share(D(2026, 1, 29), D(2026, 2, 4)) == pytest.approx(3 / 31 + 4 / 28)
