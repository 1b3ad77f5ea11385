"""Pre-flight checks on a workbook package before any reader inflates it.

python-calamine builds a dense grid per sheet (rows × columns between the first
and last cell holding a value) and aborts the whole process when that cannot be
allocated: one stray value in XFD1048576 asks for 512 GB. So before calamine sees
an .xlsx/.xlsm we look at the zip directory (bombs), the XML prologues (entity
bombs: OOXML never needs a DTD) and each sheet's value extent; a sheet whose
dense grid would be too large is read by the sparse reader instead (``sparse.py``),
whose cost grows with the cells that hold values, not with the grid. Every sheet is
inflated for this, so a big one is cut into pieces on the way (``pieces.py``).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xl_dealer.model.config import Limits
from xl_dealer.model.errors import InputError
from xl_dealer.model.language import said
from xl_dealer.read import inflate
from xl_dealer.read.parts import WORKSHEET, Members, SheetRef, sheet_refs

if TYPE_CHECKING:
    from xl_dealer.read.pieces import Cutter, Loader, Piece, Shared

_ROW_TAG = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
# any r= attribute, not just <c r=: a file may put r after s= (same speed: the literal prefix)
# a reference far out: two letters or more (column AA on, four letters too), or seven digits (row 1,000,000 on),
# on a cell or a row tag anywhere: rows out of order cannot hide one. A wide one's row is
# taken too, whatever its length: ZZ999999 in row 6 asks calamine for 700 million cells.
# Letters of either case: calamine reads xfd1048576 as XFD1048576
_FAR_REF = re.compile(rb' r="([A-Za-z]?+)(?:([A-Za-z]++)(?=\d)|(?=\d{7}))(\d+)')
# what a far reference starts as, and more (AB" with no digit): one search a block, cheaper than
# _FAR_REF's findall (its two groups and lookaheads at each of 1.7M r= on the 100k-row log cost
# 0.12 s, this 0.08), which only a block where this finds something is given
_FAR_MAYBE = re.compile(rb' r="[A-Za-z]?+(?:[A-Za-z]|\d{7})')
_NARROW_REF = re.compile(rb'<c r="([A-Za-z])\d')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_ROOT_START = re.compile(rb"<[A-Za-z_]")  # the root element's start tag: a DTD comes before it
# a part zipfile cannot inflate: corrupt, truncated, or in a method it lacks (Deflate64);
# calamine says what is wrong with it if it needs the part
UNREADABLE = inflate.ERRORS


@dataclass(slots=True)
class Preflight:
    sparse_sheets: set[str] = field(default_factory=set)  # part names to read with the sparse reader
    # sheet parts inflated here and seen to hold no formula error cell (t="e"): the
    # reader need not inflate them a second time to look for one
    no_error_cells: set[str] = field(default_factory=set)
    pieces: dict[str, list[Piece]] = field(default_factory=dict)  # part → its pieces, in order
    refs: list[SheetRef] | None = None  # the sheets the workbook lists, found as calamine finds them
    folder: Path | None = None  # where the pieces are; removed by close()

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self.pieces = {}


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def check_zip_package(z: zipfile.ZipFile | None, path: str, limits: Limits, threads: int = 1,
                      loader: Loader | None = None, stored: bool = False) -> Preflight:
    """Refuse zip and entity bombs with a clear message; pick sheets for the sparse reader;
    with ``threads`` > 1, cut each sheet over ``limits.split_mb`` into that many pieces,
    handing each to ``loader`` once it is written and known to fit calamine's grid; with
    ``stored`` and one thread, write each such sheet as one stored piece (``pieces.py``).

    ``z`` is the workbook opened once for the whole read (None: not a zip, calamine says
    so). The sheets are the parts calamine will read, found as it finds them (``parts``).
    The caller closes the result (the pieces are temporary files)."""
    if z is None:
        return Preflight()
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    max_bytes = limits.max_unzipped_mb * 1024 * 1024
    if total > max_bytes:
        raise InputError(path, said(f"解压后有 {total // 2**20} MB，超过 {limits.max_unzipped_mb} MB 的上限，已拒绝（可能是压缩炸弹；"
                                    "上限可在 dealer.toml 的 limits.max_unzipped_mb 调整）",
                                    f"inflates to {total // 2**20} MB, over the limit of {limits.max_unzipped_mb} MB "
                                    "(limits.max_unzipped_mb)"))
    for i in infos:
        if i.file_size > 64 * 1024 * 1024 and i.compress_size and i.file_size / i.compress_size > limits.max_ratio:
            raise InputError(path, said(f"部件 {i.filename} 的压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），"
                                        "已拒绝（可能是压缩炸弹）",
                                        f"part {i.filename} has a compression ratio over {limits.max_ratio}:1 "
                                        "(limits.max_ratio): refused as a likely zip bomb"))
    members = Members(z)
    refs = sheet_refs(z, members, path)
    sheet_keys = {r.target.replace("\\", "/").lower() for r in refs if r.kind == WORKSHEET and r.member}
    sheets = [i for key in sorted(sheet_keys) for i in members.all(key)]
    seen = {id(i) for i in sheets}
    for i in infos:
        # every part a reader parses as XML: by its name, any case, and every sheet whatever its name
        if id(i) in seen or i.filename.lower().endswith((".xml", ".rels", ".vml")):
            if _declares_dtd(z, i):
                raise InputError(path, said(f"部件 {i.filename} 含有 DTD/实体声明，Excel 文件不会有，已拒绝", f"part {i.filename} declares a DTD or entities, which no Excel file does: refused"))
    out = _scan_sheets(z, sheets, limits, threads, loader, stored)
    # two members of one name: which one a reader takes is the zip library's choice, so such a
    # sheet is read by the sparse reader, whose cost does not depend on which it is
    out.sparse_sheets.update(i.filename for key in sheet_keys if len(members.all(key)) > 1
                             for i in members.all(key))
    out.refs = refs
    return out


def _declares_dtd(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Does the part declare a DTD? It can only do so before its root element, so the prologue
    is read up to that (a few bytes; a prologue padded past 1 MB is refused as one)."""
    head = b""
    try:
        with z.open(info) as fh:
            while len(head) < (1 << 20):
                block = fh.read(4096)
                if not block:
                    break
                head += block
                if _ROOT_START.search(head):
                    break
            else:
                return True
    except UNREADABLE:
        return False  # unreadable: calamine says so if it needs the part (a sheet's scan fails too)
    m = _ROOT_START.search(head)
    return bool(_DTD.search(head[:m.start()] if m else head))


