"""The old and other formats (.xls, .xlsb, .ods), read in a child process with bounds.

Their packages cannot be inspected before calamine reads them the way an .xlsx is (``guard``):
an .xls is a binary OLE container, an .xlsb binary records. calamine builds the dense grid of
every sheet (an .xls with cells at A1 and IV65536 takes 1 GB), and a damaged OLE container can
make it grow without end. So the read runs in a child process that may die alone: its memory
is capped (``reader_mb``: in proportion to the file, at most ``limits.max_reader_mb``; on POSIX through RLIMIT_AS) and its time too
(``limits.max_reader_seconds``); the tables come back through a pipe, and a child that dies,
runs out of memory or out of time is one clear line for that file. An .xls calamine cannot
read (BIFF2-5 from old Excel, a grid too large for the cap) is read again by xlrd, whose
memory grows with the cells that hold values, also in a bounded child.

Cost on the normal path: a fork and the pickled tables (an .xls holds at most 65,536 rows), and
the search for formula error cells, which calamine reads as blanks (``xls_errors``).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.errors import InputError
from xl_dealer.model.language import current, said, set_language
from xl_dealer.read.header import AliasIndex
from xl_dealer.read.table import SkippedSheet, Table, table_from_rows
from xl_dealer.read.xls_errors import XLRD_ERRORS, xls_error_cells

Sheets = list[Table | SkippedSheet]


class _Died(Exception):
    """The child process ended without an answer: killed by the memory cap, a signal, or time."""

    def __init__(self, why: str) -> None:
        self.why = why


def read_other(p: Path, name: str, index: AliasIndex, config: Config) -> Sheets:
    """Every sheet of an .xls/.xlsb/.ods; raises InputError with one clear line when it cannot."""
    limits = config.limits
    try:
        return _bounded(_calamine_sheets, (p, name, index, config), config)
    except _Died as died:
        first = died.why
    except InputError as e:
        if p.suffix.lower() != ".xls":
            raise
        first = e.reason
    if p.suffix.lower() == ".xls":
        try:
            return _bounded(_xlrd_sheets, (p, name, index, config), config)
        except _Died as died:
            first = died.why
        except InputError:
            pass  # xlrd cannot read it either: say why calamine could not
    raise InputError(name, _needs(reader_mb(p, config), limits.max_reader_seconds) if first == EMPTY else first)


EMPTY = "empty to calamine"  # not for a person: xlrd looks again, and if it cannot either the caller says why


def _needs(mb: int, seconds: int) -> str:
    return (said(f"读取这个文件需要超过 {mb} MB 内存或 {seconds} 秒（数据可能分布在极大的区域里，或文件已损坏）：请用 Excel 打开后另存为 .xlsx 再检查", f"reading it needs more than {mb} MB or {seconds} s (limits.max_reader_mb, limits.max_reader_seconds): values spread over a huge grid, or a damaged file; open it in Excel and save it as .xlsx"))


def reader_mb(p: Path, config: Config) -> int:
    """The memory a reader of this file may take: 256 MB plus 64 MB per MB of file, at most
    ``limits.max_reader_mb``. In proportion to the file: a 42 KB .xls whose grid asks 1 GB is
    out of proportion, a full 20 MB one is not."""
    try:
        size = p.stat().st_size
    except OSError:
        size = 0
    return min(config.limits.max_reader_mb, 256 + 64 * -(-size // 2**20))


def _bounded(fn: Any, args: tuple[Any, ...], config: Config) -> Sheets:
    """``fn(*args)`` in a child process with the memory and time caps; its result or its InputError."""
    limits = config.limits
    mb = reader_mb(args[0], config)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, fn, args, mb, current()), daemon=True)
    child.start()
    send.close()
    try:
        if not recv.poll(limits.max_reader_seconds):
            raise _Died(_needs(mb, limits.max_reader_seconds))
        try:
            ok, value = recv.recv()
        except (EOFError, OSError):  # the child died before answering (the cap, a signal, an abort)
            raise _Died(_needs(mb, limits.max_reader_seconds)) from None
    finally:
        recv.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if ok:
        return value
    raise InputError(args[1], value)


def _child(send: Any, fn: Any, args: tuple[Any, ...], max_mb: int, lang: str) -> None:
    # what a dying reader prints (Rust's "memory allocation of … failed" and its backtrace) is not
    # for the clerk: the answer, or its absence, says what happened
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    _cap_memory(max_mb)
    set_language(lang)  # a spawned child (Windows) starts in the default language
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except InputError as e:
        result = (False, e.reason)
    except MemoryError:
        os._exit(3)
    except BaseException as e:  # a panic in the reader, or any bug: this file only
        result = (False, _damaged(args[0], e))
    try:
        send.send(result)
    except MemoryError:
        os._exit(3)
    send.close()
    os._exit(0)  # no cleanup that could run the parent's atexit handlers or flush its buffers


def _cap_memory(max_mb: int) -> None:
    """Cap the child's address space at what it has plus ``max_mb`` (a forked child starts with
    the parent's mappings). No cap where RLIMIT_AS is not enforced (Windows, macOS): the time
    cap still holds there."""
    try:
        import resource
    except ImportError:
        return
    try:
        with open("/proc/self/statm") as fh:
            have = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    cap = have + max_mb * 2**20
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass


def _damaged(p: Path, e: BaseException) -> str:
    what = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
    macro = p.suffix.lower() == ".xlsb"
    again = "另存一份（保留宏请存为 .xlsm）" if macro else "另存为 .xlsx"
    again_en = "save it again (as .xlsm to keep macros)" if macro else "save it again as .xlsx"
    return (said(f"文件已损坏或不是它的扩展名所说的格式：请用 Excel 打开看看，能打开就{again}再检查", f"damaged, or not the format its name says: open it in Excel and, if it opens, {again_en} ({what})"))


def _calamine_sheets(p: Path, name: str, index: AliasIndex, config: Config) -> Sheets:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(p))
    except pc.PasswordError:
        raise InputError(name, said("工作簿有密码保护，请另存一份无密码的副本再检查", "password-protected: save an unprotected copy")) from None
    except (pc.CalamineError, pc.XmlError, pc.ZipError, ValueError, OSError) as e:
        raise InputError(name, _damaged(p, e)) from None
    # calamine gives an .xls formula error as a blank: found apart, as for .xlsx
    errors = xls_error_cells(p) if p.suffix.lower() == ".xls" else {}
    out: Sheets = []
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
                out.append(SkippedSheet(name, meta.name, "not a worksheet"))
                continue
            try:
                rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except (pc.CalamineError, pc.XmlError, ValueError, OverflowError) as e:
                raise InputError(name, _damaged(p, e)) from None
            out.append(table_from_rows(name, meta.name, rows, index, config, errors.get(meta.name)))
    finally:
        wb.close()
    if p.suffix.lower() == ".xls" and all(isinstance(s, SkippedSheet) and s.reason == "empty" for s in out):
        # calamine reads one workbook stream: an .xls that looks empty to it may hold its data in
        # another stream; xlrd looks again
        raise InputError(name, EMPTY)
    return out


def _xlrd_sheets(p: Path, name: str, index: AliasIndex, config: Config) -> Sheets:
    """An .xls through xlrd (BIFF2 to BIFF8): rows only as long as their last value, formula
    errors as their text, dates as dates, as calamine would give them."""
    import datetime as dt

    import xlrd

    try:
        book = xlrd.open_workbook(str(p), on_demand=True, ragged_rows=True, logfile=open(os.devnull, "w"))  # noqa: SIM115
    except xlrd.biffh.XLRDError as e:
        if "encrypted" in str(e).lower() or "password" in str(e).lower():
            raise InputError(name, said("工作簿有密码保护，请另存一份无密码的副本再检查", "password-protected: save an unprotected copy")) from None
        raise InputError(name, _damaged(p, e)) from None
    except Exception as e:  # xlrd raises many kinds on a damaged file
        raise InputError(name, _damaged(p, e)) from None
    out: Sheets = []
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            rows: list[list[Any]] = []
            errors: dict[tuple[int, int], str] = {}
            for r in range(sh.nrows):
                row: list[Any] = []
                for c, cell in enumerate(sh.row(r)):
                    v: Any = cell.value
                    if cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                        v = ""
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            t = xlrd.xldate_as_datetime(v, book.datemode)
                            v = t.time() if v < 1 else (t.date() if t.time() == dt.time(0) else t)
                        except (ValueError, OverflowError):
                            pass  # out of range: the number, which the checks call no date
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        v = bool(v)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        v = XLRD_ERRORS.get(int(v), "#N/A")
                        errors[(r + 1, c)] = v
                    row.append(v)
                rows.append(row)
            out.append(table_from_rows(name, sh.name, rows, index, config, errors or None))
            book.unload_sheet(i)
    finally:
        book.release_resources()
    return out

