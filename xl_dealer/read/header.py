"""Header rows: which row is the header, which column is which field, which kind a sheet is.

Headers are compared after folding (full-width, stars, spaces, line breaks) and go
through each field's aliases plus any a store adds in ``dealer.toml``; which column is
which field is decided for the whole header row at once (``map_columns``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.schema import Field, FieldType, Kind, Span
from xl_dealer.read.values import fold, is_datetime_text, to_date, to_time

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")


@lru_cache(maxsize=16384)
def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """Header text as compared: half-width, lower case, without spaces, line breaks, colons and
    the marks a form puts on a required column (*, ★, ※, ▲, (必填))."""
    return _HEADER_NOISE.sub("", fold(text)).lower()


_HEADER_NOISE = re.compile(r"[\s*＊:：★☆※▲△●◆■]|[(（]?(?:非必填|必填|选填|必录|可选)[)）]?")


class AliasIndex:
    """header_key → the fields a header may name, for each kind: the declared headers and
    aliases (shared ones from the vocabulary included) plus the store's own from ``dealer.toml``."""

    def __init__(self, config: Config, kinds: Iterable[Kind] | None = None) -> None:
        self.kinds = list(kinds or KINDS.values())
        self.by_kind: dict[str, dict[str, list[tuple[str, int]]]] = {}
        self.spans: dict[str, dict[str, Span]] = {}
        for kind in self.kinds:
            table: dict[str, list[tuple[str, int]]] = {}
            for f in kind.fields:
                names = [(f.header, EXACT), *((a, ALIAS) for a in (*f.aliases, *config.aliases_of(kind.key, f.key)))]
                for name, strength in names:
                    hits = table.setdefault(header_key(name), [])
                    if all(k != f.key for k, _ in hits):
                        hits.append((f.key, strength))
            self.by_kind[kind.key] = table
            self.spans[kind.key] = {header_key(n): sp for sp in kind.spans for n in sp.names}
        # (kind, text) → names(): header detection asks it for every text of the first rows of
        # every sheet, and DEALER_CHECK_ROW once a call for the same header
        self._names: dict[tuple[str, str], frozenset[str]] = {}
        # every header key any kind knows: a text whose key is not here names nothing anywhere
        self._keys = frozenset(k for t in self.by_kind.values() for k in t) | frozenset(
            k for sp in self.spans.values() for k in sp)
        self._known: dict[str, bool] = {}
        self._rows: dict[tuple[str, ...], Any] = {}
        # (kind, header row) → its Mapping, when the values below did not decide it
        self._mappings: dict[tuple[str, tuple[Any, ...]], Mapping] = {}

    def candidates(self, kind: Kind, text: str) -> list[tuple[str, int]]:
        """The fields ``text`` may name, each with how strongly (the field's own header, an
        alias, a name with a bracketed note: 喷漆质量（钣喷）)."""
        table = self.by_kind[kind.key]
        k = header_key(text)
        hit = table.get(k)
        if hit is None and ("(" in k or "[" in k or "【" in k):
            hit = table.get(_BRACKETED.sub("", k))
            if hit:
                return [(f, s - 1) for f, s in hit]
        return hit or []

    def span(self, kind: Kind, text: str) -> Span | None:
        """The range a header holds (在店时段 → 来店时间 and 离店时间), if it is one."""
        spans = self.spans[kind.key]
        if not spans:
            return None
        k = header_key(text)
        return spans.get(k) or spans.get(_BRACKETED.sub("", k))

    def lookup(self, kind: Kind, text: str) -> str | None:
        """The field ``text`` names best on its own (no other columns or values looked at)."""
        cands = self.candidates(kind, text)
        if not cands:
            span = self.span(kind, text)
            return span.start if span else None
        wants = _wants(header_key(text))
        return max(cands, key=lambda c: (c[1] + _pref(kind.field(c[0]), wants, None), -cands.index(c)))[0]

    def known(self, text: str) -> bool:
        """Could ``text`` name a field of any kind? (Its header key, or that without a bracketed
        note, is some kind's.) The data rows among a sheet's first rows are mostly not."""
        hit = self._known.get(text)
        if hit is None:
            if len(self._known) > 65536:
                self._known.clear()
            k = header_key(text)
            hit = self._known[text] = k in self._keys or (
                ("(" in k or "[" in k or "【" in k) and _BRACKETED.sub("", k) in self._keys)
        return hit

    def row_kind(self, texts: tuple[str, ...]) -> tuple[tuple[int, float], Kind] | None:
        """The best (score, kind) a row of these header texts is a header of (``classify``),
        kept per row: the same header row is asked about for every sheet or checked row."""
        hit = self._rows.get(texts, False)
        if hit is False:
            hit = None
            if texts:
                for kind in self.kinds:
                    score = self.kind_score(kind, texts)
                    if score is not None and (hit is None or score > hit[0]):
                        hit = (score, kind)
            if len(self._rows) > 4096:
                self._rows.clear()
            self._rows[texts] = hit
        return hit

    def kind_score(self, kind: Kind, texts: Iterable[str]) -> tuple[int, float] | None:
        """How well header texts fit ``kind`` (``classify``'s score), None when not convincing:
        fewer than 3 of its fields, or under half of its required ones."""
        mapped = {k for t in texts for k in self.names(kind, t)}
        if len(mapped) < 3:
            return None
        score = _score(kind, mapped)
        return score if score[1] >= 0.5 else None

    def names(self, kind: Kind, text: str) -> frozenset[str]:
        """Every field ``text`` would fill on its own: one, or both ends of a range."""
        k = (kind.key, text)
        hit = self._names.get(k)
        if hit is None:
            if len(self._names) > 65536:
                self._names.clear()
            hit = self._names[k] = frozenset(self._names_of(kind, text))
        return hit

    def _names_of(self, kind: Kind, text: str) -> set[str]:
        key = self.lookup(kind, text)
        if key is None:
            return set()
        span = None if self.candidates(kind, text) else self.span(kind, text)
        return {span.start, span.end} if span else {key}


