"""Marks on the clerk's cells: a colour by severity and a note with the message.

What we add is recorded, so ``clear_marks`` removes exactly that and nothing of the
clerk's: a hidden sheet ``xl_dealer_marks`` lists each marked cell with the colour it
had before and whether the note is ours. On clearing, a cell gets its old colour back
only if it still has ours (a clerk who recoloured it meanwhile keeps their colour),
and a note is deleted only if it still starts with our first line. A clerk's own
note on a bad cell is never touched; that finding is listed only in 校验结果.

Our note reads as a marked copy's does (``render.results``): the ``——— xl-dealer 校验 ———``
line, then a 【错误】… line per finding. So a book marked here, saved and then given to
``xl-dealer annotate``, has its notes recognised and replaced there too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xl_dealer.excel.book import MARKS_SHEET, address_chunks, find_sheet
from xl_dealer.excel.grid import as_rows
from xl_dealer.model.catalogue import SEVERITIES
from xl_dealer.model.findings import Finding
from xl_dealer.render.results import NOTE_SEPARATOR
from xl_dealer.render.results import note_text as shared_note_text

NOTE_PREFIX = NOTE_SEPARATOR["zh"] + "\n"
OLD_PREFIX = "[xl_dealer] "  # notes from before the separator: still ours
# Excel's own "bad / neutral / note" pastel fills, so text stays readable
COLOURS: dict[str, tuple[int, int, int]] = {
    "error": (255, 199, 206),  # red
    "warning": (255, 235, 156),  # amber
    "info": (189, 215, 238),  # blue
}
MARKS_HEADER = ["sheet", "cell", "old_colour", "our_colour", "our_note"]


def to_hex(colour: Any) -> str:
    """An xlwings colour (RGB tuple, '#hex' or None) as '#rrggbb', '' for none."""
    if colour is None or colour == "":
        return ""
    if isinstance(colour, str):
        return colour.lower()
    r, g, b = colour
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def note_text(findings: list[Finding]) -> str:
    return NOTE_PREFIX + shared_note_text(findings, "zh")


def is_ours(text: str | None) -> bool:
    return bool(text) and (text.startswith(NOTE_PREFIX) or text.startswith(OLD_PREFIX))


def cells_of(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    """Findings that sit on a cell, by (sheet, cell), in finding order."""
    out: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell:
            out[(f.sheet, f.cell)].append(f)
    return out


def mark(book: Any, findings: list[Finding]) -> list[list[str]]:
    """Colour and note every bad cell; returns the records written to the marks sheet."""
    records: list[list[str]] = []
    to_colour: dict[tuple[str, tuple[int, int, int]], list[str]] = defaultdict(list)
    sheets: dict[str, Any] = {}
    for (sname, cell), fs in cells_of(findings).items():
        if sname not in sheets:
            sheets[sname] = find_sheet(book, sname)
        sheet = sheets[sname]
        if sheet is None:
            continue
        worst = min((f.severity for f in fs), key=SEVERITIES.index)
        colour = COLOURS.get(worst, COLOURS["info"])
        rng = sheet.range(cell)
        old = rng.color
        note = rng.note
        ours = False
        if note is None:
            rng.add_note(note_text(fs))
            ours = True
        elif is_ours(note.text):  # ours from a run whose record was lost
            note.text = note_text(fs)
            ours = True
        records.append([sname, cell, to_hex(old), to_hex(colour), "1" if ours else ""])
        to_colour[(sname, colour)].append(cell)
    # one Range("A2,C5,…") per colour instead of a COM call per cell
    for (sname, colour), cells in to_colour.items():
        for addr in address_chunks(cells):
            sheets[sname].range(addr).color = colour
    _write_records(book, records)
    return records


def _write_records(book: Any, records: list[list[str]]) -> None:
    sheet = find_sheet(book, MARKS_SHEET)
    if not records:
        if sheet is not None:
            sheet.delete()
        return
    if sheet is None:
        active = book.sheets.active
        sheet = book.sheets.add(MARKS_SHEET, after=list(book.sheets)[-1])
        sheet.visible = False
        active.activate()
    else:
        sheet.clear()
    sheet.range("A1").value = [MARKS_HEADER, *records]


def _text(v: Any) -> str:
    """A cell read back as text (Excel may turn a sheet name like 2026 into 2026.0)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def clear_marks(book: Any) -> int:
    """Remove our colours and notes (see module doc); returns how many cells were restored."""
    restored = 0
    sheet = find_sheet(book, MARKS_SHEET)
    if sheet is not None:
        rows = as_rows(sheet.used_range.options(ndim=2).value)
        by_sheet: dict[str, Any] = {}
        for row in rows[1:]:
            sname, cell, old, ours, noted = (_text(v) for v in (list(row) + [None] * 5)[:5])
            if sname not in by_sheet:
                by_sheet[sname] = find_sheet(book, sname)
            target = by_sheet[sname]
            if target is None or not cell:
                continue
            rng = target.range(cell)
            if noted:
                note = rng.note
                if note is not None and is_ours(note.text):
                    note.delete()
            if to_hex(rng.color) == ours.lower():
                rng.color = old or None
                restored += 1
        sheet.delete()
    _sweep_notes(book)
    return restored


def _sweep_notes(book: Any) -> None:
    """Our notes left without a record (the marks sheet deleted by hand): delete by prefix."""
    for sheet in book.sheets:
        ours = [n for n in sheet.notes if is_ours(n.text)]
        for n in ours:
            n.delete()
