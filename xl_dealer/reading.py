"""Reading clerk workbooks: find the header row, map columns, classify the sheet.

python-calamine reads every format we accept (.xlsx .xlsm .xls .xlsb .ods) about
six times faster than openpyxl. Values stay raw here; ``values`` normalises them.
Row numbers are the real Excel rows (``skip_empty_area=False``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import compress, islice, repeat, zip_longest
from pathlib import Path
from typing import Any

from xl_dealer.config import Config
from xl_dealer.errors import InputError
from xl_dealer.guard import UNREADABLE, Preflight, check_zip_package
from xl_dealer.kinds import KINDS
from xl_dealer.pieces import Loader
from xl_dealer.schema import Kind
from xl_dealer.values import ERROR_VALUES, fold

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_TOTAL_ROW = re.compile(r"^(合计|小计|总计|总数|共计|累计)")
_YEAR = re.compile(r"(20\d\d)\s*年")
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
    """Header text as compared: half-width, no stars, spaces, line breaks or colons, lower case."""
    s = fold(text)
    s = re.sub(r"[\s*＊:：]|必填|选填", "", s)
    return s.lower()


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
    # field key -> the set of its raw values (a superset: skipped rows too), built for the
    # row checks and handed to the normalisation, which takes it (it is not kept)
    distinct: dict[str, set[Any]] = field(default_factory=dict, repr=False, compare=False)

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
        }


@dataclass(slots=True)
class SkippedSheet:
    path: str
    sheet: str
    reason: str

    def info(self) -> dict[str, Any]:
        return {"name": self.sheet, "kind": None, "header_row": None, "rows": 0,
                "columns": {}, "unmapped": [], "skipped": self.reason}


class AliasIndex:
    """header_key → field key, for each kind, from the declarations plus config aliases."""

    def __init__(self, config: Config, kinds: Iterable[Kind] | None = None) -> None:
        self.kinds = list(kinds or KINDS.values())
        self.by_kind: dict[str, dict[str, str]] = {}
        for kind in self.kinds:
            table: dict[str, str] = {}
            extra = config.aliases.get(kind.key, {})
            for f in kind.fields:
                for name in (*f.names, *extra.get(f.key, ())):
                    table.setdefault(header_key(name), f.key)
            self.by_kind[kind.key] = table

    def lookup(self, kind: Kind, text: str) -> str | None:
        table = self.by_kind[kind.key]
        k = header_key(text)
        hit = table.get(k)
        if hit is None and ("(" in k or "[" in k or "【" in k):
            hit = table.get(_BRACKETED.sub("", k))
        return hit


def _score(kind: Kind, mapped: set[str]) -> tuple[float, int]:
    req = kind.required_keys
    found = sum(1 for k in req if k in mapped)
    return (found / len(req) if req else 0.0, len(mapped))


def classify(rows: list[list[Any]], index: AliasIndex, search_rows: int) -> tuple[Kind, int] | None:
    """The (kind, 0-based header row) whose headers match best, if any is convincing.

    A sheet is of a kind when its header row holds at least 3 of the kind's fields and
    at least half of its required ones; the best fraction of required fields wins.
    """
    best: tuple[tuple[float, int], Kind, int] | None = None
    for r, row in enumerate(rows[:search_rows]):
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if len(texts) < 3:
            continue
        for kind in index.kinds:
            mapped = {k for t in texts if (k := index.lookup(kind, t))}
            if len(mapped) < 3:
                continue
            score = _score(kind, mapped)
            if score[0] < 0.5:
                continue
            if best is None or score > best[0]:
                best = (score, kind, r)
    return (best[1], best[2]) if best else None


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
        hit = classify(rows, index, limit)
    else:
        hit = classify(rows, index, config.header_search_rows)
    if hit is None:
        return SkippedSheet(path, sheet, "not a known kind")
    kind, h = hit
    body = rows[h + 1:]
    # column-wise from here on; zip_longest pads short rows as a ragged reader gives them
    transposed = list(zip_longest(*body, fillvalue=None))
    blank: tuple[Any, ...] = (None,) * len(body)
    table = build_table(path, sheet, kind, rows[:h + 1], len(body),
                        lambda c: transposed[c] if c < len(transposed) else blank, index, errors)
    if row_numbers is not None:
        table.rows = [row_numbers[r - 1] for r in table.rows]
        table.header_row = row_numbers[h]
    return table


def build_table(
    path: str, sheet: str, kind: Kind, head: list[list[Any]], n: int,
    column: Callable[[int], Sequence[Any]], index: AliasIndex,
    errors: dict[tuple[int, int], str] | None = None,
) -> Table:
    """A Table from the rows down to the header (``head[-1]``, on Excel row ``len(head)``) and
    the ``n`` rows below it, given column-wise: ``column(c)[j]`` is column ``c`` of Excel row
    ``len(head) + 1 + j``.

    Column-wise because a Python loop over 100k rows × 20 cells costs seconds; here the
    per-cell work is in C (set, map, compress) and Python only looks at distinct values
    and at the few rows that are blank, 合计 or a repeated header.
    """
    h = len(head) - 1
    header = head[h]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unmapped: list[str] = []
    duplicates: list[tuple[str, str, int]] = []
    for c, cellv in enumerate(header):
        if not isinstance(cellv, str) or not cellv.strip():
            if cellv not in (None, "") and not isinstance(cellv, str):
                unmapped.append(str(cellv))
            continue
        key = index.lookup(kind, cellv)
        if key is None:
            unmapped.append(cellv.strip())
        elif key in columns:
            duplicates.append((key, cellv.strip(), c))
        else:
            columns[key] = c
            headers[key] = cellv.strip()

    year = _title_year(head[:h], sheet)
    first = h + 2  # Excel row of body index 0
    mapped = {k: column(c) for k, c in columns.items()}
    distinct = _Distinct(column)
    err_rows = {r for r, _ in errors} if errors else set()
    skip = _blank_rows(list(mapped.values()), n, first, err_rows)
    skip |= _total_rows([column(c) for c in range(6)], distinct, skip)
    skip |= _header_again_rows(mapped, columns, {k: header_key(headers[k]) for k in columns}, distinct, skip)
    data_rows = list(range(first, first + n))
    raw = {k: _drop(col, skip) for k, col in mapped.items()}
    if skip:
        data_rows = _drop(data_rows, skip)
    return Table(path, sheet, kind, h + 1, columns, headers, unmapped, data_rows, raw,
                 duplicates, dict(errors or {}), year,
                 {k: distinct.sets[c] for k, c in columns.items() if c in distinct.sets})


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

    def __init__(self, column: Callable[[int], Sequence[Any]]) -> None:
        self.column = column
        self.sets: dict[int, set[Any]] = {}

    def __call__(self, c: int) -> set[Any]:
        s = self.sets.get(c)
        if s is None:
            s = self.sets[c] = set(self.column(c))
        return s

    def estimate(self, c: int) -> int:
        """Distinct values in the first 2,000 cells: cheap, enough to rank columns."""
        s = self.sets.get(c)
        return len(s) if s is not None else len(set(self.column(c)[:2000]))


_BLANK = frozenset({None, ""})


def _blank_rows(cols: list[Sequence[Any]], n: int, first: int, err_rows: set[int]) -> set[int]:
    """Rows whose mapped cells are all blank (a pre-numbered template row counts as blank),
    unless a formula error sits on the row. The candidates shrink column by column."""
    if not cols:
        cand: Iterable[int] = range(n)
    else:
        first_col = cols[0]
        cand = [j for j in range(n) if first_col[j] in _BLANK
                or (first_col[j].__class__ is str and not first_col[j].strip())]
        for col in cols[1:]:
            if not cand:
                break
            cand = [j for j in cand if col[j] is None or col[j] == "" or (col[j].__class__ is str and not col[j].strip())]
    return {j for j in cand if first + j not in err_rows}


_TOTAL_FIRST = frozenset("合小总共累")


def _is_total_text(v: Any) -> bool:
    return v.__class__ is str and v and v.lstrip()[:1] in _TOTAL_FIRST and _TOTAL_ROW.match(v.strip()) is not None


def _total_rows(first_cols: list[Sequence[Any]], distinct: _Distinct, skip: set[int]) -> set[int]:
    """合计/小计 rows: one of the first six cells starts with such a word."""
    out: set[int] = set()
    for c, col in enumerate(first_cols):
        hits = {v for v in distinct(c) if _is_total_text(v)}
        if hits:
            out.update(j for j in compress(range(len(col)), map(hits.__contains__, col)) if j not in skip)
    return out


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


# ---------------------------------------------------------------- workbooks


def read_workbook(path: str | Path, config: Config, index: AliasIndex | None = None,
                  threads: int = 1) -> list[Table | SkippedSheet]:
    """Every sheet of one workbook, hidden ones included. Raises InputError when unreadable.

    ``threads``: cores one big sheet may be read on (``limits.split_mb``, ``pieces.py``)."""

    p = Path(path)
    name = str(path)
    index = index or AliasIndex(config)
    if not p.exists():
        raise InputError(name, "文件不存在，请检查路径 / file not found: check the path")
    if p.suffix.lower() not in EXTENSIONS:
        raise InputError(name, f"不是 Excel 工作簿 / not a workbook (accepted: {', '.join(EXTENSIONS)})")
    zipped = p.suffix.lower() in (".xlsx", ".xlsm")
    loader = Loader(threads) if zipped and threads > 1 else None
    pre = Preflight()
    try:
        # before calamine inflates anything: bombs are refused, over-wide sheets go sparse, big
        # ones are cut into pieces, which start being read as soon as each is written
        if zipped:
            pre = check_zip_package(name, config.limits, threads, loader)
        return _read_sheets(p, name, pre, index, config, zipped, loader)
    finally:
        if loader is not None:
            loader.close()
        pre.close()


def _read_sheets(p: Path, name: str, pre: Preflight, index: AliasIndex, config: Config,
                 zipped: bool, loader: Loader | None) -> list[Table | SkippedSheet]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except pc.PasswordError:
        raise InputError(name, "工作簿有密码保护，请另存一份无密码的副本再检查 / password-protected: save an unprotected copy") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, OSError, ValueError) as e:
        raise InputError(name, "文件已损坏或不是 Excel 文件：请用 Excel 打开看看，能打开就另存为 .xlsx 再检查 / "
                               f"corrupt or not a workbook: open it in Excel and save it again as .xlsx ({_short(e)})") from None
    out: list[Table | SkippedSheet] = []
    try:
        try:
            parts = _parts(p) if zipped else {}  # sheet name → part, for every use below
        except (*UNREADABLE, KeyError, SyntaxError, ValueError) as e:
            if pre.sparse_sheets:  # read whole, such a sheet's grid would not fit
                raise InputError(name, "文件已损坏：请用 Excel 打开看看，能打开就另存为 .xlsx 再检查 / "
                                       f"corrupt: open it in Excel and save it again as .xlsx ({_short(e)})") from None
            parts = {}  # calamine could read what we cannot: the pieces are not needed, every sheet is read whole
        error_cells = _xlsx_error_cells(p, parts, pre.no_error_cells) if parts else {}
        if loader is not None:
            listed = {parts.get(meta.name) for meta in wb.sheets_metadata}
            for part, pieces in pre.pieces.items():
                if part not in listed:  # no sheet of the workbook is that part: free its read-ahead slots
                    loader.forget(pieces)
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                out.append(SkippedSheet(name, meta.name, "not a worksheet"))
                continue
            part = parts.get(meta.name)
            if part in pre.sparse_sheets:
                out.append(_read_sparse(p, name, meta.name, parts[meta.name], index, config))
                continue
            errors = error_cells.get(meta.name)
            if part in pre.pieces and loader is not None:
                grid = _Grid([(partial(loader.sheet, piece), piece.first_row) for piece in pre.pieces[part]])
                table = _from_calamine(name, meta.name, grid, index, config, errors)
                if table is not None:
                    out.append(table)
                    continue
                loader.forget(pre.pieces[part])
            try:
                sh = wb.get_sheet_by_name(meta.name)
                out.append(_from_calamine(name, meta.name, _Grid([(lambda sh=sh: sh, 0)]), index, config, errors,
                                          lambda sh=sh: sh.to_python(skip_empty_area=False)))
            except (pc.CalamineError, pc.XmlError, ValueError) as e:
                raise InputError(name, f"工作表无法读取，请用 Excel 打开后另存为 .xlsx 再检查 / sheet cannot be read: save the workbook again as .xlsx ({_short(e)})", meta.name) from None
    finally:
        wb.close()
    return out


class _GiveUp(Exception):
    """The rows are not what the sheet should give: read it the other way."""


class _Grid:
    """The rows of a sheet as calamine reads it whole: from Excel row 1, padded on the left to
    column A; from one calamine sheet or stitched from a cut sheet's pieces, each given as
    (a call that returns its calamine sheet, its first row), in order.

    ``iter_rows`` yields every row from Excel row 1 but drops the empty columns left of
    ``start``; a piece's rows above its own start are empty, so each piece gives the rows
    from where the one before ended to its own end. A piece is only waited for when its
    rows are wanted. Rows of different pieces may differ in length (their extents differ).
    """

    def __init__(self, parts: list[tuple[Callable[[], Any], int]]) -> None:
        self.parts = parts
        self.bottom = -1  # the last row given, once all are

    def rows(self) -> Iterator[list[Any]]:
        import python_calamine as pc

        his = [lo for _, lo in self.parts[1:]] + [1 << 40]
        for (get, lo), hi in zip(self.parts, his, strict=True):
            try:
                sh = get()
            except (pc.CalamineError, OSError, ValueError):
                raise _GiveUp from None  # a piece calamine refuses
            if sh.start is None or sh.end is None or not sh.height or not sh.width:
                continue
            (top, left), (bottom, _) = sh.start, sh.end
            if not lo <= top <= bottom < hi:
                raise _GiveUp  # the XML had rows out of order: a piece holds another's rows
            cur = self.bottom + 1
            it: Iterator[list[Any]] = islice(sh.iter_rows(), cur, None) if cur else sh.iter_rows()
            del sh
            if left:
                pad = [""] * left
                it = (pad + r for r in it)
            yield from it
            self.bottom = bottom


_CHUNK = 4096  # rows turned into columns at a time


def _from_calamine(name: str, sheet: str, grid: _Grid, index: AliasIndex, config: Config,
                   errors: dict[tuple[int, int], str] | None,
                   whole: Callable[[], list[list[Any]]] | None = None) -> Table | SkippedSheet | None:
    """A calamine sheet row by row (``iter_rows``), keeping only the columns the table needs.

    ``to_python`` would build the whole grid as Python lists first: the rows we keep
    are built once, in chunks, straight into columns, so a 100k-row sheet costs less
    memory than the bare grid. For an empty sheet, one of no known kind (small, rare,
    told apart as before) or rows that do not fit what calamine said of the sheet, the
    sheet is read ``whole``; None when there is no such fallback here (a cut sheet: its
    caller reads it uncut).
    """
    try:
        table = _columns(name, sheet, grid, index, config, errors)
    except _GiveUp:
        table = None
    if table is None and whole is not None:
        return table_from_rows(name, sheet, whole(), index, config, errors)
    return table


def _columns(name: str, sheet: str, grid: _Grid, index: AliasIndex, config: Config,
             errors: dict[tuple[int, int], str] | None) -> Table | None:
    it = grid.rows()
    head = list(islice(it, config.header_search_rows))
    hit = classify(head, index, config.header_search_rows) if head else None
    if hit is None:
        return None
    kind, h = hit
    cols: dict[int, list[Any]] = {c: [] for c in {*range(6), *_mapped_columns(head[h], kind, index)}}
    seen = len(head)
    chunk = head[h + 1:]
    while True:
        if chunk:
            m = len(chunk[0])
            if any(len(r) != m for r in chunk):  # rows of two pieces, or a piece's first rows
                m = max(map(len, chunk))
                chunk = [r + [""] * (m - len(r)) for r in chunk]
            t = list(zip(*chunk, strict=True))
            for c, acc in cols.items():
                acc.extend(t[c] if c < m else repeat("", len(chunk)))
        chunk = list(islice(it, _CHUNK))
        if not chunk:
            break
        seen += len(chunk)
    if seen != grid.bottom + 1:
        return None
    return build_table(name, sheet, kind, head[:h + 1], seen - h - 1, cols.__getitem__, index, errors)


def _mapped_columns(header: list[Any], kind: Kind, index: AliasIndex) -> list[int]:
    return [c for c, v in enumerate(header) if isinstance(v, str) and v.strip() and index.lookup(kind, v)]


def _parts(p: Path) -> dict[str, str]:
    with zipfile.ZipFile(p) as z:
        return sheet_parts(z)


def _read_sparse(p: Path, name: str, sheet: str, part: str, index: AliasIndex, config: Config) -> Table | SkippedSheet:
    from xml.parsers.expat import ExpatError

    from xl_dealer.sparse import read_sparse

    try:
        with zipfile.ZipFile(p) as z:
            rows, numbers = read_sparse(z, part, config.limits.max_columns)
    except (ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(name, f"工作表无法读取 / sheet cannot be read ({_short(e)})", sheet) from None
    return table_from_rows(name, sheet, rows, index, config, row_numbers=numbers)


def _short(e: Exception) -> str:
    s = str(e).splitlines()[0] if str(e) else type(e).__name__
    return s[:160]


_CELL_ERR = re.compile(rb'<c\b([^>]*?\bt="e"[^>]*)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")


def _xlsx_error_cells(p: Path, parts: dict[str, str],
                      none_in: Collection[str] = ()) -> dict[str, dict[tuple[int, int], str]]:
    """Formula error cells (#N/A, #DIV/0!) by sheet name (``parts``: name → part): calamine
    returns them as "".

    Each sheet is streamed looking for ``t="e"`` (parts in ``none_in`` were already seen
    without one by the pre-flight check); only a sheet that has one is read whole and
    scanned with a regex, and that is rare.
    """
    from xl_dealer.guard import chunks

    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(p) as z:
            for sheet, part in parts.items():
                if part in none_in:
                    continue
                try:
                    info = z.getinfo(part)
                except KeyError:
                    continue
                if info.file_size > 512 * 1024 * 1024:
                    continue
                try:
                    if not any(b't="e"' in data for data in chunks(z, info)):
                        continue
                    data = z.read(part)
                except UNREADABLE:  # calamine says what is wrong, if it needs to
                    continue
                cells: dict[tuple[int, int], str] = {}
                for m in _CELL_ERR.finditer(data):
                    ref, v = _REF.search(m[1]), _V.search(m[2])
                    if ref and v and v[1].decode() in ERROR_VALUES:
                        cells[(int(ref[2]), _col_index(ref[1].decode()))] = v[1].decode()
                if cells:
                    out[sheet] = cells
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name (``xl/worksheets/sheet1.xml``) from workbook.xml and its rels."""
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        t = rel.get("Target", "")
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        targets[rel.get("Id")] = t
    out = {}
    for s in wb.iter(f"{ns_main}sheet"):
        rid = s.get(f"{ns_rel}id")
        if rid in targets:
            out[s.get("name")] = targets[rid]
    return out
