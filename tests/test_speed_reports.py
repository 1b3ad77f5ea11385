"""The fast paths of ``report`` (issue 19) give exactly what the plain ones do: records built in
C against a row-by-row reading, the indexes shared within a run against each report building
its own, the cached style indexes against openpyxl's descriptors, and the collector paused and
resumed."""

from __future__ import annotations

import datetime as dt
import gc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from benchmarks.data import _write_report_set
from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.render import reports as render
from xl_dealer.reports import build_report, deals, names
from xl_dealer.reports.common import (
    RAW,
    SOURCE,
    gc_paused,
    records,
    records_at,
    records_where,
    sharing,
)
from xl_dealer.reports.customers import members
from xl_dealer.reports.deliveries import sold_cars
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A small store of every kind (the report benchmark's generator): each report has rows."""
    d = tmp_path_factory.mktemp("store")
    _write_report_set(d, 400, 3)
    return validate([d], as_of=AS_OF, config=Config()).checked


def _plain_records(checked: list, kind: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    keys = fields if fields is not None else [f.key for f in KINDS[kind].fields]
    out = []
    for c in checked:
        if c.kind != kind:
            continue
        t = c.table
        for i, excel_row in enumerate(t.rows):
            r = {k: c.col(k)[i] for k in keys}
            r[SOURCE] = (t.path, t.sheet, excel_row)
            out.append(r)
    return out


def test_records_are_the_rows_read_one_by_one(checked):
    kinds = {c.kind for c in checked}
    assert {"registration", "followup_log", "service_callback", "customer_file"} <= kinds
    for kind in kinds:
        for fields in (None, ["phone", "date", "no_such_field"]):
            fast = list(records(checked, kind, fields))
            assert [{k: v for k, v in r.items() if k != RAW} for r in fast] == _plain_records(checked, kind, fields)
            assert all(list(r)[-2:] == [SOURCE, RAW] for r in fast)  # the keys in the same order too
    # the raw cells, looked up on demand, are the table's
    c = next(c for c in checked if c.kind == "service_callback")
    raw_key = next(k for k, col in c.table.raw.items() if any(v is not None for v in col))
    got = [r[RAW].get(raw_key) for r in records(checked, "service_callback") if r[SOURCE][0] == c.table.path]
    assert got[:len(c.table.raw[raw_key])] == list(c.table.raw[raw_key])
    assert next(records(checked, "service_callback"))[RAW].get("no_such_column") is None


def test_records_where_are_the_records_that_pass(checked):
    for kind, key in (("registration", "date"), ("followup_log", "date"), ("service_callback", "called"),
                      ("followup_card", "status")):
        values = [v for c in checked if c.kind == kind for v in c.col(key)]
        pick = next(v for v in values if v is not None)
        for test in (lambda v, pick=pick: v == pick, lambda v: v is None, lambda v: True):
            for fields in (None, ["phone", key]):
                want = [r for r in records(checked, kind, fields) if test(r.get(key) if fields is None or key in fields
                                                                           else None)]
                got = list(records_where(checked, kind, key, test, fields))
                assert got or test(None)  # the picked value and "every row" do find rows
                assert [{k: v for k, v in r.items() if k != RAW} for r in got] == \
                    [{k: v for k, v in r.items() if k != RAW} for r in want]
                assert [tuple(r[RAW]) for r in got] == [tuple(r[RAW]) for r in want]


def test_records_at_any_rows_are_those_rows_records(checked):
    # picked a column at a time (itemgetter): no row, one, several out of order, one twice
    c = next(c for c in checked if c.kind == "service_callback")
    n = len(c.table.rows)
    fields = ["phone", "called", "no_such_field"]
    every = [r for r in records(checked, "service_callback", fields) if r[SOURCE][:2] == (c.table.path, c.table.sheet)]
    for rows in ([], [0], [n - 1], [3, 1, 2], [5, 5], list(range(0, n, 7))):
        got = list(records_at(c, rows, fields))
        assert [{k: v for k, v in r.items() if k != RAW} for r in got] == \
            [{k: v for k, v in every[i].items() if k != RAW} for i in rows]
        assert [tuple(r[RAW]) for r in got] == [tuple(every[i][RAW]) for i in rows]
        assert all(list(r) == [*fields, SOURCE, RAW] for r in got)
    if n > 1:
        a, b = records_at(c, [0, 0], fields)
        assert a == b and a is not b  # each row its own dict: a builder may change one


def test_records_where_several_columns(checked):
    def either(v: tuple) -> bool:
        return v[0] is not None or v[1] is not None

    fields = ["comment", "churn_result", "phone"]
    want = [r for r in records(checked, "service_callback", fields) if either((r["comment"], r["churn_result"]))]
    got = list(records_where(checked, "service_callback", ("comment", "churn_result"), either, fields))
    assert got and len(got) < sum(len(c.table.rows) for c in checked if c.kind == "service_callback")
    assert [{k: v for k, v in r.items() if k != RAW} for r in got] == [{k: v for k, v in r.items() if k != RAW}
                                                                      for r in want]


def test_records_refuse_a_column_of_another_length(checked):
    c = next(c for c in checked if c.kind == "registration")
    saved = c.values["phone"]
    c.values["phone"] = saved[:-1]
    try:
        with pytest.raises(ValueError):
            list(records(checked, "registration", ["phone"]))
        with pytest.raises(ValueError):
            list(records_where(checked, "registration", "date", lambda d: True, ["phone"]))
    finally:
        c.values["phone"] = saved


def test_shared_indexes_are_built_once_inside_a_run_only(checked):
    config, other = Config(), Config()
    assert deals.collect(checked, config) is not deals.collect(checked, config)  # no run open: fresh each time
    with sharing():
        once = deals.collect(checked, config)
        assert deals.collect(checked, config) is once
        assert deals.collect(checked, other) is not once  # another config is another index
        assert deals.collect(checked[:-1], config) is not once  # and other tables too
        assert sold_cars(checked, config=config) is sold_cars(checked, config=config)  # by keyword too
        assert members(checked) is members(checked)
        with sharing():  # nested: the same run
            assert deals.collect(checked, config) is once
    with sharing():
        assert deals.collect(checked, config) is not once  # a new run starts empty


def test_report_all_shared_is_each_report_on_its_own(checked):
    config = Config()
    alone = [build_report(n, checked, as_of=AS_OF, config=config).to_json() for n in names("all")]
    with sharing():
        together = [build_report(n, checked, as_of=AS_OF, config=config).to_json() for n in names("all")]
    assert together == alone
    assert any(t["tables"].get("lost") for t in alone)  # churn's list (which calls reads too) is not empty


def _descriptor_set(self, cell, font=None, fill=None, border=None, alignment=None) -> None:
    """What the cache stands for: openpyxl's own descriptors, a hash per cell."""
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml: the time written


def test_cached_style_indexes_write_the_file_the_descriptors_write(checked, tmp_path, monkeypatch):
    config = Config()
    reports = [build_report(n, checked, as_of=AS_OF, config=config) for n in names("all")]
    fast = render.save_reports(reports, tmp_path / "fast.xlsx")
    monkeypatch.setattr(render._Styles, "set", _descriptor_set)
    plain = render.save_reports(reports, tmp_path / "plain.xlsx")
    a, b = _parts(fast), _parts(plain)
    assert a == b
    assert b"wrapText" in a["xl/styles.xml"] and b'style="double"' in a["xl/styles.xml"]


def test_the_collector_is_paused_and_resumed():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not resume it early
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()