def _scan_sheets(z: zipfile.ZipFile, sheets: list[zipfile.ZipInfo], limits: Limits, threads: int,
                 loader: Loader | None, stored: bool = False) -> Preflight:
    """Every sheet streamed once: its value extent and formula errors (a ``<dimension>`` is
    not trusted: a file can claim A1:B2 and hold XFD1048576), and a big one cut into pieces
    for a parallel read on the way, or copied whole into one stored piece (``pieces.py``)."""
    out = Preflight()
    big = limits.split_mb * 1024 * 1024
    shared: Shared | None = None
    cut = threads > 1 or stored
    try:
        for n, i in enumerate(sheets):
            cutter = None
            if cut and i.file_size >= big:
                from xl_dealer.read.pieces import Cutter, Shared

                try:
                    if out.folder is None:
                        import tempfile  # only for a file that needs a stored copy (random, shutil: 2 ms at start-up)

                        out.folder = Path(tempfile.mkdtemp(prefix="xl-dealer-"))
                        shared = Shared(z)
                except (*UNREADABLE, OSError):
                    # no room for pieces, or styles or strings calamine may refuse: every sheet is read whole
                    cut = False
                else:
                    assert shared is not None
                    cutter = Cutter(shared, i.file_size, threads, out.folder, f"s{n}")
            try:
                dense, errors = _scan(z, i, limits, cutter, loader)
            except (*UNREADABLE, OSError):
                # unreadable: calamine will say so when it reads the sheet (and it cannot build a grid)
                dense, errors = False, True
                if cutter is not None:
                    cutter.dead = True
            pieces = cutter.finish() if cutter is not None else None
            if dense:
                out.sparse_sheets.add(i.filename)  # its pieces stay unread in the folder until close()
            elif pieces:
                out.pieces[i.filename] = pieces
                for piece in pieces:
                    if loader is not None:
                        loader.start(piece)
            if loader is not None and cutter is not None and (dense or not pieces):
                loader.forget(cutter.handed)  # read early, but the sheet is read another way
            if not errors:
                out.no_error_cells.add(i.filename)
    except BaseException:
        out.close()
        raise
    return out


