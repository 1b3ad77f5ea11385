"""The plain ``mark_cells`` of before issue 19's annotate pass, kept as the reference the fast one
must equal byte for byte (``tests/test_speed_annotate.py``). Do not speed this one up."""

from __future__ import annotations

import re
from collections.abc import Mapping

from xl_dealer.xlsx.package import PackageError, get_attr, remove_attr, set_attr
from xl_dealer.xlsx.sheet import _REF, K, StyleFor, col_index, col_letters, root_prefix


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


def mark_cells(xml: bytes, marks: Mapping[int, Mapping[int, K]], style_for: StyleFor[K]) -> bytes:
    """Give each marked cell (``marks[row][col]``) the xf ``style_for`` returns.

    Existing cells keep their value, formula and type; only ``s=`` changes.
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
    sd_end = xml.find(b"</" + p + b"sheetData>", sd.end())
    if sd_end < 0:
        raise PackageError("worksheet <sheetData> is not closed")
    row_end = b"</" + p + b"row>"
    src = memoryview(xml)  # slices of the untouched stretches are views, copied once by join
    pending = sorted(marks, reverse=True)  # popped from the end: smallest row first
    out: list[bytes] = []
    pos = 0
    last = 0
    row_re = re.compile(rb"<" + ep + rb"row\b([^>]*?)(/?)>")
    for m in row_re.finditer(xml, sd.end(), sd_end):
        r_attr = get_attr(m[0], b"r")
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
            if m[2]:
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
    return b"".join(out)


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


def _cell_re(p: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"<" + re.escape(p) + rb"c\b[^>]*?/?>")


def _new_row(p: bytes, r: int, cols: Mapping[int, K], col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes:
    cells = b"".join(_new_cell(p, r, c, style_for(col_styles.get(c, 0), cols[c])) for c in sorted(cols))
    return b"<" + p + b'row r="' + str(r).encode() + b'">' + cells + b"</" + p + b"row>"


def _new_cell(p: bytes, r: int, c: int, s: int) -> bytes:
    return b"<" + p + b'c r="' + f"{col_letters(c)}{r}".encode() + b'" s="' + str(s).encode() + b'"/>'


def _edit_row(p: bytes, row: bytes, tag_len: int, r: int, cols: Mapping[int, K],
              col_styles: dict[int, int], style_for: StyleFor[K]) -> bytes:
    start = row[:tag_len]
    selfclosing = start.endswith(b"/>")
    body = b"" if selfclosing else row[tag_len:len(row) - len(b"</" + p + b"row>")]
    row_s = get_attr(start, b"s") if get_attr(start, b"customFormat") in (b"1", b"true") else None
    todo = dict(cols)
    out: list[bytes] = []
    pos = 0
    last = -1
    inserted = False
    cells = list(_cell_re(p).finditer(body))
    present = set()
    prev = -1
    for m in cells:
        ref = get_attr(m[0], b"r")
        rm = _REF.match(ref) if ref else None
        prev = col_index(rm[1]) if rm else prev + 1
        present.add(prev)
    for m in cells:
        ref = get_attr(m[0], b"r")
        rm = _REF.match(ref) if ref else None
        c = col_index(rm[1]) if rm else last + 1
        last = c
        # a missing cell goes before the first cell right of it; one that is there (further along,
        # cells out of order) is edited where it is, never written twice
        before = sorted(k for k in todo if k < c and k not in present) if todo and min(todo) < c else None
        if before:
            out.append(body[pos:m.start()])
            out += [_new_cell(p, r, k, style_for(_blank_style(k, row_s, col_styles), todo.pop(k))) for k in before]
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


def _blank_style(c: int, row_s: bytes | None, col_styles: dict[int, int]) -> int:
    """The xf a cell without <c> shows: the row's style if set, else its column's."""
    if row_s is not None:
        return int(row_s)
    return col_styles.get(c, 0)


