"""One workbook from its path: the pre-flight guard, then every sheet through the reader that
fits it (dense, cut into pieces, or sparse), and the file's result for the JSON.

python-calamine reads every format we accept (.xlsx .xlsm .xls .xlsb .ods) about
six times faster than openpyxl. Values stay raw here; ``values`` normalises them.
Row numbers are the real Excel rows (``skip_empty_area=False``).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.model.language import said
from xl_dealer.read.copies import in_folder
from xl_dealer.read.dense import Grid, from_calamine
from xl_dealer.read.guard import UNREADABLE, Preflight, check_zip_package
from xl_dealer.read.header import AliasIndex
from xl_dealer.read.inputs import EXTENSIONS, generated_by_us
from xl_dealer.read.parts import sheet_members
from xl_dealer.read.table import SkippedSheet, Table, table_from_rows
from xl_dealer.read.values import ERROR_VALUES

if TYPE_CHECKING:
    from xl_dealer.read.pieces import Loader, Piece


@dataclass(slots=True)
class FileResult:
    path: str
    error: str | None = None
    skipped: str | None = None  # e.g. an Excel lock file: listed, not an error
    sheets: list[dict[str, Any]] = field(default_factory=list)
    # the version read (size, mtime, inode): annotate marks that version or none
    fingerprint: tuple[int, int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "error": self.error, "sheets": self.sheets}
        if self.skipped:
            d["skipped"] = self.skipped
        return d


def read_file(path: Path, config: Config, index: AliasIndex | None = None,
              from_folder: bool = False, threads: int = 1, stored: bool = False) -> tuple[FileResult, list[Table]]:
    """One workbook → its FileResult (error or sheet list) and its tables; never raises on bad input.

    Our own outputs are listed as skipped: a report always; a marked copy that a folder brought
    in, unless the clerk has fixed cells in it since (then it is checked instead of its workbook:
    ``read.copies``). Named on its own, a copy is always checked."""
    fr = FileResult(str(path))
    problem = _not_readable(path)
    if problem:
        fr.error = problem
        return fr, []
    if path.name.startswith("~$"):
        fr.skipped = said("Excel 锁定文件（该工作簿正在 Excel 中打开），已跳过", "Excel lock file, skipped")
        return fr, []
    if path.name.startswith("."):
        fr.skipped = said("隐藏文件，已跳过", "hidden file, skipped")
        return fr, []
    if path.suffix.lower() in (".xlsx", ".xlsm") and generated_by_us(path) == "report":
        fr.skipped = said("xl-dealer 生成的报表，不是登记数据，已跳过", "a report xl-dealer wrote, skipped")
        return fr, []
    if from_folder:
        # a marked copy and its workbook side by side: the one that holds the clerk's latest fixes
        # is checked, never both (``read.copies``)
        decision = in_folder(path)
        if decision is not None:
            if decision[0] == "error":
                fr.error = decision[1]
            else:
                fr.skipped = decision[1]
            return fr, []
    for attempt in range(2):
        before = fingerprint(path)
        try:
            sheets = read_workbook(path, config, index, threads, stored)
        except InputError as e:
            if fingerprint(path) != before and attempt == 0:
                continue  # saved over while we read it: what failed may be the mix of two versions
            fr.error = e.reason if not e.sheet else f"[{e.sheet}] {e.reason}"
            return fr, []
        if fingerprint(path) == before:
            fr.fingerprint = before
            break
    else:
        # the guard, calamine and the error scan each looked at the file: one version for all, or none
        fr.error = said("文件在检查过程中被保存过，没有检查：请稍后再运行", "the file was saved over while it was read: not checked, run again")
        return fr, []
    tables = [s for s in sheets if isinstance(s, Table)]
    fr.sheets = [s.info() for s in sheets]
    if all(isinstance(s, SkippedSheet) and s.reason == "empty" for s in sheets):
        fr.error = said("工作簿是空的，没有任何数据", "the workbook is empty")
    elif tables and not any(t.rows for t in tables):
        # nothing to check at all, same as an empty workbook to a scheduler
        names = "、".join(t.sheet for t in tables)
        fr.error = said(f"工作表 {names} 只有表头，没有数据行", f"sheet {names} has only a header row, no data rows")
    return fr, tables


def fingerprint(p: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from the next: size, modification time, inode."""
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _not_readable(p: Path) -> str | None:
    """Why this path cannot be read as a file, before anything opens it: a FIFO or /dev/zero would
    be read for ever, a link loop raised, a folder or file without permission was skipped."""
    import stat

    try:
        st = os.stat(p)
    except FileNotFoundError:
        if os.path.lexists(p):
            return said("链接指向的文件不存在", "a link to a file that does not exist")
        return said("文件不存在，请检查路径", "file not found: check the path")
    except PermissionError:
        return said("没有读取权限：请让文件夹的管理者开放读取权限", "permission denied: ask the owner of the folder for read access")
    except OSError as e:  # ELOOP: a link that points at itself
        return said(f"无法读取（{e.strerror or e}）", f"cannot read ({e.strerror or e})")
    if stat.S_ISDIR(st.st_mode):
        try:
            os.listdir(p)
        except OSError as e:
            return said(f"文件夹无法读取，其中的工作簿没有检查（{e.strerror or e}）", f"cannot read this folder, its workbooks were not checked ({e.strerror or e})")
        return said("是文件夹，不是工作簿", "a folder, not a workbook")
    if not stat.S_ISREG(st.st_mode):
        return said("不是普通文件（管道、设备等），没有读取", "not a regular file (a pipe, a device): not read")
    try:
        with open(p, "rb"):
            pass
    except OSError as e:
        return said(f"没有读取权限（{e.strerror or e}）：请让文件的管理者开放读取权限", f"cannot read ({e.strerror or e}): ask the owner for read access")
    return None