_ERROR_CELL = b't="e"'
# Every error value the reader looks for starts with "#" (#N/A, #DIV/0!: ERROR_VALUES). A memchr
# for it is a tenth of the cost of searching for t="e" (whose last byte, a quote, is everywhere),
# so t="e" is only searched for from the first block that holds a "#": a sheet without one holds
# no error cell the reader would find.
_HASH = b"#"
_MAX_ROWS = 1_048_576
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any pattern looked for, so none is missed at a chunk boundary


def chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part inflated a megabyte at a time, each chunk starting with the last bytes of the
    one before: a scan needs neither the whole part in memory nor to miss a boundary."""
    tail = b""
    # no CRC: calamine checks it when it reads
    for block in inflate.blocks(z, info):
        yield tail + block
        tail = block[-_OVERLAP:]


def _read_ahead(blocks: Iterator[bytes], size: int) -> Iterator[bytes]:
    """A part's blocks, the next one inflating in a thread while the caller scans this one
    (the inflater lets go of the GIL): on two cores the inflating costs no wall time."""
    if size <= 2 * _CHUNK:
        yield from blocks
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(next, blocks, b"")
        while block := ahead.result():
            ahead = pool.submit(next, blocks, b"")
            yield block


def _scan(z: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, cutter: Cutter | None = None,
          loader: Loader | None = None) -> tuple[bool, bool]:
    """(would calamine's dense grid for this sheet exceed ``limits.max_dense_cells``,
    does the sheet hold a formula error cell) — one streamed pass answers both, and feeds
    ``cutter`` the sheet as it goes; a piece it completes goes to ``loader`` when it fits
    whatever rows it holds: as wide as what was scanned so far (all of the piece), as deep as
    a sheet goes (a row out of order, XFD1048576 among the first, can be in any piece).

    The extent: rows from the last ``<row r=`` (rows are in order in the XML) or any far
    reference, columns from the few cell references with two or three letters.
    """
    wide: set[bytes] = set()
    deep = 0
    narrow: set[bytes] = set()
    errors = False
    hashed = -1  # the first block holding a "#"; from there on each block is searched for t="e"
    before = last = tail = b""
    seen = n = 0
    # no CRC unless cut: calamine checks it when it reads the sheet; pieces are read instead
    # of the sheet, so a cut one is checked here
    source = inflate.blocks(z, info, crc=cutter is not None)
    blocks = _read_ahead(source, info.file_size)
    try:
        for block in blocks:
            # a pattern across the boundary is in ``edge``; no copy of the whole block
            edge = tail + block[:_OVERLAP]
            far = (_FAR_REF.findall(block) + _FAR_REF.findall(edge)
                   if _FAR_MAYBE.search(block) or _FAR_MAYBE.search(edge) else None)
            if far:
                wide.update((a + b).upper() for a, b, _ in far if b)
                deep = max(deep, *(int(d) for _, _, d in far))
            if seen < 1_000_000:
                narrow.update(r.upper() for r in _NARROW_REF.findall(edge + block))
            if not errors:
                if hashed < 0 and _HASH in block:
                    hashed = n
                if hashed >= 0:
                    errors = _ERROR_CELL in block or _ERROR_CELL in edge
            seen += len(block)
            n += 1
            before, last = last, block
            tail = block[-_OVERLAP:]
            if cutter is not None:
                cutter.feed(block)  # after the scan: a piece cut here was all scanned
                for piece in cutter.complete():
                    if loader is not None and not _too_big(max(_MAX_ROWS, deep), wide, narrow, limits):
                        cutter.handed.append(piece)
                        loader.start(piece)
    finally:
        blocks.close()  # before the part closes: a block may still be inflating
        source.close()
    rows = [int(m) for m in _ROW_TAG.findall(before[-65536:] + last)]
    # the t="e" of a cell whose "#" opened block ``hashed`` may be in a block before it, not searched
    return _too_big(max(deep, *rows, 0), wide, narrow, limits), errors or hashed > 0



def _too_big(max_row: int, wide: set[bytes], narrow: set[bytes], limits: Limits) -> bool:
    """Would calamine's dense grid up to ``max_row``, as wide as the references seen, be too large?"""
    if max_row * 26 <= limits.max_dense_cells and not wide:
        return False
    max_col = max((col_number(w) for w in wide), default=0)
    if not max_col:
        max_col = max((col_number(n) for n in narrow), default=1)
    return max_row * max_col > limits.max_dense_cells
