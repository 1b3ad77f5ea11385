"""The marked copy of one workbook: bad cells filled by severity, a note on each, and the
校验结果 sheet, written by editing the package's parts (every other part is copied as it was).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.model.findings import Finding
from xl_dealer.model.language import said
from xl_dealer.read.copies import MARKED_SUFFIX, is_marked_copy
from xl_dealer.render.results import NOTE_SEPARATOR, NOTE_TAGS, Summary, note_text, worst
from xl_dealer.xlsx.notes import add_notes
from xl_dealer.xlsx.package import Package, PackageError
from xl_dealer.xlsx.record import (
    Mark,
    Record,
    find_record,
    restore_cells,
    seal,
    strip_notes,
    write_record,
)
from xl_dealer.xlsx.results import (
    free_name,
    has_our_tab,
    header_row,
    is_our_results,
    results_sheet_xml,
    shared_strings,
)
from xl_dealer.xlsx.sheet import mark_cells, parse_ref
from xl_dealer.xlsx.styles import Styles


def annotate_file(src: Path, dst: Path, findings: list[Finding], config: Config,
                  version: tuple[int, int, int] | None = None, summary: Summary | None = None) -> tuple[int, int]:
    """Write the marked copy of one workbook; returns (cells filled, notes added).

    A source that is itself a marked copy (or holds our record) first loses our earlier fills
    and notes (``xlsx.record``), so a cell the clerk has fixed since is no longer marked.
    ``version``: the (size, mtime, inode) that was checked; another version is not marked.
    """
    lang = "en" if config.lang == "en" else "zh"
    with Package(src) as pkg:
        if version is not None and pkg.version() != version:
            # saved since it was checked: these findings are of another version of the cells
            raise InputError(str(src), said("文件在检查之后被修改过，没有制作标记副本：请再运行一次", "the file was saved after it was checked: no marked copy made, run annotate again"))
        found = find_record(pkg)
        styles = Styles(pkg)
        exact = found.styles_unchanged(styles)  # indices still ours: an untouched copy gets its xfs back
        fills = {sev: styles.fill("FF" + rgb.upper()) for sev, rgb in config.mark_fills.items()}
        our_fills = {"FF" + rgb.upper() for rgb in config.mark_fills.values()} | found.fills
        sheets = {name: part for name, _, part in pkg.sheets() if part and pkg.has(part)}
        results_name = _results_sheet(pkg, sheets, config.results_sheet, found.attrs.get("results"))
        ours = results_name in sheets
        on_cells: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        for f in findings:
            if f.sheet in sheets and f.cell and f.sheet != results_name:
                on_cells[f.sheet][f.cell.upper()].append(f)
        record: Record = {}
        looks: dict[tuple[int, str], tuple[int, bytes, bytes | None]] = {}  # (xf, level) → ours, its fill
        n_cells = n_notes = 0
        for sheet, part in sheets.items():
            if sheet == results_name:
                continue
            # earlier runs' notes, ours only (recognised by their text: authors do not survive every save)
            noted = strip_notes(pkg, part, NOTE_SEPARATOR.values(), NOTE_TAGS)
            cells = on_cells.get(sheet, {})
            old = found.cells.get(sheet, {})
            if not cells and not old and not noted:
                continue
            xml = pkg.read(part)
            if old or noted:
                xml, _ = restore_cells(xml, old, styles, our_fills, exact, noted - set(old))
            marked: dict[str, Mark] = {}
            marks: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
            for ref, fs in cells.items():
                row, col = parse_ref(ref)
                marks[row][col] = (worst(fs), ref)

            def style_for(s: int, mark: tuple[str, str], marked: dict[str, Mark] = marked) -> int:
                look = looks.get((s, mark[0]))
                if look is None:  # an xf's clone and fill are the same for every cell that has it
                    xf = styles.clone_xf(s, fill=fills.get(mark[0], fills["error"]))
                    look = looks[(s, mark[0])] = (xf, *styles.fill_of(s))
                marked[mark[1]] = Mark(s, *look)
                return look[0]

            xml = mark_cells(xml, marks, style_for, mutable=True)
            notes = {ref: note_text(fs, lang) for ref, fs in cells.items()}
            xml = add_notes(pkg, part, xml, notes, NOTE_SEPARATOR[lang])
            pkg.write(part, xml)
            record[sheet] = marked
            n_cells += len(cells)
            n_notes += len(notes)
        if summary is not None and ours:  # the list being replaced is not one of the clerk's sheets "not checked"
            summary = replace(summary, sheets=[s for s in summary.sheets if s.name != results_name or s.kind])
        xml = results_sheet_xml(findings, lang, set(sheets), styles, fills, summary)
        if ours:  # a copy of a copy: replace our old list, do not add a second one
            pkg.write(sheets[results_name], xml)
        else:
            pkg.add_sheet(results_name, xml)
        head = header_row(summary, findings, lang)
        pkg.set_print_titles(results_name, f"${head}:${head}")
        pkg.set_active_sheet(results_name)
        styles.save()
        part = write_record(pkg, found.part, record, our_fills,
                            _attrs(src, version, found.attrs if is_marked_copy(src) else None, found.edited,
                                   results_name, styles.digest()))
        seal(pkg, part)
        pkg.save(dst)
    return n_cells, n_notes


def marked_by_us(path: Path) -> bool:
    """Is this workbook a marked copy we made: our record in it, or (a copy whose record another
    program dropped) our 校验结果 sheet? Only such a file is marked again under its own name."""
    from xl_dealer.read.copies import read_marking

    marking = read_marking(path)
    if marking is None:
        return False
    if marking.recorded:
        return True
    try:
        with Package(path) as pkg:
            strings = shared_strings(pkg)
            return any(part and pkg.has(part) and has_our_tab(pkg.head(part, 4000))
                       and is_our_results(pkg.read(part), strings) for _, _, part in pkg.sheets())
    except (PackageError, InputError):
        return False


def _results_sheet(pkg: Package, sheets: dict[str, str], wanted: str, recorded: str | None) -> str:
    """The name our list goes under: our earlier list's (by the record, else by its red tab and
    header row), or ``wanted``, or the next free name beside a clerk's own sheet of that name
    (or ``results_sheet`` set to a data sheet's name): theirs is data, marked like any other."""
    if recorded and recorded in sheets and has_our_tab(pkg.head(sheets[recorded], 4000)):
        return recorded
    taken = {n for n, _, _ in pkg.sheets()}
    strings = shared_strings(pkg)
    clerks: set[str] = set()
    name = wanted
    while name in taken and not (name in sheets and is_our_results(pkg.read(sheets[name]), strings)):
        clerks.add(name)  # theirs: the next free name, or our list from an earlier run under it
        name = free_name(wanted, clerks)
    return name


def _attrs(src: Path, version: tuple[int, int, int] | None, old: dict[str, str] | None, edited: bool,
           results: str, styles_digest: str) -> dict[str, str]:
    """The record's root: where the copy came from, and whether it holds the clerk's fixes.

    A copy marked again keeps the workbook it was first made from, and that workbook's version
    then; marked again from a version the clerk edited, it holds fixes that workbook lacks
    (``fixes``), which ``read.copies`` tells a folder run."""
    if old is not None and old.get("source"):
        attrs = {k: old[k] for k in ("source", "source_size", "source_mtime") if k in old}
        if edited or old.get("fixes") == "1":
            attrs["fixes"] = "1"
    elif old is not None:  # a copy that lost our record (or never had one): saved by someone since
        attrs = {"source": src.stem[: -len(MARKED_SUFFIX)] + src.suffix, "fixes": "1"}
    else:
        size, mtime = (version[0], version[1]) if version else _stat(src)
        attrs = {"source": src.name, "source_size": str(size), "source_mtime": str(mtime)}
    attrs.update(results=results, styles=styles_digest)
    return attrs


def _stat(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_size, st.st_mtime_ns