def read_workbook(path: str | Path, config: Config, index: AliasIndex | None = None,
                  threads: int = 1, stored: bool = False) -> list[Table | SkippedSheet]:
    """Every sheet of one workbook, hidden ones included. Raises InputError when unreadable.

    ``threads``: cores one big sheet may be read on (``limits.split_mb``, ``pieces.py``);
    ``stored``: on one, such a sheet is read from a stored copy of it (``pieces.py``)."""

    p = Path(path)
    name = str(path)
    index = index or AliasIndex(config)
    if not p.exists():
        raise InputError(name, said("文件不存在，请检查路径", "file not found: check the path"))
    if p.suffix.lower() not in EXTENSIONS:
        raise InputError(name, said(f"不是 Excel 工作簿（能检查的是 {'、'.join(EXTENSIONS)}）", f"not a workbook (accepted: {', '.join(EXTENSIONS)})"))
    zipped = p.suffix.lower() in (".xlsx", ".xlsm")
    if not zipped:
        from xl_dealer.read.other import read_other

        return read_other(p, name, index, config)
    loader = None
    pre = Preflight()
    z = _open_zip(p, name)
    split = config.limits.split_mb * 1024 * 1024
    if threads > 1 and z is not None and any(i.file_size >= split for i in z.infolist()):
        from xl_dealer.read.pieces import Loader  # threads only for a workbook with a part to cut

        loader = Loader(threads)
    try:
        # before calamine inflates anything: bombs are refused, over-wide sheets go sparse, big
        # ones are cut into pieces, which start being read as soon as each is written
        pre = check_zip_package(z, name, config.limits, threads, loader, stored)
        return _read_sheets(p, name, z, pre, index, config, loader)
    finally:
        if loader is not None:
            loader.close()
        pre.close()
        if z is not None:
            z.close()


def _open_zip(p: Path, name: str) -> zipfile.ZipFile | None:
    """The workbook opened once: the guard, the part map, the formula-error scan and the sparse
    reader all read this one handle. None when it is not a zip (calamine says what it is)."""
    try:
        return zipfile.ZipFile(p)
    except (zipfile.BadZipFile, EOFError, ValueError):
        return None
    except OSError as e:
        raise InputError(name, said(f"无法打开（{e.strerror or e}）", f"cannot open ({e.strerror or e})")) from None


def _calamine_errors() -> tuple[type[BaseException], ...]:
    """What python-calamine raises on a sheet or workbook it cannot read. A Rust panic arrives
    as pyo3's PanicException, a BaseException: see ``_is_panic``."""
    import python_calamine as pc

    return (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError, OSError, OverflowError)


def _is_panic(e: BaseException) -> bool:
    return type(e).__name__ == "PanicException"


