"""``annotate``: a marked copy of each workbook; the source file is never written.

Workbooks are validated together (so rules across workbooks apply), then each
.xlsx/.xlsm gets ``<name>.checked.xlsx`` with bad cells filled by severity, a
note on each, and a 校验结果 sheet linking to them. The copy is made by editing
the package's parts (``xlsx_package``), never by an openpyxl load + save, so
images, charts, VBA and everything else openpyxl does not model survive.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_dealer.config import Config, load_config
from xl_dealer.errors import InputError
from xl_dealer.files import is_marked_copy
from xl_dealer.findings import Finding
from xl_dealer.render.results import (
    COLUMNS,
    NO_FINDINGS,
    NOTE_SEPARATOR,
    column_widths,
    headers,
    note_text,
    result_rows,
    row_height,
    worst,
)
from xl_dealer.validate import ValidationResult, collect_files, validate
from xl_dealer.xlsx_marks import find_record, restore_cells, strip_notes, write_record
from xl_dealer.xlsx_notes import add_notes
from xl_dealer.xlsx_package import (
    NS_MAIN,
    NS_REL,
    XML_DECL,
    Package,
    PackageError,
    xml_attr,
    xml_text,
)
from xl_dealer.xlsx_sheet import col_letters, mark_cells, parse_ref
from xl_dealer.xlsx_styles import Styles

MARKABLE = (".xlsx", ".xlsm")
NOT_MARKABLE = {
    "zh": "标记副本只能用 .xlsx/.xlsm 制作（{ext} 不行）；请在 Excel/WPS 中另存为 .xlsx 后再试，或用 xl-dealer validate 检查这个文件",
    "en": "a marked copy needs .xlsx/.xlsm, not {ext}; save it as .xlsx in Excel/WPS first, or check it with xl-dealer validate",
}


@dataclass(slots=True)
class AnnotatedFile:
    path: str
    out: str | None = None
    error: str | None = None
    skipped: str | None = None
    findings: int = 0
    cells: int = 0  # cells filled
    notes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "out": self.out, "error": self.error, "skipped": self.skipped,
                "findings": self.findings, "cells": self.cells, "notes": self.notes}


@dataclass(slots=True)
class AnnotateResult:
    validation: ValidationResult
    files: list[AnnotatedFile] = field(default_factory=list)

    @property
    def errors(self) -> list[AnnotatedFile]:
        return [f for f in self.files if f.error]

    def exit_code(self, fail_on: str = "never") -> int:
        """2 when any file could not be read or marked; else as validate with ``fail_on`` (default 0)."""
        if self.errors:
            return 2
        return self.validation.exit_code(fail_on)


def output_path(src: Path, out_dir: Path | None = None) -> Path:
    """``登记.xlsx`` → ``登记.checked.xlsx`` beside it, or in ``out_dir``."""
    return (out_dir or src.parent) / f"{src.stem}.checked{src.suffix.lower()}"


def annotate(
    paths: Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    as_of: dt.date | str | None = None,
    config: Config | None = None,
    config_file: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnnotateResult:
    """Validate the workbooks together, then write a marked copy of each .xlsx/.xlsm.

    A file that cannot be read or marked is reported in ``files[].error``; the others go on.
    """
    if config is None:
        config = load_config(config_file, lang=lang)
    elif lang:
        config = config.model_copy(update={"lang": lang})
    inputs = input_files(paths)
    result = validate(list(inputs), as_of=as_of, config=config, progress=progress)
    out_dir = Path(out) if out is not None else None
    dir_error = None
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            dir_error = f"--out {out_dir}: 无法创建目录 / cannot create ({e.strerror or e})"
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_path[f.path].append(f)
    done = AnnotateResult(result)
    written: set[Path] = set()
    for fr in result.files:
        af = AnnotatedFile(fr.path, findings=len(by_path.get(fr.path, [])))
        done.files.append(af)
        src = Path(fr.path)
        if fr.skipped:
            af.skipped = fr.skipped
        elif fr.error:
            af.error = fr.error
        elif src.suffix.lower() not in MARKABLE:
            af.error = NOT_MARKABLE["en" if config.lang == "en" else "zh"].format(ext=src.suffix.lower())
        elif dir_error:
            af.error = dir_error
        else:
            sub = inputs.get(src, Path())
            dst = output_path(src, out_dir / sub if out_dir is not None else None)
            try:
                if dst.resolve() == src.resolve():
                    raise PackageError("the output would overwrite the source")
                if dst.resolve() in written:
                    raise PackageError(f"another input of the same name was already written to {dst}")
                written.add(dst.resolve())
                dst.parent.mkdir(parents=True, exist_ok=True)
                af.cells, af.notes = annotate_file(src, dst, by_path.get(fr.path, []), config)
                af.out = str(dst)
            except PackageError as e:
                af.error = f"无法制作标记副本 / cannot make the marked copy: {e}"
            except InputError as e:
                af.error = e.reason
            except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
                af.error = f"无法写出 {dst} / cannot write: {getattr(e, 'strerror', None) or e}"
    return done


def input_files(paths: Iterable[str | os.PathLike[str]]) -> dict[Path, Path]:
    """Each input file → its sub-folder under ``--out`` (a folder's tree is mirrored, so two
    months' 登记.xlsx do not overwrite each other). Earlier marked copies in a folder are left
    out, else they would be checked twice."""
    out: dict[Path, Path] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for q in collect_files([p]):
                if not is_marked_copy(q):
                    out.setdefault(q, q.parent.relative_to(p))
        else:
            out.setdefault(p, Path())
    return out


def annotate_file(src: Path, dst: Path, findings: list[Finding], config: Config) -> tuple[int, int]:
    """Write the marked copy of one workbook; returns (cells filled, notes added).

    A source that is itself a marked copy first loses our earlier fills and notes
    (``xlsx_marks``), so a cell the clerk has fixed since is no longer marked.
    """
    lang = "en" if config.lang == "en" else "zh"
    with Package(src) as pkg:
        styles = Styles(pkg)
        fills = {sev: styles.fill("FF" + rgb.upper()) for sev, rgb in config.mark_fills.items()}
        our_fills = {"FF" + rgb.upper() for rgb in config.mark_fills.values()}
        sheets = {name: part for name, _, part in pkg.sheets() if part and pkg.has(part)}
        results_name = config.results_sheet
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
        existing = next((n for n in sheets if n == results_name), None)
        if existing:  # a copy of a copy: replace the old list, do not add a second one
            pkg.write(sheets[existing], xml)
        else:
            pkg.add_sheet(results_name, xml)
        pkg.set_print_titles(results_name)
        styles.save()
        pkg.save(dst)
    return n_cells, n_notes


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def results_sheet_xml(findings: list[Finding], lang: str, sheet_names: set[str], styles: Styles,
                      fills: dict[str, int]) -> bytes:
    """The 校验结果 worksheet: one row per finding, a link to the cell, frozen header, widths."""
    bold = styles.font(bold=True)
    link_font = styles.font(underline=True, rgb="FF0563C1")
    header_xf = styles.clone_xf(0, font=bold, fill=styles.fill("FFD9E1F2"), wrap="center")
    text_xf = styles.clone_xf(0, wrap="top")
    link_xf = styles.clone_xf(0, font=link_font, wrap="top")
    sev_xf = {sev: styles.clone_xf(0, fill=fid, wrap="top") for sev, fid in fills.items()}

    def cell(ref: str, text: str, xf: int) -> str:
        if not text:
            return f'<c r="{ref}" s="{xf}"/>'
        return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'

    ncol = len(COLUMNS)
    last_col = col_letters(ncol - 1)
    rows = ['<row r="1">' + "".join(cell(f"{col_letters(i)}1", h, header_xf)
                                    for i, h in enumerate(headers(lang))) + "</row>"]
    links: list[str] = []
    items = result_rows(findings, lang)
    widths = column_widths(items, lang)
    for n, item in enumerate(items, start=2):
        f = item.finding
        cells = []
        for i, text in enumerate(item.values):
            key = COLUMNS[i][0]
            xf = sev_xf.get(f.severity, text_xf) if key == "severity" else text_xf
            if f.sheet in sheet_names and ((key == "cell" and f.row) or (key == "sheet" and not f.row)):
                xf = link_xf
                target = f.cell or (f"A{f.row}" if f.row else "A1")
                links.append(f'<hyperlink ref="{col_letters(i)}{n}" '
                             f"location={xml_attr(quote_sheet(f.sheet) + '!' + target)} display={xml_attr(text)}/>")
            cells.append(cell(f"{col_letters(i)}{n}", text, xf))
        # every cell wraps; the row is given the height its longest text needs, since not
        # every reader grows a wrapped row by itself (customHeight="0": Excel may refit it)
        ht = row_height(item.values, widths)
        rows.append(f'<row r="{n}"' + (f' ht="{ht:g}"' if ht else "") + ">" + "".join(cells) + "</row>")
    if not items:
        rows.append('<row r="2">' + cell("A2", NO_FINDINGS[lang], text_xf) + "</row>")
    last_row = max(len(items) + 1, 2)
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    footer = "&amp;CPage &amp;P of &amp;N" if lang == "en" else "&amp;C第 &amp;P 页，共 &amp;N 页"
    body = (
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr><tabColor rgb="FFC00000"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        + (f'<autoFilter ref="A1:{last_col}{last_row}"/>' if items else "")
        + (f'<hyperlinks>{"".join(links)}</hyperlinks>' if links else "")
        # printed: gridlines so a row can be followed across, landscape, as wide as the page,
        # the header row repeated on each page (the Print_Titles name), page numbers below
        + '<printOptions gridLines="1"/>'
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
        "</worksheet>"
    )
    return XML_DECL + body.encode("utf-8")
