"""One workbook from its path: the pre-flight guard, then every sheet through the reader that
fits it (dense, cut into pieces, or sparse), and the file's result for the JSON.

python-calamine reads every format we accept (.xlsx .xlsm .xls .xlsb .ods) about
six times faster than openpyxl. Values stay raw here; ``values`` normalises them.
Row numbers are the real Excel rows (``skip_empty_area=False``).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.read.dense import Grid, from_calamine
from xl_dealer.read.guard import UNREADABLE, Preflight, check_zip_package
from xl_dealer.read.header import AliasIndex
from xl_dealer.read.inputs import EXTENSIONS, generated_by_us, is_marked_copy
from xl_dealer.read.pieces import Loader
from xl_dealer.read.table import SkippedSheet, Table, table_from_rows
from xl_dealer.read.values import ERROR_VALUES


@dataclass(slots=True)
class FileResult:
    path: str
    error: str | None = None
    skipped: str | None = None  # e.g. an Excel lock file: listed, not an error
    sheets: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "error": self.error, "sheets": self.sheets}
        if self.skipped:
            d["skipped"] = self.skipped
        return d


def read_file(path: Path, config: Config, index: AliasIndex | None = None,
              from_folder: bool = False, threads: int = 1) -> tuple[FileResult, list[Table]]:
    """One workbook → its FileResult (error or sheet list) and its tables; never raises on bad input.

    Our own outputs are listed as skipped: a report always, a marked copy when a folder
    brought it in (its source beside it is checked; named on its own, a clerk may be fixing it)."""
    fr = FileResult(str(path))
    if path.name.startswith("~$"):
        fr.skipped = "Excel 锁定文件（该工作簿正在 Excel 中打开），已跳过 / Excel lock file, skipped"
        return fr, []
    if path.name.startswith("."):
        fr.skipped = "隐藏文件，已跳过 / hidden file, skipped"
        return fr, []
    if path.suffix.lower() in (".xlsx", ".xlsm") and generated_by_us(path) == "report":
        fr.skipped = "xl-dealer 生成的报表，不是登记数据，已跳过 / a report xl-dealer wrote, skipped"
        return fr, []
    if from_folder and is_marked_copy(path):
        fr.skipped = ("xl-dealer 的标记副本，已跳过（原表已检查）/ a marked copy from xl-dealer annotate, skipped "
                      "(its source is checked)")
        return fr, []
    try:
        sheets = read_workbook(path, config, index, threads)
    except InputError as e:
        fr.error = e.reason if not e.sheet else f"[{e.sheet}] {e.reason}"
        return fr, []
    tables = [s for s in sheets if isinstance(s, Table)]
    fr.sheets = [s.info() for s in sheets]
    if all(isinstance(s, SkippedSheet) and s.reason == "empty" for s in sheets):
        fr.error = "工作簿是空的，没有任何数据 / the workbook is empty"
    elif tables and not any(t.rows for t in tables):
        # nothing to check at all, same as an empty workbook to a scheduler
        names = "、".join(t.sheet for t in tables)
        fr.error = f"工作表 {names} 只有表头，没有数据行 / only a header row, no data rows"
    return fr, tables


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
                grid = Grid([(partial(loader.sheet, piece), piece.first_row) for piece in pre.pieces[part]])
                table = from_calamine(name, meta.name, grid, index, config, errors)
                if table is not None:
                    out.append(table)
                    continue
                loader.forget(pre.pieces[part])
            try:
                sh = wb.get_sheet_by_name(meta.name)
                out.append(from_calamine(name, meta.name, Grid([(lambda sh=sh: sh, 0)]), index, config, errors,
                                          lambda sh=sh: sh.to_python(skip_empty_area=False)))
            except (pc.CalamineError, pc.XmlError, ValueError) as e:
                raise InputError(name, f"工作表无法读取，请用 Excel 打开后另存为 .xlsx 再检查 / sheet cannot be read: save the workbook again as .xlsx ({_short(e)})", meta.name) from None
    finally:
        wb.close()
    return out




def _parts(p: Path) -> dict[str, str]:
    with zipfile.ZipFile(p) as z:
        return sheet_parts(z)


def _read_sparse(p: Path, name: str, sheet: str, part: str, index: AliasIndex, config: Config) -> Table | SkippedSheet:
    from xml.parsers.expat import ExpatError

    from xl_dealer.read.sparse import read_sparse

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
    from xl_dealer.read.guard import chunks

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