def _read_sheets(p: Path, name: str, z: zipfile.ZipFile | None, pre: Preflight, index: AliasIndex,
                 config: Config, loader: Loader | None) -> list[Table | SkippedSheet]:
    import python_calamine as pc

    fails = _calamine_errors()
    members = sheet_members(pre.refs) if pre.refs is not None else {}
    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except pc.PasswordError:
        raise InputError(name, said("工作簿有密码保护，请另存一份无密码的副本再检查", "password-protected: save an unprotected copy")) from None
    except BaseException as e:
        if not isinstance(e, fails) and not _is_panic(e):
            raise
        if z is not None and pre.refs is not None and members:
            # calamine refuses the whole workbook for one sheet it does not know (an Excel 4 macro
            # sheet, a hidden sheet without a relationship): the worksheets are read without it
            return _read_without_calamine(name, z, pre, index, config, loader)
        raise InputError(name, _unreadable(p, e)) from None
    out: list[Table | SkippedSheet] = []
    try:
        error_cells = _xlsx_error_cells(z, members, pre.no_error_cells) if z is not None and members else {}
        if loader is not None:
            listed = {members.get(meta.name) for meta in wb.sheets_metadata}
            for part, pieces in pre.pieces.items():
                if part not in listed:  # no sheet of the workbook is that part: free its read-ahead slots
                    loader.forget(pieces)
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                out.append(SkippedSheet(name, meta.name, "not a worksheet"))
                continue
            part = members.get(meta.name)
            if z is not None and part is not None and part in pre.sparse_sheets:
                out.append(_read_sparse(z, name, meta.name, part, index, config))
                continue
            errors = error_cells.get(meta.name)
            if part in pre.pieces:
                table = from_calamine(name, meta.name, _pieces_grid(pre.pieces[part], loader), index, config, errors)
                if table is not None:
                    out.append(table)
                    continue
                if loader is not None:
                    loader.forget(pre.pieces[part])
            try:
                sh = wb.get_sheet_by_name(meta.name)
                out.append(from_calamine(name, meta.name, Grid([(lambda sh=sh: sh, 0)]), index, config, errors,
                                          lambda sh=sh: sh.to_python(skip_empty_area=False)))
            except BaseException as e:
                if not isinstance(e, fails) and not _is_panic(e):
                    raise
                # a value calamine does not know (Excel 365's #SPILL!, a -INF date) stops its read
                # of the sheet; the sparse reader reads the same cells as calamine would
                if z is None or part is None:
                    raise InputError(name, _sheet_unreadable(e), meta.name) from None
                out.append(_read_sparse(z, name, meta.name, part, index, config))
    finally:
        wb.close()
    return out


def _read_without_calamine(name: str, z: zipfile.ZipFile, pre: Preflight, index: AliasIndex, config: Config,
                           loader: Loader | None) -> list[Table | SkippedSheet]:
    """The worksheets of a workbook calamine refuses as a whole: each read from its pieces or by
    the sparse reader (same values), every other sheet listed as skipped."""
    assert pre.refs is not None
    members = sheet_members(pre.refs)
    error_cells = _xlsx_error_cells(z, members, pre.no_error_cells)
    out: list[Table | SkippedSheet] = []
    for ref in pre.refs:
        if not ref.is_worksheet:
            out.append(SkippedSheet(name, ref.name, "not a worksheet"))
            continue
        part = members[ref.name]
        if part in pre.pieces and part not in pre.sparse_sheets:
            table = from_calamine(name, ref.name, _pieces_grid(pre.pieces[part], loader), index, config,
                                  error_cells.get(ref.name))
            if table is not None:
                out.append(table)
                continue
            if loader is not None:
                loader.forget(pre.pieces[part])
        out.append(_read_sparse(z, name, ref.name, part, index, config))
    return out


def _pieces_grid(pieces: list[Piece], loader: Loader | None) -> Grid:
    """A cut sheet's pieces as read ahead by ``loader``, or a stored copy (one piece, one thread)
    read when its rows are wanted."""
    from xl_dealer.read.pieces import load

    get = loader.sheet if loader is not None else load
    return Grid([(partial(get, piece), piece.first_row) for piece in pieces])


def _unreadable(p: Path, e: BaseException) -> str:
    """Why a workbook cannot be read, in words a clerk understands, and what to do; a macro
    workbook is never told to become an .xlsx (its macros would go)."""
    macro = p.suffix.lower() in (".xlsm", ".xlsb")
    again = "另存一份（.xlsm，保留宏）" if macro else "另存为 .xlsx"
    again_en = "save it again (as .xlsm, keeping its macros)" if macro else "save it again as .xlsx"
    return (said(f"文件已损坏或不是 Excel 文件：请用 Excel 打开看看，能打开就{again}再检查", f"damaged, or not an Excel workbook: open it in Excel and, if it opens, {again_en} ({_short(e)})"))


def _sheet_unreadable(e: BaseException) -> str:
    return said(f"工作表无法读取，请用 Excel 打开后另存一份再检查（{_short(e)}）", f"the sheet cannot be read: save the workbook again ({_short(e)})")


def _read_sparse(z: zipfile.ZipFile, name: str, sheet: str, part: str, index: AliasIndex,
                 config: Config) -> Table | SkippedSheet:
    from xml.parsers.expat import ExpatError

    from xl_dealer.read.sparse import read_sparse

    try:
        rows, numbers = read_sparse(z, part, config.limits.max_columns)
    except (ExpatError, *UNREADABLE, KeyError, ValueError, OSError) as e:
        raise InputError(name, said(f"工作表已损坏，无法读取（{_short(e)}）", f"the sheet is damaged and cannot be read ({_short(e)})"),
                         sheet) from None
    return table_from_rows(name, sheet, rows, index, config, row_numbers=numbers)


def _short(e: BaseException) -> str:
    s = str(e).splitlines()[0] if str(e) else type(e).__name__
    return s[:160]


_CELL_ERR = re.compile(rb'<c\b([^>]*?\bt="e"[^>]*)>(.*?)</c>', re.S)
_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")


def _xlsx_error_cells(z: zipfile.ZipFile, parts: dict[str, str],
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
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1