EXACT, ALIAS = 3, 2
_TIME_WORDS = ("时间", "时刻", "时段", "几点")
_DATE_WORDS = ("日期", "日")


def _wants(key: str) -> str | None:
    """What a header's own words ask for: a …时间 header a time, a …日期 header a date."""
    if key.endswith(_TIME_WORDS):
        return "time"
    if key.endswith(_DATE_WORDS):
        return "date"
    return None


def _when(f: Field) -> str | None:
    if f.type in (FieldType.TIME, FieldType.MOMENT):
        return "time"
    if f.type is FieldType.DATE:
        return "date"
    return None


def _pref(f: Field, wants: str | None, values: str | None) -> float:
    """How much better ``f`` fits than its bare name says: values that are (not) its type
    count most; a header's own …时间/…日期 breaks the tie."""
    t = _when(f)
    if t is None:
        return 0.0
    score = 0.0
    if values is not None:
        score += 1 if values in (t, "datetime") else -1
    if wants is not None and t == wants:
        score += 0.5
    return score


def value_kind(values: Iterable[Any]) -> str | None:
    """What a column's first values are: "date", "time", "datetime" (a date with a time of
    day), or None (neither, or blank). Enough to tell a 回访时间 of dates from one of times."""
    counts = {"date": 0, "time": 0, "datetime": 0}
    seen = 0
    for v in values:
        if v is None or v == "" or v.__class__ is bool:
            continue
        seen += 1
        if seen > 60:
            break
        k = _one_value_kind(v)
        if k:
            counts[k] += 1
    best = max(counts, key=lambda k: (counts[k], k == "datetime"))
    return best if counts[best] else None


