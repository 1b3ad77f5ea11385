"""Restyling cells in a worksheet's XML without parsing the whole sheet.

A sheet is split at ``<row`` start tags; only rows that get a mark are rebuilt,
every other byte is copied. Missing cells (a blank required cell has no
``<c>`` at all) are inserted in column order, and missing rows in row order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TypeVar

from xl_dealer.xlsx.package import (
    NS_REL,
    PackageError,
    get_attr,
    remove_attr,
    set_attr,
    top_level_insert_at,
)

K = TypeVar("K")
StyleFor = Callable[[int, K], int]  # (existing xf index, mark) -> xf index to use

_REF = re.compile(rb"^([A-Z]{1,3})(\d+)$")
# elements that follow <legacyDrawing> in CT_Worksheet
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                 "webPublishItems", "tableParts", "extLst")


def col_index(letters: bytes | str) -> int:
    """Excel letters → 0-based index (A → 0)."""
    if isinstance(letters, bytes):
        letters = letters.decode()
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(index: int) -> str:
    s, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def parse_ref(ref: str) -> tuple[int, int]:
    """'H12' → (12, 7): Excel row, 0-based column."""
    m = _REF.match(ref.encode())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m[2]), col_index(m[1])


def root_prefix(xml: bytes, root: bytes = b"worksheet") -> bytes:
    """The namespace prefix of the root element with its colon (b'' for the default namespace)."""
    m = re.search(rb"<([\w.-]+:)?" + root + rb"\b", xml)
    if not m:
        raise PackageError(f"no <{root.decode()}> root element")
    return m[1] or b""


def _column_styles(xml: bytes, p: bytes, limit: int) -> dict[int, int]:
    """0-based column → default xf from <cols> (what a blank cell in that column shows)."""
    out: dict[int, int] = {}
    m = re.search(rb"<" + re.escape(p) + rb"cols>(.*?)</" + re.escape(p) + rb"cols>", xml[:limit], re.S)
    if not m:
        return out
    for c in re.finditer(rb"<" + re.escape(p) + rb"col\b[^>]*>", m[1]):
        style, lo, hi = get_attr(c[0], b"style"), get_attr(c[0], b"min"), get_attr(c[0], b"max")
        if style and lo and hi and int(hi) - int(lo) < 20000:
            for i in range(int(lo) - 1, int(hi)):
                out[i] = int(style)
    return out


def mark_cells(xml: bytes, marks: Mapping[int, Mapping[int, K]], style_for: StyleFor[K],
               mutable: bool = False) -> bytes:
    """Give each marked cell (``marks[row][col]``) the xf ``style_for`` returns.

    Existing cells keep their value, formula and type; only ``s=`` changes. ``mutable``: the
    new sheet as a bytearray, which ``add_legacy_drawing`` extends in place (not a third copy
    of a 100 MB sheet).
    """
    if not marks:
        return xml
    p = root_prefix(xml)
    ep = re.escape(p)
    sd = re.search(rb"<" + ep + rb"sheetData\b[^>]*?(/?)>", xml)
    if sd is None:
        raise PackageError("worksheet has no <sheetData>")
    col_styles = _column_styles(xml, p, sd.start())
    if sd[1]:  # <sheetData/>: open it up so rows can go in
        xml = xml[:sd.start()] + b"<" + p + b"sheetData>" + b"</" + p + b"sheetData>" + xml[sd.end():]
        sd = re.search(rb"<" + ep + rb"sheetData\b[^>]*>", xml)
        assert sd is not None
    sd_end = _sheet_data_end(xml, p, sd.end())
    if sd_end < 0:
        raise PackageError("worksheet <sheetData> is not closed")
    row_end = b"</" + p + b"row>"
    src = memoryview(xml)  # slices of the untouched stretches are views, copied once by join
    pending = sorted(marks, reverse=True)  # popped from the end: smallest row first
    out: list[bytes] = []
    pos = 0
    last = 0
    for m in _row_re(p).finditer(xml, sd.end(), sd_end):
        r_attr = m[2]  # the r= that get_attr would find, read by the same search (no call per row)
        r = int(r_attr) if r_attr else last + 1
        if r < last:  # rows out of order (some writers): every row is found first
            return _mark_unordered(xml, p, sd.end(), sd_end, marks, col_styles, style_for)
        last = r
        while pending and pending[-1] < r:
            if _has_row(xml, p, pending[-1], m.start(), sd_end):  # it is further down, out of order
                return _mark_unordered(xml, p, sd.end(), sd_end, marks, col_styles, style_for)
            out += [src[pos:m.start()], _new_row(p, pending[-1], marks[pending[-1]], col_styles, style_for)]
            pos = m.start()
            pending.pop()
        if pending and pending[-1] == r:
            if m[4]:
                end = m.end()
            else:
                end = xml.find(row_end, m.end())
                if end < 0:
                    raise PackageError(f"row {r} is not closed")
                end += len(row_end)
            out += [src[pos:m.start()], _edit_row(p, xml[m.start():end], m.end() - m.start(), r,
                                                  marks[r], col_styles, style_for)]
            pos = end
            pending.pop()
        if not pending:
            break
    if pending:
        out.append(src[pos:sd_end])
        out += [_new_row(p, r, marks[r], col_styles, style_for) for r in reversed(pending)]
        pos = sd_end
    out.append(src[pos:])
    return (bytearray() if mutable else b"").join(out)


def _sheet_data_end(xml: bytes, p: bytes, start: int) -> int:
    """Where ``</sheetData>`` is: looked for from the end, a few kB from it, not over the whole
    85 MB (0.045 s). A close text in a comment, CDATA or processing instruction after the real
    one would be found instead (a mark's new row would go into the comment), so a close not
    followed by tags alone, or with such an end after it, is looked for from ``start`` as before."""
    close = b"</" + p + b"sheetData>"
    at = xml.rfind(close, start)
    if at < 0:
        return at
    tail = xml[at + len(close):]  # a few kB, copied once
    lt = tail.find(b"<")
    if tail[:lt if lt >= 0 else len(tail)].strip() or any(e in tail for e in (b"-->", b"]]>", b"?>")):
        return xml.find(close, start)
    return at


def _has_row(xml: bytes, p: bytes, r: int, start: int, end: int) -> bool:
    """Is there a ``<row r="r">`` between ``start`` and ``end``? Asked only before a new row is
    added (a finding's row nearly always exists), so a row written out of order is never doubled."""
    pat = re.compile(rb"<" + re.escape(p) + rb'row\b[^>]*?\sr="' + str(r).encode() + rb'"')
    return pat.search(xml, start, end) is not None


def _mark_unordered(xml: bytes, p: bytes, start: int, end: int, marks: Mapping[int, Mapping[int, K]],
                    col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes:
    """``mark_cells`` for a sheet whose rows are not in order: every row is found first (the first
    of a number, as a reader takes it), each marked row edited where it is, a missing one added
    before the first row with a higher number, in the order the XML has them."""
    row_re = re.compile(rb"<" + re.escape(p) + rb"row\b([^>]*?)(/?)>")
    row_end = b"</" + p + b"row>"
    where: dict[int, tuple[int, int, int]] = {}  # row → (start, end, start tag length)
    order: list[tuple[int, int]] = []  # (row, start) in the XML's order
    last = 0
    for m in row_re.finditer(xml, start, end):
        r_attr = get_attr(m[0], b"r")
        r = int(r_attr) if r_attr else last + 1
        last = r
        if m[2]:
            stop = m.end()
        else:
            stop = xml.find(row_end, m.end(), end)
            if stop < 0:
                raise PackageError(f"row {r} is not closed")
            stop += len(row_end)
        where.setdefault(r, (m.start(), stop, m.end() - m.start()))
        order.append((r, m.start()))
    edits: list[tuple[int, int, bytes]] = []  # (from, to, replacement)
    for r, cols in marks.items():
        if r in where:
            a, b, tag_len = where[r]
            edits.append((a, b, _edit_row(p, xml[a:b], tag_len, r, cols, col_styles, style_for)))
        else:
            at = next((s0 for rr, s0 in order if rr > r), end)
            edits.append((at, at, _new_row(p, r, cols, col_styles, style_for)))
    edits.sort(key=lambda e: (e[0], e[1]))
    out: list[bytes] = []
    pos = 0
    for a, b, new in edits:
        out += [xml[pos:a], new]
        pos = b
    out.append(xml[pos:])
    return b"".join(out)


# A start tag up to its first ">", with the value of its first r= (as ``get_attr`` would find it:
# the leftmost ``\sr="..."``; a value cannot hold ">" because the tag ends at the first one).
_R_ATTR = rb"""(?:[^>]*?\sr=(["'])([^"'>]*)\1)?"""


@lru_cache(maxsize=8)
def _row_re(p: bytes) -> re.Pattern[bytes]:
    """``<row ...>``: group 2 its r=, group 4 the "/" of a self-closing row."""
    return re.compile(rb"<" + re.escape(p) + rb"row\b" + _R_ATTR + rb"([^>]*?)(/?)>")


@lru_cache(maxsize=8)
def _cell_re(p: bytes) -> re.Pattern[bytes]:
    """``<c ...>``: group 2 its r=."""
    return re.compile(rb"<" + re.escape(p) + rb"c\b" + _R_ATTR + rb"[^>]*?/?>")


_COLUMNS: dict[bytes, int] = {}  # letters → 0-based column: at most 18,278 of them


def _ref_column(ref: bytes | None) -> int | None:
    """The column of a cell's r= (None when it is not a reference); the letters' index is
    memoised, since every cell of a marked row is looked at and the letters repeat."""
    rm = _REF.match(ref) if ref else None
    if rm is None:
        return None
    c = _COLUMNS.get(rm[1])
    if c is None:
        c = _COLUMNS[rm[1]] = col_index(rm[1])
    return c


def _new_row(p: bytes, r: int, cols: Mapping[int, K], col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes:
    cells = b"".join(_new_cell(p, r, c, style_for(col_styles.get(c, 0), cols[c])) for c in sorted(cols))
    return b"<" + p + b'row r="' + str(r).encode() + b'">' + cells + b"</" + p + b"row>"


def _new_cell(p: bytes, r: int, c: int, s: int) -> bytes:
    return b"<" + p + b'c r="' + f"{col_letters(c)}{r}".encode() + b'" s="' + str(s).encode() + b'"/>'


def _row_style(start: bytes) -> bytes | None:
    """The style a row's start tag gives its blank cells (only with customFormat)."""
    return get_attr(start, b"s") if get_attr(start, b"customFormat") in (b"1", b"true") else None


def _edit_row(p: bytes, row: bytes, tag_len: int, r: int, cols: Mapping[int, K],
              col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes:
    fast = _edit_plain_row(p, row, tag_len, r, cols, col_styles, style_for)
    if fast is not None:
        return fast
    start = row[:tag_len]
    selfclosing = start.endswith(b"/>")
    body = b"" if selfclosing else row[tag_len:len(row) - len(b"</" + p + b"row>")]
    row_s = _row_style(start)
    todo = dict(cols)
    out: list[bytes] = []
    pos = 0
    last = -1
    inserted = False
    # cells are matched only as far as the last mark, unless one is missing: then all of them
    found = _cell_re(p).finditer(body)
    cells: list[re.Match[bytes]] = []
    present: set[int] | None = None  # every cell's column, found only when a mark has no cell yet
    i = -1
    while todo:  # until every mark is placed: the rest of the row is copied as it is
        i += 1
        if i == len(cells):
            m = next(found, None)
            if m is None:
                break
            cells.append(m)
        m = cells[i]
        c = _ref_column(m[2])
        c = last = c if c is not None else last + 1  # no r=: the one after the cell before it
        # a missing cell goes before the first cell right of it; one that is there (further along,
        # cells out of order) is edited where it is, never written twice
        if min(todo) < c:
            if present is None:
                cells += found
                present = _columns_from(cells, i, c)
            before = sorted(k for k in todo if k < c and k not in present)
            if before:
                out.append(body[pos:m.start()])
                out += [_new_cell(p, r, k, style_for(_blank_style(k, row_s, col_styles), todo.pop(k)))
                        for k in before]
                pos = m.start()
                inserted = True
        if c in todo:
            old = get_attr(m[0], b"s")
            new = style_for(int(old) if old else 0, todo.pop(c))
            out += [body[pos:m.start()], set_attr(m[0], b"s", str(new).encode())]
            pos = m.end()
    if todo:
        # after the last cell, before the row's own extLst if it has one
        ext = re.search(rb"<" + re.escape(p) + rb"extLst\b", body[pos:])
        at = pos + ext.start() if ext else len(body)
        out.append(body[pos:at])
        out += [_new_cell(p, r, k, style_for(_blank_style(k, row_s, col_styles), todo[k])) for k in sorted(todo)]
        pos = at
        inserted = True
    out.append(body[pos:])
    if inserted:
        start = remove_attr(start, b"spans")  # an optional hint that may no longer cover the row
    if selfclosing:
        start = start[:-2] + b">"
    return start + b"".join(out) + b"</" + p + b"row>"


@lru_cache(maxsize=8)
def _plain_cell_re(p: bytes) -> re.Pattern[bytes]:
    """Every ``<c>`` start tag as ``_cell_re`` finds them (from ``<c`` to the first ``>``); group
    1 its digits when its first attribute is a plain ``r="H12"`` (else empty)."""
    return re.compile(rb"<" + re.escape(p) + rb'c\b(?: r="[A-Z]{1,3}(\d+)")?[^>]*>')


@lru_cache(maxsize=8)
def _letters_re(p: bytes) -> re.Pattern[bytes]:
    """A cell's column letters where its start tag begins with a plain ``r=`` (``_edit_plain_row``
    uses it only on a row whose every cell ``_plain_cell_re`` has found so)."""
    return re.compile(rb"<" + re.escape(p) + rb'c r="([A-Z]{1,3})')


def _edit_plain_row(p: bytes, row: bytes, tag_len: int, r: int, cols: Mapping[int, K],
                    col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes | None:
    """``_edit_row`` for a row as Excel, WPS, LibreOffice and openpyxl write one: each marked
    cell found by its reference (``<c r="H12"`` right after a ``>``), and every cell before the
    last of them (all of them, when a cell is to be added) with a plain ``r="<letters><this
    row>"`` first, which one C-level search checks. The walk looks at each of those cells in
    Python (25 µs a row against 9 here); None for any other row, which it then does.

    The result is the walk's, byte for byte, and so is the order of ``style_for``'s calls (its
    xf clones are numbered as they come): a mark on a cell that is there, at that cell's first
    occurrence; a missing one before the first cell to its right in the XML's order, in column
    order there; the rest after the last cell (not in a row with an ``extLst``)."""
    if not cols or row.endswith(b"/>", 0, tag_len):
        return None  # nothing marked (the walk gives the row back), or an empty row
    digits = str(r).encode()
    body_end = len(row) - len(b"</" + p + b"row>")
    cell_open = b"<" + p + b'c r="'
    events: list[tuple[int, int, int]] = []  # (offset in the row, 0 insert before / 1 edit, column)
    missing: list[int] = []
    for k in cols:
        at = row.find(cell_open + col_letters(k).encode() + digits + b'"', tag_len, body_end)
        if at < 0:
            missing.append(k)
        elif row[at - 1] != 62:  # not right after a ">": perhaps inside another tag
            return None
        else:
            events.append((at, 1, k))
    # the cells the walk would look at: up to the last marked one, or all when one is missing
    scan_end = body_end if missing else row.index(b">", max(events)[0]) + 1
    found = _plain_cell_re(p).findall(row, tag_len, scan_end)
    if found.count(digits) != len(found):  # a cell with no plain r=, or another row's reference
        return None
    if missing:
        order = []  # (column, offset) of each cell, in the XML's order
        for m in _letters_re(p).finditer(row, tag_len, body_end):
            c = _COLUMNS.get(m[1])
            if c is None:
                c = _COLUMNS[m[1]] = col_index(m[1])
            order.append((c, m.start()))
        for k in missing:
            # before the first cell to its right, the first of its column (none: after the last cell)
            at = next((o for c, o in order if c > k), body_end)
            if row[at - 1] != 62 or (at == body_end and b"extLst" in row):
                return None
            events.append((at, 0, k))
    events.sort()
    start = row[:tag_len]
    row_s = _row_style(start) if missing else None  # only an added cell takes it
    out: list[bytes] = []
    pos = tag_len
    for at, edit, k in events:
        out.append(row[pos:at])
        pos = at
        if edit:
            tag_end = row.index(b">", at) + 1
            old = get_attr(row[at:tag_end], b"s")
            new = style_for(int(old) if old else 0, cols[k])
            out.append(set_attr(row[at:tag_end], b"s", str(new).encode()))
            pos = tag_end
        else:
            out.append(_new_cell(p, r, k, style_for(_blank_style(k, row_s, col_styles), cols[k])))
    out.append(row[pos:])
    if missing:
        start = remove_attr(start, b"spans")  # an optional hint that may no longer cover the row
    return start + b"".join(out)


def _columns_from(cells: list[re.Match[bytes]], i: int, c: int) -> set[int]:
    """The columns of all a row's cells, from cell ``i`` (of column ``c``) on to the end and those
    before it (each is its r=, or the one after the cell before it)."""
    out: set[int] = set()
    last = -1
    for m in cells[:i]:
        k = _ref_column(m[2])
        last = k if k is not None else last + 1
        out.add(last)
    last = c
    out.add(c)
    for m in cells[i + 1:]:
        k = _ref_column(m[2])
        last = k if k is not None else last + 1
        out.add(last)
    return out


def _blank_style(c: int, row_s: bytes | None, col_styles: dict[int, int]) -> int:
    """The xf a cell without <c> shows: the row's style if set, else its column's."""
    if row_s is not None:
        return int(row_s)
    return col_styles.get(c, 0)


def _tail(xml: bytes) -> int:
    """Offset of the last ``sheetData`` mention: elements after the rows are only looked for there."""
    return max(xml.rfind(b"sheetData"), 0)


def legacy_drawing_rid(xml: bytes) -> str | None:
    m = re.compile(rb"<(?:[\w.-]+:)?legacyDrawing\b[^>]*>").search(xml, _tail(xml))
    if not m:
        return None
    rid = re.search(rb'\s[\w.-]+:id="([^"]*)"', m[0])
    return rid[1].decode() if rid else None


def add_legacy_drawing(xml: bytes, rid: str) -> bytes:
    """Insert ``<legacyDrawing r:id=…/>`` where CT_Worksheet wants it (notes need it). A
    bytearray is extended in place: the element goes after the rows, so only the tail moves."""
    p = root_prefix(xml)
    root = re.search(rb"<" + re.escape(p) + rb"worksheet\b[^>]*>", xml)
    assert root is not None
    rp = re.search(rb'xmlns:([\w.-]+)="' + re.escape(NS_REL.encode()) + rb'"', root[0])
    attr = (rp[1] + b':id="' + rid.encode() + b'"') if rp else (
        b'xmlns:xldr="' + NS_REL.encode() + b'" xldr:id="' + rid.encode() + b'"')
    sd_close = xml.rfind(b"sheetData")
    start = xml.index(b">", sd_close) + 1 if sd_close >= 0 else root.end()
    at = top_level_insert_at(xml, start, _AFTER_LEGACY, b"</" + p + b"worksheet>")
    element = b"<" + p + b"legacyDrawing " + attr + b"/>"
    if isinstance(xml, bytearray):
        xml[at:at] = element
        return xml
    mv = memoryview(xml)  # one copy of a 100 MB sheet, not three
    return b"".join((mv[:at], element, mv[at:]))
