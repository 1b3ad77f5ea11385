"""A streaming, sparse reader for the sheets calamine cannot hold densely.

Used only for sheets ``guard`` flags (values spread over a huge grid, such as A1
and XFD1048576). expat streams the sheet XML from the zip; only cells holding a
value are kept, rows beyond ``limits.max_columns`` columns are cut. Time and
memory grow with the cells that hold values, not with the grid. Values come out
as calamine gives them (floats, dates for date-formatted cells, str), and formula
errors as their text (#N/A), so the rest of the engine cannot tell the readers apart.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from typing import Any
from xml.parsers import expat

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47} | set(range(27, 37)) | set(range(50, 59))
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_EPOCH = dt.datetime(1899, 12, 30)


def _parser() -> expat.XMLParserType:
    p = expat.ParserCreate(namespace_separator=" ")
    # no DTDs, no external entities: guard already refused packages declaring them
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return p


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def shared_strings(z: zipfile.ZipFile) -> list[str]:
    try:
        fh = z.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    buf: list[str] = []
    state = {"t": False, "rph": 0}

    def start(name: str, attrs: dict) -> None:
        n = _local(name)
        if n == "si":
            buf.clear()
        elif n == "rPh":
            state["rph"] += 1
        elif n == "t" and not state["rph"]:
            state["t"] = True

    def end(name: str) -> None:
        n = _local(name)
        if n == "si":
            out.append("".join(buf))
        elif n == "rPh":
            state["rph"] -= 1
        elif n == "t":
            state["t"] = False

    def text(data: str) -> None:
        if state["t"]:
            buf.append(data)

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, text
    with fh:
        p.ParseFile(fh)
    return out


def date_styles(z: zipfile.ZipFile) -> set[int]:
    """Indices of cellXfs whose number format shows a date or time."""
    try:
        fh = z.open("xl/styles.xml")
    except KeyError:
        return set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    state = {"in_xfs": False}

    def start(name: str, attrs: dict) -> None:
        n = _local(name)
        if n == "numFmt":
            custom[int(attrs.get("numFmtId", 0))] = attrs.get("formatCode", "")
        elif n == "cellXfs":
            state["in_xfs"] = True
        elif n == "xf" and state["in_xfs"]:
            xfs.append(int(attrs.get("numFmtId", 0)))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            state["in_xfs"] = False

    p = _parser()
    p.StartElementHandler, p.EndElementHandler = start, end
    with fh:
        p.ParseFile(fh)
    out = set()
    for i, fmt in enumerate(xfs):
        if fmt in _BUILTIN_DATE_FORMATS or (fmt in custom and _DATE_CODE.search(_QUOTED.sub("", custom[fmt]))):
            out.add(i)
    return out


def _col(ref: str) -> tuple[int, int] | None:
    """A reference as calamine reads it (letters of either case): (0-based column, row), or None."""
    n = i = 0
    while i < len(ref) and ("A" <= ref[i] <= "Z" or "a" <= ref[i] <= "z"):
        n = n * 26 + ord(ref[i].upper()) - 64
        i += 1
    if not n or not ref[i:].isdigit() or not ref[i:].isascii():
        return None
    return n - 1, int(ref[i:])


def read_sparse(z: zipfile.ZipFile, part: str, max_columns: int) -> tuple[list[list[Any]], list[int]]:
    """(rows, Excel row numbers) of the rows holding at least one value in the first ``max_columns``."""
    strings = shared_strings(z)
    dates = date_styles(z)
    rows: dict[int, dict[int, Any]] = {}
    # a cell without r= is placed as calamine places it: after the cell before it, on the row
    # its <row r=> names (or the one after the row before)
    cur: dict[str, Any] = {"pos": None, "t": "n", "s": 0, "buf": [], "in_v": False, "row": 0, "col": 0}

    def start(name: str, attrs: dict) -> None:
        n = _local(name)
        if n == "c":
            ref = _col(attrs["r"]) if "r" in attrs else None
            if ref is not None:
                cur["col"] = ref[0]
                cur["pos"] = (ref[1], ref[0])
            else:
                cur["pos"] = (cur["row"] + 1, cur["col"])
            cur["t"] = attrs.get("t", "n")
            s = attrs.get("s", "0")
            cur["s"] = int(s) if s.isdigit() else 0
            cur["buf"] = []
        elif n in ("v", "t") and cur["pos"] is not None:
            cur["in_v"] = True
        elif n == "row":
            r = attrs.get("r", "")
            if r.isdigit() and r.isascii():
                cur["row"] = int(r) - 1

    def end(name: str) -> None:
        n = _local(name)
        if n in ("v", "t"):
            cur["in_v"] = False
        elif n == "row":
            cur["row"] += 1
            cur["col"] = 0
        elif n == "c":
            pos, text = cur["pos"], "".join(cur["buf"])
            cur["pos"] = None
            cur["col"] += 1
            if pos is None or text == "":
                return
            r, c = pos
            if c >= max_columns:
                return
            rows.setdefault(r, {})[c] = _value(cur["t"], cur["s"], text, strings, dates)

    def chars(data: str) -> None:
        if cur["in_v"]:
            cur["buf"].append(data)

    p = _parser()
    p.buffer_text = True
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    with z.open(part) as fh:
        p.ParseFile(fh)
    numbers = sorted(rows)
    out = []
    for r in numbers:
        cells = rows[r]
        row = [""] * (max(cells) + 1)
        for c, v in cells.items():
            row[c] = v
        out.append(row)
    return out, numbers


def _value(t: str, style: int, text: str, strings: list[str], dates: set[int]) -> Any:
    if t == "s":
        i = int(text) if text.isdigit() else -1
        return strings[i] if 0 <= i < len(strings) else ""
    if t in ("str", "inlineStr", "e"):
        return text
    if t == "b":
        return text == "1"
    try:
        f = float(text)
    except ValueError:
        return text
    if style in dates and 0 <= f < 2958466:  # a date Excel can show (up to 9999-12-31)
        d = _EPOCH + dt.timedelta(days=f)
        if f < 1:
            return d.time()
        return d.date() if f.is_integer() else d
    return f  # out of range, inf or nan: the number itself, which the checks call no date