def _one_value_kind(v: Any) -> str | None:
    if isinstance(v, dt.datetime):
        if v.year < 1950:  # a time cell as Excel hands it (1899-12-30 10:40)
            return "time"
        return "datetime" if v.time() != dt.time() else "date"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, dt.time):
        return "time"
    if isinstance(v, int | float):
        if 0 <= v < 1 or (1 <= v < 24 and isinstance(v, float)):  # a fraction of a day; 9.30 typed
            return "time"
        if v >= 18264:  # an Excel serial: with a fraction, a time of that day too
            return "datetime" if isinstance(v, float) and not v.is_integer() else "date"
        return None
    if isinstance(v, str):
        if to_date(v, year=2000)[1] is None:
            return "datetime" if is_datetime_text(v) else "date"
        if to_time(v)[1] is None:
            return "time"
    return None


@dataclass(slots=True)
class Mapping:
    """Which column is which field on one sheet."""

    columns: dict[str, int] = field(default_factory=dict)  # field key -> 0-based column
    headers: dict[str, str] = field(default_factory=dict)  # field key -> header text as written
    unmapped: list[str] = field(default_factory=list)
    unmapped_cols: dict[str, int] = field(default_factory=dict)  # unmapped header -> its column
    duplicates: list[tuple[str, str, int]] = field(default_factory=list)  # (field, header, column)
    spans: dict[int, Span] = field(default_factory=dict)  # column holding a range -> its range


def map_columns(kind: Kind, header: Sequence[Any], index: AliasIndex,
                sample: Callable[[int], Sequence[Any]]) -> Mapping:
    """Header cells → fields (``_map_columns``), kept per header row when the values did not
    decide it: a worksheet function checking one row at a time asks for the same header."""
    key = (kind.key, tuple(header))
    m = index._mappings.get(key)
    if m is None:
        looked = [False]

        def values(c: int) -> Sequence[Any]:
            looked[0] = True
            return sample(c)

        m = _map_columns(kind, header, index, values)
        if looked[0]:
            return m
        if len(index._mappings) > 1024:
            index._mappings.clear()
        index._mappings[key] = m
    # a copy: a Table keeps (and may change) these
    return Mapping(dict(m.columns), dict(m.headers), list(m.unmapped), dict(m.unmapped_cols), list(m.duplicates),
                   dict(m.spans))


def _map_columns(kind: Kind, header: Sequence[Any], index: AliasIndex,
                 sample: Callable[[int], Sequence[Any]]) -> Mapping:
    """Header cells → fields, by meaning rather than first match.

    Each column's candidates come from the names; where a header could be a date or a
    time (回访时间 beside 回访日期, or alone holding dates), the column's first values
    (``sample(c)``) and the header's own …时间/…日期 decide. Then the best fits are taken
    first: a field's own header before an alias, an earlier column before a later one; a
    column whose every field is taken is a duplicate. A range header (在店时段) fills both
    its ends that no column of their own fills, and one column of dates with times fills
    both fields of a ``kind.moments`` pair.
    """
    m = Mapping()
    scored: list[tuple[float, int, str]] = []
    spans: dict[int, tuple[Span, str]] = {}
    mapped_cols: dict[int, str] = {}
    for c, cellv in enumerate(header):
        if not isinstance(cellv, str) or not cellv.strip():
            if cellv not in (None, "") and not isinstance(cellv, str):
                m.unmapped.append(str(cellv))
            continue
        text = cellv.strip()
        cands = index.candidates(kind, text)
        if not cands:
            span = index.span(kind, text)
            if span is not None:
                spans[c] = (span, text)
            else:
                m.unmapped.append(text)
                m.unmapped_cols.setdefault(text, c)
            continue
        mapped_cols[c] = text
        wants = _wants(header_key(text))
        values = None
        if len({_when(kind.field(f)) for f, _ in cands}) > 1:  # a date or a time: the values say
            values = value_kind(sample(c)[:200])
        scored += [(s + _pref(kind.field(f), wants, values), c, f) for f, s in cands]
    scored.sort(key=lambda x: (-x[0], x[1]))
    taken: set[int] = set()
    for _, c, f in scored:
        if c in taken or f in m.columns:
            continue
        m.columns[f] = c
        m.headers[f] = mapped_cols[c]
        taken.add(c)
    for c, text in mapped_cols.items():
        if c not in taken:
            best = next(f for _, cc, f in scored if cc == c)
            m.duplicates.append((best, text, c))
    for c, (span, text) in spans.items():
        free = [k for k in (span.start, span.end) if k not in m.columns]
        if not free:
            m.duplicates.append((span.start, text, c))
            continue
        for k in free:
            m.columns[k] = c
            m.headers[k] = text
        m.spans[c] = span
    for date_key, time_key in kind.moments:
        have = [k for k in (date_key, time_key) if k in m.columns]
        if len(have) == 1 and m.columns[have[0]] not in m.spans:
            other = time_key if have[0] == date_key else date_key
            c = m.columns[have[0]]
            if value_kind(sample(c)[:200]) == "datetime":
                m.columns[other] = c
                m.headers[other] = m.headers[have[0]]
    m.duplicates.sort(key=lambda d: d[2])
    m.columns = {k: m.columns[k] for k in sorted(m.columns, key=m.columns.__getitem__)}  # column order
    m.headers = {k: m.headers[k] for k in m.columns}
    return m


