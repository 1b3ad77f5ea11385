"""The reports' column passes (issue 19) build what the row-by-row versions built: the deals
(every customer's order and loss) and the latest words, against ``report_reference``'s plain
versions, on a store of two workbooks of every kind, with odd settings and sheets that lack
the columns a pass reads down."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from benchmarks.data import _write_report_set
from tests import report_reference as reference
from xl_dealer.model.config import Config
from xl_dealer.reports import build_report, deals, names
from xl_dealer.reports.common import RAW, passing, records, records_filled
from xl_dealer.reports.customers import keys_of, latest_words, words_of
from xl_dealer.rules.base import Checked
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> list[Checked]:
    """Two stores in one run: every kind on two sheets, so indexes run across workbooks."""
    a, b = tmp_path_factory.mktemp("store_a"), tmp_path_factory.mktemp("store_b")
    _write_report_set(a, 400, 3)
    _write_report_set(b, 250, 11)
    out = validate([a, b], as_of=AS_OF, config=Config()).checked
    assert len([c for c in out if c.kind == "followup_log"]) == 2
    return out


def _without(checked: list[Checked], drops: dict[str, tuple[str, ...]]) -> list[Checked]:
    """The same tables, the first sheet of each kind in ``drops`` without those columns."""
    out, done = [], set()
    for c in checked:
        if c.kind in drops and c.kind not in done:
            done.add(c.kind)
            c = dataclasses.replace(c, values={k: v for k, v in c.values.items() if k not in drops[c.kind]})
        out.append(c)
    return out


def _same_deals(got: deals.Deals, want: deals.Deals) -> None:
    # in the same order too: a report lists them as found (ties in its sort keep it)
    assert list(got.orders.items()) == list(want.orders.items())
    assert list(got.lost.items()) == list(want.lost.items())


CONFIGS = {
    "default": {},
    # a lost status that is also an order status: the card is lost, not an order
    "lost_orders": {"lost_statuses": ["战败", "流失", "已订车"]},
    "no_lost": {"lost_statuses": []},
}
DROPS = {
    "none": {},
    "phones": {"followup_log": ("phone",), "registration": ("phone",), "followup_card": ("phone",)},
    "levels": {"followup_log": ("level",), "followup_card": ("level", "status"), "registration": ("level",)},
    "dates": {"followup_log": ("date", "time"), "registration": ("arrive_time", "model"),
              "followup_card": ("last_contact", "model", "source")},
}


@pytest.mark.parametrize("drop", DROPS)
@pytest.mark.parametrize("setting", CONFIGS)
def test_deals_are_the_row_by_row_deals(checked, setting, drop):
    config = Config(**CONFIGS[setting])
    tables = _without(checked, DROPS[drop])
    want = reference.collect(tables, config)
    assert want.orders and (want.lost or setting == "no_lost")
    _same_deals(deals.collect(tables, config), want)


def test_deals_without_a_kind(checked):
    config = Config()
    for kind in ("registration", "followup_log", "followup_card"):
        tables = [c for c in checked if c.kind != kind]
        _same_deals(deals.collect(tables, config), reference.collect(tables, config))


WORD_DROPS = {
    "none": {},
    "phones": {**DROPS["phones"], "service_callback": ("vin",)},
    "texts": {"service_callback": ("comment", "churn_call"), "followup_log": ("feedback",),
              "complaint": ("second_call",)},
}


@pytest.mark.parametrize("drop", WORD_DROPS)
def test_latest_words_of_the_wanted_are_the_full_index(checked, drop):
    tables = _without(checked, WORD_DROPS[drop])
    full = reference.latest_words(tables)
    assert len(full) > 100
    everyone = set(full)
    rng = random.Random(19)
    for wanted in (everyone, set(rng.sample(sorted(everyone), 60)), {"t:00000000000", "p:none"}, set()):
        got = latest_words(tables, wanted)
        assert got == {k: w for k, w in full.items() if k in wanted}
    # as the call list asks: by a customer's plate, phone and VIN together
    some = [c for c in tables if c.kind == "service_callback"][0]
    people = list(zip(some.col("plate"), some.col("phone"), some.col("vin"), strict=True))[:200]
    got = latest_words(tables, {k for p in people for k in keys_of(*p)})
    assert [words_of(got, *p) for p in people] == [words_of(full, *p) for p in people]
    assert any(words_of(got, *p) for p in people)


def test_report_reads_the_values_validate_checks(tmp_path):
    """``report`` validates without the rules (it reads the values, not the findings): the same
    tables, values and reports, and no finding pretending to be all of them."""
    _write_report_set(tmp_path, 300, 5)
    config = Config()
    full = validate([tmp_path], as_of=AS_OF, config=config)
    bare = validate([tmp_path], as_of=AS_OF, config=config, rules=False)
    assert full.findings and not bare.findings
    assert [f.to_json() for f in bare.files] == [f.to_json() for f in full.files]
    assert [(c.table.path, c.table.sheet, c.table.rows, c.values, c.bad) for c in bare.checked] == \
        [(c.table.path, c.table.sheet, c.table.rows, c.values, c.bad) for c in full.checked]
    for name in names("all"):
        assert build_report(name, bare.checked, as_of=AS_OF, config=config).to_json() == \
            build_report(name, full.checked, as_of=AS_OF, config=config).to_json()


def test_passing_asks_each_distinct_value_once_and_tells_types_apart():
    asked: list = []

    def test(v):
        asked.append(v)
        return v is True or v == dt.date(2026, 1, 1)

    values = [True, 1, None, dt.date(2026, 1, 1), True, 1.0, dt.date(2026, 1, 1), "x", None]
    assert passing(values, test) == [0, 3, 4, 6]
    assert sorted(map(repr, asked)) == sorted(map(repr, [True, 1, None, dt.date(2026, 1, 1), 1.0, "x"]))


def test_records_filled_are_the_rows_with_any_of_the_columns(checked):
    keys = ("churn_reason", "churn_call", "churn_result")
    want = [r for r in records(checked, "service_callback") if any(r[k] is not None for k in keys)]
    got = list(records_filled(checked, "service_callback", keys))
    assert want and len(want) < sum(len(c.table.rows) for c in checked if c.kind == "service_callback")
    assert [{k: v for k, v in r.items() if k != RAW} for r in got] == [{k: v for k, v in r.items() if k != RAW}
                                                                      for r in want]
    assert list(records_filled(checked, "service_callback", ("no_such_column",))) == []


def test_passing_by_value_when_no_column_mixes_numbers():
    asked: list = []

    def test(v):
        asked.append(v)
        return v is not None and v >= dt.date(2026, 1, 2)

    days = [dt.date(2026, 1, d % 3 + 1) for d in range(30)] + [None] * 5
    assert passing(days, test) == [i for i, d in enumerate(days) if d is not None and d >= dt.date(2026, 1, 2)]
    assert len(asked) == 4  # three days and None, once each
    nan = float("nan")
    assert passing([nan, 1.5, nan, float("nan")], lambda v: v != v) == [0, 2, 3]  # NaN is not equal to itself
