"""A sheet of a known kind as a table: its columns below the header, blank, total and
repeated-header rows dropped, every row at its real Excel row number."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, zip_longest
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.schema import FieldType, Kind
from xl_dealer.read.header import (
    AliasIndex,
    Mapping,
    col_letter,
    find_header,
    header_key,
    map_columns,
)
from xl_dealer.read.values import ERROR_VALUES, date_in_sheet_name, date_in_text, fold, split_span

# a form spaces its labels to line them up (合 计, 合　　计): a space may sit between the characters
_TOTALS = "(?:[本当今]\\s*日|本\\s*[月周页]|全\\s*天)?\\s*(?:[合小总共累]\\s*计|总\\s*数)"
_TOTAL_ROW = re.compile(f"^{_TOTALS}")  # in the first six columns: a label starting so
# anywhere else the cell must be only the label, perhaps with a count (合计：12条), not a remark
_TOTAL_CELL = re.compile(f"^{_TOTALS}(?:\\s*[:：]?\\s*\\d*\\s*[条人辆台次个位批组]?)?$")
_YEAR = re.compile(r"(20\d\d)\s*年")
_LABELLED = re.compile(r"([^\s:]{1,12})\s*:\s*([^:]*?)(?=\s+[^\s:]{1,12}\s*:|$)")
# a day in the title that is not the rows' day: when the sheet was printed, made or counted up to
_NOT_THE_DAY = ("打印", "制表", "填表", "导出", "统计", "更新", "截止", "截至", "生成")


@dataclass(frozen=True, slots=True)
class Filled:
    """A field's value for every row that the form carries outside its table: the day in
    the title (日期：2026年11月18日) or the sheet name (11月18日) of a day-per-sheet form,
    a 销售顾问：王强 above a consultant's own log, or the kind's default for a column its
    forms leave out (来店 on a 来店顾客登记表). Raw, normalised by the rules like a cell."""

    value: Any
    source: str  # "title", "sheet_name" or "default"
    text: str  # what it was read from: the title cell's text, the sheet name, or why
    cell: str | None = None  # the title cell (A1); None for the sheet name and a default
    row: int | None = None

    def info(self) -> dict[str, Any]:
        return {"from": self.source, "value": self.value, "text": self.text, "cell": self.cell}


@dataclass(slots=True)
class Table:
    """One sheet of a known kind, column-wise: ``raw[field][i]`` is on Excel row ``rows[i]``."""

    path: str
    sheet: str
    kind: Kind
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # field key -> 0-based column index
    headers: dict[str, str]  # field key -> header text as written
    unmapped: list[str]
    rows: list[int]
    raw: dict[str, list[Any]]
    duplicates: list[tuple[str, str, int]] = field(default_factory=list)  # (field, header, column)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#N/A"
    year: int | None = None  # the year "11月3日" means, from the title or sheet name
    filled: dict[str, Filled] = field(default_factory=dict)  # field key -> its value from outside the table
    # unmapped header -> its first values: what a column.missing finding suggests mapping
    samples: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)
    # field key -> the set of its raw values (a superset: skipped rows too), built for the
    # row checks and handed to the normalisation, which takes it (it is not kept)
    distinct: dict[str, Collection[Any]] = field(default_factory=dict, repr=False, compare=False)

    def cell(self, key: str, i: int) -> str:
        return f"{col_letter(self.columns[key])}{self.rows[i]}"

    def info(self) -> dict[str, Any]:
        return {
            "name": self.sheet,
            "kind": self.kind.key,
            "header_row": self.header_row,
            "rows": len(self.rows),
            "columns": dict(self.headers),
            "unmapped": list(self.unmapped),
            "filled": {k: f.info() for k, f in self.filled.items()},
        }

    def has(self, key: str) -> bool:
        """The sheet gives this field: a column, or a value from outside the table."""
        return key in self.columns or key in self.filled


@dataclass(slots=True)
class SkippedSheet:
    path: str
    sheet: str
    reason: str

    def info(self) -> dict[str, Any]:
        return {"name": self.sheet, "kind": None, "header_row": None, "rows": 0,
                "columns": {}, "unmapped": [], "filled": {}, "skipped": self.reason}


def table_from_rows(
    path: str, sheet: str, rows: list[list[Any]], index: AliasIndex, config: Config,
    errors: dict[tuple[int, int], str] | None = None, row_numbers: list[int] | None = None,
) -> Table | SkippedSheet:
    """Build a Table from a sheet's rows as any reader gives them: index 0 = Excel row 1,
    or, for a sparse read, ``rows[k]`` is Excel row ``row_numbers[k]``."""
    if not any(v is not None and v != "" for row in rows for v in row) and not errors:
        return SkippedSheet(path, sheet, "empty")
    if row_numbers is not None:
        limit = sum(1 for n in row_numbers if n <= config.header_search_rows)
        hit = find_header(rows, index, limit)
    else:
        hit = find_header(rows, index, config.header_search_rows)
    if hit is None:
        return SkippedSheet(path, sheet, "not a known kind")
    kind, h, two = hit
    head = rows[:h + 1] if two is None else [*rows[:h], two]
    body = rows[h + 1:]
    # column-wise from here on; zip_longest pads short rows as a ragged reader gives them
    transposed = list(zip_longest(*body, fillvalue=None))
    blank: tuple[Any, ...] = (None,) * len(body)
    table = build_table(path, sheet, kind, head, len(body),
                        lambda c: transposed[c] if c < len(transposed) else blank, index, errors,
                        width=len(transposed), header_rows=1 if two is None else 2)
    if row_numbers is not None:
        table.rows = [row_numbers[r - 1] for r in table.rows]
        table.header_row = row_numbers[h]
    return table


def build_table(
    path: str, sheet: str, kind: Kind, head: list[list[Any]], n: int,
    column: Callable[[int], Sequence[Any]], index: AliasIndex,
    errors: dict[tuple[int, int], str] | None = None, width: int | None = None,
    distinct: dict[int, Collection[Any]] | None = None, header_rows: int = 1,
) -> Table:
    """A Table from the rows down to the header (``head[-1]``, on Excel row ``len(head)``) and
    the ``n`` rows below it, given column-wise: ``column(c)[j]`` is column ``c`` of Excel row
    ``len(head) + 1 + j``; ``width`` columns in all (default: the header's). ``distinct``:
    the set of values of the columns whose reader already knows it (``dense``). A header on
    two rows (``header_rows`` 2) is given read across both as ``head[-1]``, the row above it
    no title row.

    Column-wise because a Python loop over 100k rows × 20 cells costs seconds; here the
    per-cell work is in C (set, map, compress) and Python only looks at distinct values
    and at the few rows that are blank, 合计 or a repeated header.
    """
    h = len(head) - 1
    header = head[h]
    m = map_columns(kind, header, index, column)
    columns, headers = m.columns, m.headers

    titles = head[:len(head) - header_rows]
    year = _title_year(titles, sheet)
    first = h + 2  # Excel row of body index 0
    mapped: dict[str, Sequence[Any]] = {}
    seen: set[int] = set()
    for k, c in columns.items():
        if c in m.spans:
            continue
        col = column(c)
        if c in seen and isinstance(col, list):  # a second field from one column: its own copy to edit
            col = list(col)
        seen.add(c)
        mapped[k] = col
    distinct = _Distinct(column, distinct)
    for c, span in m.spans.items():  # 在店时段 9:30-10:15: each end a column of its own
        parts = {v: split_span(v) for v in distinct(c)}
        for end, k in enumerate((span.start, span.end)):
            if columns.get(k) == c:
                mapped[k] = [parts[v][end] for v in column(c)]
    skip = _blank_rows(list(mapped.values()), n)
    skip |= _total_rows([column(c) for c in range(max(width or 0, len(header)))], distinct, skip)
    skip |= _header_again_rows(mapped, columns, {k: header_key(headers[k]) for k in columns}, distinct, skip)
    data_rows = list(range(first, first + n))
    raw = {k: _drop(col, skip) for k, col in mapped.items()}
    if skip:
        data_rows = _drop(data_rows, skip)
    filled = _filled(kind, titles, header, sheet, m, index)
    samples = {text: [v for v in column(c)[:SAMPLE] if v not in (None, "")] for text, c in m.unmapped_cols.items()}
    return Table(path, sheet, kind, h + 1, columns, headers, m.unmapped, data_rows, raw,
                 m.duplicates, dict(errors or {}), year, filled, samples,
                 {k: distinct.sets[c] for k, c in columns.items() if c in distinct.sets and c not in m.spans})


SAMPLE = 50  # first values kept of a column no field claims


def _filled(kind: Kind, title_rows: list[list[Any]], header: Sequence[Any], sheet: str, m: Mapping,
            index: AliasIndex) -> dict[str, Filled]:
    """Values of fields the sheet has no column for, from what the form says outside its
    table: ``label：value`` in the title rows (for the kind's required fields and its day),
    the one day the title or the sheet name names, and the kind's defaults."""
    out: dict[str, Filled] = {}

    def absent(key: str) -> bool:
        return key not in m.columns and key not in out

    cells = [(r, c, v.strip()) for r, row in enumerate(title_rows) for c, v in enumerate(row)
             if isinstance(v, str) and v.strip()]
    wanted = {f.key for f in kind.fields if f.required or f.required_when} | {kind.sheet_date}
    for r, c, text in cells:
        for label, value in _LABELLED.findall(fold(text)):
            if any(w in label for w in _NOT_THE_DAY):
                continue
            key = _label_field(kind, label, index)
            value = value.strip()
            if key is None or key not in wanted or not absent(key) or not value:
                continue
            if kind.field(key).type is FieldType.DATE:
                value = date_in_text(value)
                if value is None:
                    continue
            out[key] = Filled(value, "title", text, f"{col_letter(c)}{r + 1}", r + 1)
    day_key = kind.sheet_date
    if day_key and absent(day_key):
        days = [(r, c, text, day) for r, c, text in cells
                if not any(w in text for w in _NOT_THE_DAY) and (day := date_in_text(text))]
        if days and len({d for *_, d in days}) == 1:
            r, c, text, day = days[0]
            out[day_key] = Filled(day, "title", text, f"{col_letter(c)}{r + 1}", r + 1)
        elif not days:
            day = date_in_sheet_name(sheet, [t for *_, t in cells])
            if day:
                out[day_key] = Filled(day, "sheet_name", sheet)
    said = [fold(sheet), *(fold(t) for *_, t in cells)]
    heads = [fold(v) for v in header if isinstance(v, str) and v.strip()]
    for d in kind.defaults:
        if not absent(d.field) or _says(said, d.against):
            continue
        why = next((t for t in said if _says([t], d.words)), None)
        if why is None and not _says(heads, d.against):
            why = next((t for t in heads if _says([t], d.words)), None)
        if why is not None:
            out[d.field] = Filled(d.value, "default", why)
    return out


def _says(texts: list[str], words: tuple[str, ...]) -> bool:
    return any(w in t for t in texts for w in words)


def _label_field(kind: Kind, label: str, index: AliasIndex) -> str | None:
    """The field a title's label names; a label run into the title before it (…登记表日期)
    is tried by its endings."""
    for j in range(len(label) - 1):
        key = index.lookup(kind, label[j:])
        if key is not None and not index.span(kind, label[j:]):
            return key
    return None


def _drop(col: Sequence[Any], skip: set[int]) -> list[Any]:
    """``col`` without the rows in ``skip``. A list is ours to edit (the readers build fresh
    ones): a few deletions in place cost less time and memory than a copy."""
    if isinstance(col, list) and len(skip) <= 64:
        for j in sorted(skip, reverse=True):
            del col[j]
        return col
    if not skip:
        return list(col)
    keep = bytearray(b"\x01") * len(col)
    for j in skip:
        keep[j] = 0
    return list(compress(col, keep))


class _Distinct:
    """The set of values of a body column, built once and shared by the row checks."""

    def __init__(self, column: Callable[[int], Sequence[Any]],
                 known: dict[int, Collection[Any]] | None = None) -> None:
        self.column = column
        self.sets: dict[int, Collection[Any]] = dict(known or {})

    def __call__(self, c: int) -> Collection[Any]:
        s = self.sets.get(c)
        if s is None:
            s = self.sets[c] = set(self.column(c))
        return s

    def estimate(self, c: int) -> int:
        """Distinct values in the first 2,000 cells: cheap, enough to rank columns."""
        s = self.sets.get(c)
        return len(s) if s is not None else len(set(self.column(c)[:2000]))




def _blank_rows(cols: list[Sequence[Any]], n: int) -> set[int]:
    """Rows whose mapped cells are all blank (a pre-numbered template row counts as blank).
    A formula error counts as blank here: a formula column dragged down past the data (a
    VLOOKUP showing #N/A in the empty rows) does not make a row of data, and what the columns we
    do not map hold never does. The candidates shrink column by column."""
    if not cols:
        cand: Iterable[int] = range(n)
    else:
        first_col = cols[0]
        empties = {v for v in set(first_col) if _empty(v)}  # a few values: the cells in C
        cand = list(compress(range(n), map(empties.__contains__, first_col))) if empties else []
        for col in cols[1:]:
            if not cand:
                break
            cand = [j for j in cand if col[j] is None or col[j] == "" or _empty(col[j])]
    return set(cand)


def _empty(v: Any) -> bool:
    """Blank, spaces, or a formula error's text (how the sparse reader and xlrd give one)."""
    return v is None or (v.__class__ is str and (not v.strip() or v in ERROR_VALUES))


_TOTAL_FIRST = frozenset("合小总共累本当今全")
_TOTAL_START = re.compile(r"\s*[合小总共累本当今全]").match  # what _is_total_text's strip and first test pass


def _is_total_text(v: Any, anywhere: bool) -> bool:
    if v.__class__ is not str or not v:
        return False
    s = v.strip()
    if s[:1] not in _TOTAL_FIRST:
        return False
    return (_TOTAL_CELL if anywhere else _TOTAL_ROW).match(s) is not None


def _total_rows(cols: list[Sequence[Any]], distinct: _Distinct, skip: set[int]) -> set[int]:
    """合计/小计 rows: in one of the first six cells a label starting so; in any other cell,
    wherever the clerk typed it, the label alone (合计, 本日小计, 合计：12条)."""
    out: set[int] = set()
    for c, col in enumerate(cols):
        hits = {v for v in _total_candidates(distinct(c)) if _is_total_text(v, c >= 6)}
        if hits:
            out.update(j for j in compress(range(len(col)), map(hits.__contains__, col)) if j not in skip)
    return out


# a value that _TOTAL_START matches, as a line of the values joined one a line (none holding a "\n")
_TOTAL_LINE = re.compile(r"\n([^\S\n]*[合小总共累本当今全][^\n]*)")


def _total_candidates(values: Collection[Any]) -> Iterable[str]:
    """The text values that could start with a total's word (``_TOTAL_START``). A column of names
    or phones has tens of thousands of them: joined one a line they are one regex search, not one
    call a value; a value holding a line break sends its column the slow way."""
    strs = [v for v in values if v.__class__ is str]
    text = "\n" + "\n".join(strs) + "\n"
    if text.count("\n") != len(strs) + 1:
        return filter(_TOTAL_START, strs)
    return _TOTAL_LINE.findall(text)


def _header_again_rows(mapped: dict[str, Sequence[Any]], columns: dict[str, int], keys: dict[str, str],
                       distinct: _Distinct, skip: set[int]) -> set[int]:
    """A printed page header repeated lower down: most mapped cells equal their header.

    A row needs ``need`` matching cells, so it has at least one among any
    ``len - need + 1`` columns: only rows with a match in the columns with the fewest
    distinct values are candidates, and usually there are none.
    """
    if not mapped:
        return set()
    need = max(2, len(mapped) // 2)
    if need > len(mapped):
        return set()
    probe = sorted(mapped, key=lambda k: distinct.estimate(columns[k]))[:len(mapped) - need + 1]
    cand: set[int] = set()
    for k in probe:
        hits = {v for v in distinct(columns[k]) if v.__class__ is str and v and header_key(v) == keys[k]}
        if hits:
            col = mapped[k]
            cand.update(compress(range(len(col)), map(hits.__contains__, col)))
    out = set()
    for j in cand - skip:
        same = sum(1 for k, col in mapped.items()
                   if col[j].__class__ is str and col[j] and header_key(col[j]) == keys[k])
        if same >= need:
            out.add(j)
    return out


def _title_year(title_rows: list[list[Any]], sheet: str) -> int | None:
    for text in [sheet, *(c for row in title_rows for c in row if isinstance(c, str))]:
        m = _YEAR.search(text)
        if m:
            return int(m[1])
    return None
