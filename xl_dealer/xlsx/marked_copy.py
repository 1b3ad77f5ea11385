"""The marked copy of one workbook: bad cells filled by severity, a note on each, and the
校验结果 sheet, written by editing the package's parts (every other part is copied as it was).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.model.findings import Finding
from xl_dealer.render.results import NOTE_SEPARATOR, note_text, worst
from xl_dealer.xlsx.notes import add_notes
from xl_dealer.xlsx.package import Package
from xl_dealer.xlsx.record import find_record, restore_cells, strip_notes, write_record
from xl_dealer.xlsx.results import free_name, is_our_results, results_sheet_xml
from xl_dealer.xlsx.sheet import mark_cells, parse_ref
from xl_dealer.xlsx.styles import Styles


def annotate_file(src: Path, dst: Path, findings: list[Finding], config: Config,
                  version: tuple[int, int, int] | None = None) -> tuple[int, int]:
    """Write the marked copy of one workbook; returns (cells filled, notes added).

    A source that is itself a marked copy first loses our earlier fills and notes
    (``xlsx.record``), so a cell the clerk has fixed since is no longer marked.
    """
    lang = "en" if config.lang == "en" else "zh"
    with Package(src) as pkg:
        if version is not None and pkg.version() != version:
            # saved since it was checked: these findings are of another version of the cells
            raise InputError(str(src), "文件在检查之后被修改过，没有制作标记副本：请再运行一次 / the file was saved after it "
                                       "was checked: no marked copy made, run annotate again")
        styles = Styles(pkg)
        fills = {sev: styles.fill("FF" + rgb.upper()) for sev, rgb in config.mark_fills.items()}
        our_fills = {"FF" + rgb.upper() for rgb in config.mark_fills.values()}
        sheets = {name: part for name, _, part in pkg.sheets() if part and pkg.has(part)}
        results_name = config.results_sheet
        # a clerk's own sheet of that name (or results_sheet set to a data sheet's name) is data:
        # marked like any other, and our list goes beside it under a free name
        taken = {n for n, _, _ in pkg.sheets()}
        clerks: set[str] = set()
        while results_name in taken and not (results_name in sheets and is_our_results(pkg.read(sheets[results_name]))):
            clerks.add(results_name)  # theirs: the next free name, or our list from an earlier run under it
            results_name = free_name(config.results_sheet, clerks)
        ours = results_name in sheets
        record_part, old_record, old_fills = find_record(pkg)
        on_cells: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        for f in findings:
            if f.sheet in sheets and f.cell and f.sheet != results_name:
                on_cells[f.sheet][f.cell.upper()].append(f)
        record: dict[str, dict[str, tuple[int, int]]] = {}
        n_cells = n_notes = 0
        for sheet, part in sheets.items():
            if sheet == results_name:
                continue
            strip_notes(pkg, part, NOTE_SEPARATOR.values())  # earlier runs' notes, ours only
            cells = on_cells.get(sheet, {})
            old = old_record.get(sheet, {})
            if not cells and not old:
                continue
            xml = pkg.read(part)
            if old:
                xml, _ = restore_cells(xml, old, styles, old_fills | our_fills)
            marked: dict[str, tuple[int, int]] = {}
            marks: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
            for ref, fs in cells.items():
                row, col = parse_ref(ref)
                marks[row][col] = (worst(fs), ref)

            def style_for(s: int, mark: tuple[str, str], marked: dict[str, tuple[int, int]] = marked) -> int:
                xf = styles.clone_xf(s, fill=fills.get(mark[0], fills["error"]))
                marked[mark[1]] = (s, xf)
                return xf

            xml = mark_cells(xml, marks, style_for)
            notes = {ref: note_text(fs, lang) for ref, fs in cells.items()}
            xml = add_notes(pkg, part, xml, notes, NOTE_SEPARATOR[lang])
            pkg.write(part, xml)
            record[sheet] = marked
            n_cells += len(cells)
            n_notes += len(notes)
        if any(record.values()) or record_part:
            write_record(pkg, record_part, record, our_fills)
        xml = results_sheet_xml(findings, lang, set(sheets), styles, fills)
        if ours and results_name in sheets:  # a copy of a copy: replace our old list, do not add a second one
            pkg.write(sheets[results_name], xml)
        else:
            pkg.add_sheet(results_name, xml)
        pkg.set_print_titles(results_name)
        styles.save()
        pkg.save(dst)
    return n_cells, n_notes