def _score(kind: Kind, mapped: set[str]) -> tuple[int, float]:
    req = kind.required_keys
    found = sum(1 for k in req if k in mapped)
    return (len(mapped), found / len(req) if req else 0.0)


def classify(rows: list[list[Any]], index: AliasIndex, search_rows: int) -> tuple[Kind, int] | None:
    """The (kind, 0-based header row) whose headers match best, if any is convincing.

    A sheet is of a kind when its header row holds at least 3 of the kind's fields and
    at least half of its required ones; of those, the kind that understands the most
    columns wins (a 交车登记表 without its 交车时间 column still says more as a delivery
    register than as a customer file), then the larger share of its required fields.
    """
    best: tuple[tuple[int, float], Kind, int] | None = None
    for r, row in enumerate(rows[:search_rows]):
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if len(texts) < 3:
            continue
        hit = index.row_kind(tuple(t for t in texts if index.known(t)))  # the others name nothing
        if hit is not None and (best is None or hit[0] > best[0]):
            best = (hit[0], hit[1], r)
    return (best[1], best[2]) if best else None


def find_header(rows: list[list[Any]], index: AliasIndex,
                search_rows: int) -> tuple[Kind, int, list[Any] | None] | None:
    """The sheet's kind, its header row (the lower of two) and, for a header on two rows, the
    header read across both (else None): ``classify`` then ``two_row_header``. The kind is asked
    again of the two rows read together: the lower row alone (客户信息's 姓名 | 电话 | 车型 under
    a group) may look more like a follow-up card than the visitor log the two rows make."""
    hit = classify(rows, index, search_rows)
    if hit is None:
        return None
    kind, h = hit
    two = two_row_header(kind, rows, h, index)
    if two is None:
        return kind, h, None
    best = (_texts_score(index, kind, two[1]), kind, two)
    for other in index.kinds:  # each kind reads the two rows its own way (来店时间 + 到店)
        if other is not kind and (read := two_row_header(other, rows, h, index)) is not None:
            score = _texts_score(index, other, read[1])
            if score is not None and (best[0] is None or score > best[0]):
                best = (score, other, read)
    kind, (low, header) = best[1], best[2]
    return kind, low, header


def _texts_score(index: AliasIndex, kind: Kind, header: list[Any]) -> tuple[int, float] | None:
    return index.kind_score(kind, [t for t in header if isinstance(t, str) and t.strip()])


