"""``DEALER_CHECK_ROW``'s fast path: one data row under a header, the same findings as
``grid.check_rows([header, row])`` without rebuilding the sheet for every call.

Excel calls the function once per row, thousands of times with the same header. What depends
only on (header, config, as-of day) is worked out once, in a ``Plan``: the kind, which column
is which field, the values the form fills in, each field's normaliser. What depends on one cell
is worked out once per (column, value) and kept (``CellFact``): its normalised value and
whether it could change how the sheet is read or give a per-cell finding. A row is then the
memo lookups of its cells plus the rules that look at several cells, run as they are (the same
code ``check_tables`` runs) on a prepared one-row table.

Exact, not approximate: any row this path cannot vouch for is refused (``None``) and checked
the full way. Refused are rows with texts some kind knows as headers (enough for the row to
outrank the header row) or equal to their own headers (enough for a repeated header), a
合计/小计 label, rows whose mapped cells are all blank (dropped as blank), and
whole headers the full way reads differently from row to row: no known kind, a range column
(在店时段), a date-or-time column the values decide.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, call, itemgetter
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding
from xl_dealer.model.schema import Field, FieldType, Kind
from xl_dealer.read.header import (
    AliasIndex,
    _blank,
    classify,
    header_key,
    map_columns,
    two_row_header,
)
from xl_dealer.read.table import _TOTAL_FIRST, Table, _empty, _is_total_text, build_table
from xl_dealer.read.values import ERROR_VALUES, Result, to_text, to_words
from xl_dealer.rules import check_run, table_rules
from xl_dealer.rules.base import Emitter
from xl_dealer.rules.fields import (
    BATCH,
    ONE,
    _emit,
    _fill,
    check_columns,
    complete_fields,
    normaliser,
)

_CLS, _EMPTY = attrgetter("cls"), attrgetter("empty")


class _Missing:
    """No value's type: what a column's memo gives for a value it does not have."""

    cls = None


_MISSING = _Missing()
_MEMO_LIMIT = 200_000  # cells kept per plan; a sheet of unique names and phones stays far below
# the types Excel hands over but bool (True == 1.0): no value of one equals a value of another
_PLAIN = frozenset({str, float, type(None), dt.datetime, dt.date, dt.time})


@dataclass(slots=True, eq=False)  # compared by identity: ``None in facts`` stays cheap
class CellFact:
    """One cell value in one column: ``ok`` when it is no 合计 label (whose row is dropped);
    ``empty`` as blank-row detection sees it; ``values`` the normalised value for each field the
    column holds (in ``Plan.fields_at`` order) and ``problems`` what each breaks (or None);
    ``text`` when header detection counts
    it (a non-blank text). ``known`` (a text some kind has as a header) and ``own`` (equal to
    its column's header) are worked out only when a row has enough texts for them to matter."""

    ok: bool
    empty: bool
    values: tuple[Any, ...]
    problems: tuple[str | None, ...] | None  # None when every field's value is fine
    quiet: bool  # no finding on this cell alone: no problem, not a blank required cell, no day after as-of
    text: bool
    cls: type  # the value's type: a column's memo is keyed by value, and True == 1 == 1.0
    blank: bool = False  # blank where its field may be required (whether it is depends on the row)
    known: bool | None = None
    own: bool = False
    # 0: quiet, no 合计, and not a text that could make the row read differently; 1: the same but a
    # text not looked at yet (known is None); 4: as 0 but with findings of its own (a value its
    # field refuses, a day after as-of), the same in any row; 2: anything else
    state: int = 2

    def settle(self) -> None:
        self.state = _state(self.ok, self.quiet, self.blank, self.text, self.known, self.own)


def _state(ok: bool, quiet: bool, blank: bool, text: bool, known: bool | None, own: bool) -> int:
    if not ok or blank:
        return 2
    if not text or (known is False and not own):
        return 0 if quiet else 4
    return 1 if known is None and quiet else 2


def _reason(value: Any, problem: str | None, must: bool, past: bool, as_of: dt.date) -> int:
    """Why one field's value gives a finding on its cell: 0 it does not, 1 a finding of the
    cell's own (a problem, a day after as-of), 2 it is blank where the field may be required."""
    if problem is not None:
        return 1
    if value is None:
        return 2 if must else 0
    return 1 if past and value > as_of else 0


class Plan:
    """Everything about checking a row under one header that does not depend on the row."""

    def __init__(self, header: list[Any], kind: Kind, template: Table, unmapped_cols: dict[str, int],
                 index: AliasIndex, config: Config, as_of: dt.date) -> None:
        self.header = header
        self.kind = kind
        self.template = template
        self.index = index
        self.config = config
        self.as_of = as_of
        self.width = len(header)
        self.columns = template.columns
        # column → the fields it holds (a column may hold two), their header keys and normalisers
        self.fields_at: dict[int, list[str]] = {}
        for key, c in template.columns.items():
            self.fields_at.setdefault(c, []).append(key)
        self.mapped_cols = sorted(self.fields_at)
        cols = self.mapped_cols or [0]
        self.mapped_of = (lambda facts: (facts[cols[0]],)) if len(cols) == 1 else itemgetter(*cols)
        self.keys = {key: header_key(template.headers[key]) for key in template.columns}
        self.normalise: dict[str, Callable[[Any], Result]] = {
            key: self._normaliser(kind.field(key)) for key in template.columns}
        self.unmapped_cols = list(unmapped_cols.items())  # as build_table keeps their first values
        self.memo: dict[tuple[int, type, Any], CellFact] = {}  # other cells, the type in the key
        # by column, by value: cells of the _PLAIN types only, which never equal one another, so a
        # hit is of the cell's own type. ``states``: each value's state from the first time the
        # column shows it (a small int, for the quiet row); ``memos``: its fact from the second
        self.memos: list[dict[Any, CellFact]] = [{} for _ in range(self.width)]
        self.states: list[dict[Any, int]] = [{} for _ in range(self.width)]
        # a quiet row's answer but for cells with findings of their own (state 4), by those cells
        self.answers: dict[tuple[tuple[int, ...], tuple[Any, ...]], tuple[Finding, ...]] = {}
        self.kept = 0  # entries in states, memo and answers (memos holds values states has)
        self.gets = [m.get for m in self.states]  # states are emptied, never replaced
        fields = {key: kind.field(key) for key in template.columns}
        # what _required and _future look at in one cell (conservatively: any condition may hold)
        self.must_have = {k for k, f in fields.items() if f.required or f.required_when}
        self.past_dates = {k for k, f in fields.items() if f.type is FieldType.DATE and f.past}
        self.filled_values, said = _sheet_level(template, config, as_of)
        # a kind whose rules over several cells of one row have a silence test, and a header
        # without findings of its own (a missing or doubled column, a bad value in the title)
        self.where = {k: (c, fs.index(k)) for c, fs in self.fields_at.items() for k in fs}
        # column → (field, normaliser, required, a day not after as-of) for each field it holds
        self.steps = {c: tuple((k, self.normalise[k], k in self.must_have, k in self.past_dates) for k in fs)
                      for c, fs in self.fields_at.items()}
        # the same for a cell of a _PLAIN type (Plan.state's), its normalisers without the bool test
        self.steps_at = [tuple((k, self._normaliser(fields[k], plain=True), m, p) for k, _n, m, p in self.steps.get(c, ()))
                         for c in range(self.width)]
        self.first_mapped = self.mapped_cols[0] if self.mapped_cols else 0
        # the header row's score in classify (fields mapped), and a repeated header's count
        texts = [v for v in header if isinstance(v, str) and v.strip()]
        hit = index.row_kind(tuple(t for t in texts if index.known(t)))
        self.outrank = hit[0][0] if hit else 0
        # a blank header cell right of a text may be a merged group's: a row of texts under it
        # may then be the header's lower row (read.header.two_row_header), which the full way reads
        first = next((i for i, v in enumerate(header) if not _blank(v)), len(header))
        self.grouped = any(map(_blank, header[first:]))
        self.need = max(2, len(template.columns) // 2)
        if self.need > len(template.columns):
            self.need = 1 << 30  # _header_again_rows never fires
        # fewer texts not looked at than this cannot reach either (2 × unsure < outrank, unsure < need)
        self.unsure = min((self.outrank + 1) // 2, self.need)
        make = None if said else SILENT.get(kind.key)
        self.silent: Callable[[list[Any], list[int]], bool] | None = None if make is None else make(self)

    def getter(self, key: str) -> Callable[[list[Any], list[int]], Any]:
        """``Checked.col(key)[0]`` before the kind derives its values, as a function of the row's
        cells (and ``fresh``, the columns whose value it shows first: their facts are not
        kept): the cell's normalised value, a value the form fills in, or None."""
        at = self.where.get(key)
        if at is None:
            filled = self.filled_values.get(key)
            return lambda cells, fresh: filled
        c, j = at
        memo, row_fact = self.memos[c], self.row_fact  # memos are emptied, never replaced

        def value(cells: list[Any], fresh: list[int]) -> Any:
            f = memo.get(cells[c])
            if f is None or f.cls is not cells[c].__class__:
                f = row_fact(c, cells[c], fresh)
            return f.values[j]

        return value

    def _normaliser(self, f: Field, plain: bool = False) -> Callable[[Any], Result]:
        """What ``check_fields`` does to a column of this one cell: a score column's scale is
        read from the column (the cell itself); a column holding a bool goes cell by cell, any
        other through the normaliser's batch form when it has one. ``plain``: for a cell of a
        _PLAIN type, never a bool."""
        config, year, as_of = self.config, self.template.year, self.as_of
        if f.type is FieldType.SCORE:
            return lambda v: normaliser(f, config, year, [v], as_of)(v)
        fn = normaliser(f, config, year, [], as_of)
        if fn is to_text or fn is to_words:
            return fn  # the batch forms are these value by value (tests/test_check_row_fast.py holds them to that)
        one = ONE.get(fn)  # type: ignore[call-overload]
        if one is not None:
            return one if plain else lambda v: fn(v) if v.__class__ is bool else one(v)
        batch = BATCH.get(fn)  # type: ignore[call-overload]
        if batch is None:
            return fn
        if plain:
            return lambda v: batch({v})[v]
        return lambda v: fn(v) if v.__class__ is bool else batch({v})[v]

    def fact(self, c: int, v: Any) -> CellFact:
        """The facts of value ``v`` in column ``c``, kept from the second time the column shows an
        equal value: a row's unique name or phone is worked out and let go (kept, the many
        objects of a sheet of unique values cost more in Python's garbage collection than they
        save); its state is kept from the first."""
        plain = v.__class__ in _PLAIN and c < self.width
        if plain:
            hit = self.memos[c].get(v)
            if hit is not None:
                return hit
        else:
            key = (c, v.__class__, v)  # the type in the key: True, 1 and 1.0 are one dict key otherwise
            hit = self.memo.get(key)
            if hit is not None:
                return hit
        hit = self._fact(c, v)
        if v.__class__ is float and v == 0:
            return hit  # 0.0 and -0.0 are one key and may read differently: not kept
        if plain:
            states = self.states[c]
            if v not in states:
                self._room()
                states[v] = hit.state
                return hit
            self.memos[c][v] = hit
            if hit.text and hit.ok and not hit.quiet and not hit.blank:
                self.resolve(c, v, hit)  # a wrong text met again (路人): state 4 once it is known to be no header
            states[v] = hit.state
        else:
            self._room()
            self.memo[key] = hit
        return hit

    def state(self, c: int, v: Any) -> int:
        """The state of a _PLAIN value column ``c`` has not shown before, as its fact would have
        it (``_fact``, without building one: a quiet row of unique names and phones needs no
        more), kept. The tests hold the two to the same answer."""
        text = False
        if v.__class__ is str:
            s = v.strip()
            if s:
                if s[0] in _TOTAL_FIRST and _is_total_text(v, c >= 6):
                    return 2  # a 合计 row: not kept, it goes the full way once
                text = True
        why = 0
        for _key, normalise, must, past in self.steps_at[c]:
            value, problem = normalise(v)
            why |= _reason(value, problem, must, past, self.as_of)
        # _state(True, not why, why & 2, text, None, False), spelt out: a call a new value costs 2%
        state = 2 if why & 2 else (2 if why else 1) if text else 4 if why else 0
        if v.__class__ is not float or v != 0:
            self._room()
            self.states[c][v] = state
        return state

    def _room(self) -> None:
        """Count one more value kept (a state, or a fact of no _PLAIN type)."""
        self.kept += 1
        if self.kept > _MEMO_LIMIT:
            self._let_go()

    def _let_go(self) -> None:
        """Everything kept let go: a plan keeps at most _MEMO_LIMIT values (a sheet of unique ones)."""
        self.kept = 1
        self.memo.clear()
        self.answers.clear()
        for m in (*self.memos, *self.states):
            m.clear()

    def row_fact(self, c: int, v: Any, fresh: list[int]) -> CellFact:
        """``fact``, but not kept for a value its row shows first (its column in ``fresh``)."""
        return self._fact(c, v) if c in fresh else self.fact(c, v)

    def _fact(self, c: int, v: Any) -> CellFact:
        if v.__class__ is str:
            text = bool(v.strip())
            empty = not text or v in ERROR_VALUES  # as _empty
            ok = not _is_total_text(v, c >= 6)  # a 合计 row is dropped
        else:  # a str of another class (numpy's) is a text for header detection, as before
            text, empty, ok = isinstance(v, str) and bool(v.strip()), v is None, True
        steps = self.steps.get(c, ())
        if len(steps) == 1:  # the common column: one field
            _key, normalise, must, past = steps[0]
            value, problem = normalise(v)
            why = _reason(value, problem, must, past, self.as_of)
            values: tuple[Any, ...] = (value,)
            problems: tuple[str | None, ...] | None = None if problem is None else (problem,)
        else:  # a column holding two fields (or none)
            got = [normalise(v) for _key, normalise, _must, _past in steps]
            values, problems = tuple(x for x, _ in got), tuple(p for _, p in got)
            if all(p is None for p in problems):
                problems = None
            why = 0
            for (_key, _normalise, must, past), (value, problem) in zip(steps, got, strict=True):
                why |= _reason(value, problem, must, past, self.as_of)
        quiet, blank = ok and not why, bool(why & 2)
        # a new fact's state as settle() gives it: known is not looked at yet
        return CellFact(ok, empty, values, problems, quiet, text, v.__class__, blank,
                        state=_state(ok, quiet, blank, text, None, False))

    def resolve(self, c: int, v: Any, f: CellFact) -> None:
        """``known`` and ``own`` of a text cell, as classify and _header_again_rows see it."""
        f.known = self.index.known(v)
        f.own = v.__class__ is str and any(header_key(v) == self.keys[k] for k in self.fields_at.get(c, ()))
        f.settle()
        if c < self.width and self.memos[c].get(v) is f:
            self.states[c][v] = f.state

    def reads_differently(self, texts: list[tuple[int, Any, CellFact]]) -> bool:
        """Could these text cells of a row change how the sheet is read? Header detection takes
        the row for the header only if it maps more fields than the header row (``row_kind``'s
        score), and a text maps at most two (both ends of a range); a row is a repeated header
        when ``need`` of its mapped cells equal their headers. Only when the texts not yet
        looked at could reach either count are they looked at (a row's unique names rarely)."""
        unsure = [t for t in texts if t[2].known is None]
        known = sum(1 for t in texts if t[2].known)
        own = sum(1 for t in texts if t[2].own)
        if 2 * (known + len(unsure)) < self.outrank and own + len(unsure) < self.need:
            return False
        for c, v, f in unsure:
            self.resolve(c, v, f)
        known = sum(1 for t in texts if t[2].known)
        own = sum(1 for t in texts if t[2].own)
        return 2 * known >= self.outrank or own >= self.need


def _sheet_level(template: Table, config: Config, as_of: dt.date) -> tuple[dict[str, Any], bool]:
    """The normalised values the form fills in, and whether the header itself gives a finding
    (check_columns and _fill on a one-row table: neither looks at the row's cells unless it
    does give one, a missing column's hint naming the values under the other headers)."""
    em = Emitter(config, as_of)
    one = Table(template.path, template.sheet, template.kind, template.header_row, template.columns,
                template.headers, template.unmapped, [template.header_row + 1], {}, template.duplicates, {},
                template.year, template.filled, {}, {})
    check_columns(one, em)
    filled = {key: _fill(one, key, fill, config, em)[0] for key, fill in one.filled.items()}
    return filled, bool(em.findings)


def _registration_silent(plan: Plan) -> Callable[[list[Any], list[int]], bool]:
    """No rule of the visitor log fires on this one row, its cells being quiet: the rules of
    several cells in ``check_registration`` are the time order (离店 before 来店), a phone
    left without 是否建卡 = yes, and duplicates (two rows, never one). The rules across
    workbooks need another kind's sheet and return at once; the derived 未留电话 only feeds
    conditions of required cells, and no required cell is blank here."""
    arrive, leave = plan.getter("arrive_time"), plan.getter("leave_time")
    card = plan.getter("card") if "card" in plan.where or "card" in plan.filled_values else None
    phone = plan.getter("phone")
    time = dt.time

    def silent(cells: list[Any], fresh: list[int]) -> bool:
        a, b = arrive(cells, fresh), leave(cells, fresh)
        if a is not None and b is not None:
            if not (a.__class__ is time and b.__class__ is time and a.tzinfo is None and b.tzinfo is None
                    and not b < a):
                return False
        if card is not None and card(cells, fresh) is not True:
            return phone(cells, fresh) is None
        return True

    return silent


# kind → what makes a plan's test that no rule over several cells fires on one quiet row (the
# other kinds run the rules)
SILENT: dict[str, Callable[[Plan], Callable[[list[Any], list[int]], bool]]] = {"registration": _registration_silent}


_PLANS: dict[tuple[int, tuple[Any, ...], dt.date], tuple[Config, Plan | None]] = {}


_LAST: list[Any] = [None, None, None, None]  # the last call's config, header, as-of day and plan


def plan_for(header: list[Any], config: Config, as_of: dt.date,
             index: AliasIndex | Callable[[Config], AliasIndex]) -> Plan | None:
    """The plan of this header, made once; None when rows under it must go the full way.
    ``index``: the config's alias index, or what gives it (asked only to make a plan). The
    last plan is kept apart: Excel calls row after row under one header, and comparing the
    header's cells costs less than hashing them."""
    last = _LAST
    if last[0] is config and last[2] == as_of and last[1] == header:
        return last[3]
    try:
        key = (id(config), tuple(header), as_of)
        hit = _PLANS.get(key)
    except TypeError:  # an unhashable cell: no plan
        return None
    if hit is None or hit[0] is not config:
        if len(_PLANS) > 64:
            _PLANS.clear()
        if not isinstance(index, AliasIndex):
            index = index(config)
        hit = _PLANS[key] = (config, _make_plan(header, config, as_of, index))
    last[:] = config, list(header), as_of, hit[1]
    return hit[1]


def _make_plan(header: list[Any], config: Config, as_of: dt.date, index: AliasIndex) -> Plan | None:
    found = classify([header], index, config.header_search_rows)
    if found is None:
        return None  # not a header on its own: perhaps the row is one (the full way decides)
    kind, _ = found
    looked = [False]

    def sample(c: int) -> Sequence[Any]:
        looked[0] = True
        return (None,)

    m = map_columns(kind, header, index, sample)
    if looked[0] or m.spans:
        return None  # the mapping depends on the values, or a column is split per row
    # the table of an empty body: everything of a Table that no row changes
    template = build_table("", "", kind, [header], 0, lambda c: (), index, width=len(header))
    if template.columns != m.columns or template.unmapped != m.unmapped:
        return None
    return Plan(header, kind, template, m.unmapped_cols, index, config, as_of)


def check_row(plan: Plan, row: list[Any]) -> list[Finding] | None:
    """The findings of ``row`` under the plan's header, sorted as ``check_rows`` sorts them; None
    when the row must be checked the full way."""
    width = plan.width
    n = len(row)
    cells = row if n >= width else [*row, *([None] * (width - n))]
    if plan.grouped and all(v is None or isinstance(v, str) for v in cells) and two_row_header(
            plan.kind, [plan.header, cells], 0, plan.index) is not None:
        return None  # the header's lower row, as the full way reads it
    fresh: list[int] = []  # columns whose value this row shows first
    # the common row, a clerk's clean one, in C: one lookup a cell gives its state; the type
    # test first keeps True from finding the state of 1.0 (an unhashable cell is no _PLAIN type)
    if n <= width and plan.silent is not None and _PLAIN.issuperset(map(type, cells)):
        states: list[Any] = list(map(call, plan.gets, cells))  # None: a value not kept
        misses = states.count(None)
        if misses:
            state, c = plan.state, -1
            for _ in range(misses):
                c = states.index(None, c + 1)
                states[c] = state(c, cells[c])
                fresh.append(c)
        # few texts not looked at yet (a row's unique names) cannot make the row read differently
        v = cells[plan.first_mapped]  # a number or day there: not a blank row
        if 2 not in states and (v is not None and v.__class__ is not str or not all(map(_empty, plan.mapped_of(cells)))):
            if states.count(1) < plan.unsure and plan.silent(cells, fresh):
                return _alone(plan, cells, states, fresh) if 4 in states else []
    return _full(plan, cells, fresh)


def _alone(plan: Plan, cells: list[Any], states: list[int], fresh: list[int]) -> list[Finding] | None:
    """A row quiet but for cells whose findings are their own (state 4: a phone of ten digits,
    a source not in the list) and on which no rule over several cells fires: its findings are
    those cells', the same in every such row, so they are worked out once (the full way, on
    the first such row) and kept by the cells' columns and values."""
    cols = tuple(compress(range(len(states)), map((4).__eq__, states)))
    values = tuple(map(cells.__getitem__, cols))
    if any(v.__class__ is float and v == 0 for v in values):
        return _full(plan, cells, fresh)  # 0.0 and -0.0 are one key and may read differently
    key = (cols, values)
    hit = plan.answers.get(key)
    if hit is None:
        found = _full(plan, cells, fresh)
        if found is None:
            return None
        plan._room()
        hit = plan.answers[key] = tuple(found)
    return list(hit)


def _full(plan: Plan, cells: list[Any], fresh: list[int]) -> list[Finding] | None:
    """check_row for any row: the facts of every cell (``fresh``: the columns whose value the
    row shows first, their states kept already and their facts not to be)."""
    width = plan.width
    memos = plan.memos
    try:
        facts: list[Any] = list(map(dict.get, memos, cells, repeat(_MISSING)))
        misses = list(map(operator.is_not, map(type, cells), map(_CLS, facts)))
        if True in misses:
            for c in compress(range(width), misses):
                facts[c] = plan.row_fact(c, cells[c], fresh)
        extra = [(c, v, plan.fact(c, v)) for c, v in enumerate(cells[width:], width) if v is not None]
    except TypeError:  # an unhashable cell: the full way says what it makes of it
        return None
    if all(map(_EMPTY, plan.mapped_of(facts))):
        return None  # dropped as a blank row: the full way says what an empty sheet gives
    if not all(f.ok for f in facts) or not all(f.ok for *_, f in extra):
        return None  # a 合计 row
    texts = [(c, cells[c], f) for c, f in enumerate(facts) if f.text and (f.known is None or f.known or f.own)]
    texts += [t for t in extra if t[2].text]
    if texts and plan.reads_differently(texts):
        return None
    if (plan.silent is not None and not extra and all(f.quiet for f in facts)
            and plan.silent(cells, fresh)):
        return []
    mapped = plan.fields_at
    t0 = plan.template
    raw: dict[str, list[Any]] = {}
    values: dict[str, list[Any]] = {}
    problems: dict[str, str] = {}
    for c in plan.mapped_cols:
        f = facts[c]
        for j, k in enumerate(mapped[c]):
            raw[k] = [cells[c]]
            values[k] = [f.values[j]]
            if f.problems is not None and f.problems[j] is not None:
                problems[k] = f.problems[j]
    order = t0.columns  # the columns' order, as check_fields keeps it
    values = {k: values[k] for k in order}
    raw = {k: raw[k] for k in order}
    samples = {text: [] if (v := cells[c]) in (None, "") else [v] for text, c in plan.unmapped_cols}
    t = Table(t0.path, t0.sheet, t0.kind, t0.header_row, t0.columns, t0.headers, t0.unmapped, [t0.header_row + 1],
              raw, t0.duplicates, {}, t0.year, t0.filled, samples, {})
    return _check(t, values, problems, plan.config, plan.as_of)


def _check(t: Table, values: dict[str, list[Any]], problems: dict[str, str], config: Config,
           as_of: dt.date) -> list[Finding]:
    """``check_tables([t])`` for a one-row table whose cells are already normalised (``problems``:
    what a cell broke, by field): the same rules in the same order (``check_table``,
    ``check_fields``), the per-cell findings told by check_fields' own ``_emit``."""
    em = Emitter(config, as_of)
    check_columns(t, em)
    bad: dict[str, set[int]] = {}
    kind = t.kind
    for key, col in t.columns.items():
        if key in problems:
            bad[key] = _emit(t, key, col, kind.field(key), config, em, t.raw[key], values[key], {0: problems[key]})
        else:
            bad[key] = set()
    c = complete_fields(t, values, bad, config, em)
    table_rules(c, config, em)
    check_run([c], config, em)
    em.findings.sort(key=Finding.sort_key)
    return em.findings
