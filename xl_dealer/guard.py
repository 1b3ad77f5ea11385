"""Pre-flight checks on a workbook package before any reader inflates it.

python-calamine builds a dense grid per sheet (rows × columns between the first
and last cell holding a value) and aborts the whole process when that cannot be
allocated: one stray value in XFD1048576 asks for 512 GB. So before calamine sees
an .xlsx/.xlsm we look at the zip directory (bombs), the XML prologues (entity
bombs: OOXML never needs a DTD) and each sheet's value extent; a sheet whose
dense grid would be too large is read by the sparse reader instead (``sparse.py``),
whose cost grows with the cells that hold values, not with the grid.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from xl_dealer.config import Limits
from xl_dealer.errors import InputError

_ROW_TAG = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,3})\d')
_NARROW_REF = re.compile(rb'<c r="([A-Z])\d')
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(slots=True)
class Preflight:
    sparse_sheets: set[str] = field(default_factory=set)  # part names to read with the sparse reader
    # sheet parts inflated here and seen to hold no formula error cell (t="e"): the
    # reader need not inflate them a second time to look for one
    no_error_cells: set[str] = field(default_factory=set)


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def check_zip_package(path: str, limits: Limits) -> Preflight:
    """Refuse zip and entity bombs with a clear message; pick sheets for the sparse reader."""
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return Preflight()  # calamine says what is wrong (not a zip, truncated)
    except OSError as e:
        raise InputError(path, f"无法打开 / cannot open ({e.strerror or e})") from None
    with z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        max_bytes = limits.max_unzipped_mb * 1024 * 1024
        if total > max_bytes:
            raise InputError(path, f"解压后超过 {limits.max_unzipped_mb} MB，已拒绝（可能是压缩炸弹）/ "
                                   f"inflates to {total // 2**20} MB, over the limit of {limits.max_unzipped_mb} MB "
                                   f"(limits.max_unzipped_mb)")
        for i in infos:
            if i.file_size > 64 * 1024 * 1024 and i.compress_size and i.file_size / i.compress_size > limits.max_ratio:
                raise InputError(path, f"部件 {i.filename} 的压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），"
                                       f"已拒绝（可能是压缩炸弹）/ part {i.filename} has a compression ratio over "
                                       f"{limits.max_ratio}:1 (limits.max_ratio): refused as a likely zip bomb")
        out = Preflight()
        for i in infos:
            if not i.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with z.open(i) as fh:
                head = fh.read(4096)
            if _DTD.search(head):
                raise InputError(path, f"部件 {i.filename} 含有 DTD/实体声明，Excel 文件不会有，已拒绝 / "
                                       f"part {i.filename} declares a DTD or entities, which no Excel file does: refused")
            if i.filename.startswith("xl/worksheets/") and not _small_by_dimension(head, limits):
                dense, errors = _too_dense(z, i, limits)
                if dense:
                    out.sparse_sheets.add(i.filename)
                if not errors:
                    out.no_error_cells.add(i.filename)
        return out


def _small_by_dimension(head: bytes, limits: Limits) -> bool:
    """Excel, LibreOffice and openpyxl write ``<dimension>`` as the extent of every cell
    (styled empty ones too): when that is small the value extent is too, with no need
    to inflate the sheet. A missing or large dimension sends us to the full scan."""
    m = _DIMENSION.search(head)
    if not m:
        return False
    c1, r1 = col_number(m[1]), int(m[2])
    c2, r2 = (col_number(m[3]), int(m[4])) if m[3] else (c1, r1)
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1) <= limits.max_dense_cells


_ERROR_CELL = b't="e"'
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any pattern looked for, so none is missed at a chunk boundary


def chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part inflated a megabyte at a time, each chunk starting with the last bytes of the
    one before: a scan needs neither the whole part in memory nor to miss a boundary."""
    tail = b""
    with z.open(info) as fh:
        # no CRC: a tenth of the time on a big sheet, and calamine checks it when it reads
        fh._expected_crc = None  # type: ignore[attr-defined]
        while block := fh.read(_CHUNK):
            yield tail + block
            tail = block[-_OVERLAP:]


def _too_dense(z: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> tuple[bool, bool]:
    """(would calamine's dense grid for this sheet exceed ``limits.max_dense_cells``,
    does the sheet hold a formula error cell) — one streamed pass answers both.

    Rows are ordered in the XML, so the last ``<row r=`` gives the extent; the widest
    column comes from the few cell references with two or three letters.
    """
    wide: set[bytes] = set()
    narrow: set[bytes] = set()
    errors = False
    last = b""
    seen = 0
    for data in chunks(z, info):
        wide.update(_WIDE_REF.findall(data))
        if seen < 1_000_000:
            narrow.update(_NARROW_REF.findall(data))
        errors = errors or _ERROR_CELL in data
        seen += len(data)
        last = (last + data)[-65536:]
    rows = [int(m) for m in _ROW_TAG.findall(last)]
    max_row = max(rows) if rows else 0
    if max_row * 26 <= limits.max_dense_cells and not wide:
        return False, errors
    max_col = max((col_number(w) for w in wide), default=0)
    if not max_col:
        max_col = max((col_number(n) for n in narrow), default=1)
    return max_row * max_col > limits.max_dense_cells, errors