def two_row_header(kind: Kind, rows: Sequence[Sequence[Any]], h: int,
                   index: AliasIndex) -> tuple[int, list[Any]] | None:
    """A header written on two rows, a group over its parts (来店时间 merged over 到店 | 离店,
    客户信息 over 姓名 | 电话), the other columns merged down both rows: (the lower row, the
    header read across both) when the header row ``h`` is one of the two, else None. Read as
    one row, the parts were a data row of blank required cells and the group's other columns
    had no name.

    The lower row must hold texts only, and exactly under groups: a header cell followed by
    blank ones (a merged cell over two columns or more), every column of it named below, none
    outside one; a group that names a field itself (来店时间) must keep it among its parts'
    (到店时间, 离店时间). The two read together must name a field row ``h`` does not. A data row
    or a title never has that shape (notes under a merged 备注 name no 备注)."""
    base = {index.lookup(kind, v) for v in rows[h] if isinstance(v, str) and v.strip()}
    for top, low in ((h, h + 1), (h - 1, h)):
        if top < 0 or low >= len(rows):
            continue
        combined = _across(kind, list(rows[top]), list(rows[low]), index, base)
        if combined is not None:
            return low, combined
    return None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _groups(top: list[Any], low: list[Any]) -> list[tuple[int, int]] | None:
    """The groups (first column, end) of a header's upper row whose parts the lower row names,
    or None when the lower row has a text anywhere else or a group only partly named."""
    width = len(top)
    out: list[tuple[int, int]] = []
    c = 0
    while c < width:
        if _blank(top[c]):
            if not _blank(low[c]):
                return None  # a text under no header cell
            c += 1
            continue
        e = c + 1
        while e < width and _blank(top[e]):
            e += 1
        if e - c == 1 and isinstance(low[c], str) and header_key(low[c]) == header_key(str(top[c])):
            c = e  # merged down, or typed again in both rows (日期 over 日期): the column's own
            continue
        named = sum(not _blank(low[i]) for i in range(c, e))
        if named and (e - c < 2 or named < e - c):
            return None  # a text under a column of its own, or a group partly named: data
        if named:
            out.append((c, e))
        c = e
    return out


def _across(kind: Kind, top: list[Any], low: list[Any], index: AliasIndex, base: set[str | None]) -> list[Any] | None:
    if any(not _blank(v) and not isinstance(v, str) for v in low):
        return None  # a number or a day: data
    width = max(len(top), len(low))
    top, low = top + [None] * (width - len(top)), low + [None] * (width - len(low))
    while width and _blank(top[width - 1]) and _blank(low[width - 1]):
        width -= 1  # blank to the sheet's edge: no group's columns
    del top[width:], low[width:]
    groups = _groups(top, low)
    if not groups:
        return None
    parts = {i for c, e in groups for i in range(c, e)}
    out = list(top)
    # what the columns outside the groups name: a part must not name it again (a bare 日期 under
    # 流失回访 is not the sheet's 日期), nor what an earlier part took
    taken = {index.lookup(kind, v) for i, v in enumerate(top) if i not in parts and isinstance(v, str)} - {None}
    gained = False
    for c, e in groups:
        g = str(top[c]).strip()
        named: set[str] = set()
        for i in range(c, e):
            s = str(low[i]).strip()
            got = next(((n, k) for n in (g + s, s + g, s + g[-2:], s)
                        if (k := index.lookup(kind, n)) is not None and k not in taken), None)
            if got is None:
                out[i] = f"{g}·{s}"  # names no field: the column is the sheet's, unread
                continue
            out[i] = got[0]
            taken.add(got[1])
            named.add(got[1])
            gained = gained or got[1] not in base
        head = index.lookup(kind, g)
        if head is not None and head not in named:
            return None  # its parts do not say what the cell over them says (notes under 备注): data
    # the header row may be the lower one (its parts named more fields than the upper row): the
    # upper row's columns merged down both rows (日期, 接待顾问) are then what the two gain
    return out if gained or not taken <= base else None
