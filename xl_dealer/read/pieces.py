"""A big sheet cut into pieces that calamine reads on several cores at once.

calamine reads a sheet in one call that lets go of the GIL but runs on one core, and
that call is most of a big run; two calls on two packages run side by side. The
pre-flight pass inflates every sheet anyway (its extent must be known before
calamine sees it: a ``<dimension>`` can lie), so while it streams a big sheet it
also writes it into N small packages, stored uncompressed and cut at row
boundaries: each holds the sheet's own start (up to ``<sheetData>``), a run of
whole rows, and the close. The reader stitches the pieces' rows back in order
(``dense.py``). Any surprise (a row without its number where we cut, rows out of
order, a piece calamine refuses) and the sheet is read whole, as before.

On one core (``validate --jobs 1``) a big sheet is written as one such piece: a stored
copy. calamine inflates a part with miniz (about 0.15 s of CPU for a 100k-row sheet's
85 MB, 1.2 s for a million rows) where the pass's zlib-ng took a third of that, and
writing the copy costs about 0.03 s: the copy is read in less CPU than the part.
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_dealer.read.stored import StoredZip

_SHEET_DATA = b"<sheetData>"
_END = b"</sheetData></worksheet>"
_ROW_START = re.compile(rb"<row[\s>/]")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"[^>]*>')
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
# as calamine reads it: either quotes, spaces around the =
_DATE1904 = re.compile(rb'<(?:\w+:)?workbookPr\b[^>]*?\sdate1904\s*=\s*(["\'])(?:1|true)\1')
_HEAD_LIMIT = 4 << 20  # a sheet whose rows start later than this is not cut (never seen)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass(frozen=True, slots=True)
class Piece:
    path: Path
    first_row: int  # 0-based row of the sheet where this piece starts (the first piece: 0)


class Shared:
    """What every piece of a workbook repeats: the styles (a number's format says it is a
    date), the shared strings and the 1904 date system, read once per workbook. From where
    calamine reads them, not where the relationships say: a piece must read as the sheet does."""

    def __init__(self, z: zipfile.ZipFile) -> None:
        self.styles = _read(z, "xl/styles.xml")
        self.strings = _read(z, "xl/sharedStrings.xml")
        self.date1904 = bool(_DATE1904.search(_read(z, "xl/workbook.xml") or b""))

    def write_into(self, zf: zipfile.ZipFile | StoredZip) -> None:
        over = [("/xl/workbook.xml", "sheet.main+xml"), ("/xl/worksheets/sheet1.xml", "worksheet+xml")]
        rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
        if self.styles is not None:
            over.append(("/xl/styles.xml", "styles+xml"))
            rels.append(("rId2", "styles", "styles.xml"))
        if self.strings is not None:
            over.append(("/xl/sharedStrings.xml", "sharedStrings+xml"))
            rels.append(("rId3", "sharedStrings", "sharedStrings.xml"))
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{_CT}.{t}"/>' for p, t in over) + "</Types>"))
        zf.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            + ('<workbookPr date1904="1"/>' if self.date1904 else "")
            + '<sheets><sheet name="piece" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="{i}" Type="{_REL}/{t}" Target="{p}"/>' for i, t, p in rels)
            + "</Relationships>"))
        if self.styles is not None:
            zf.writestr("xl/styles.xml", self.styles)
        if self.strings is not None:
            zf.writestr("xl/sharedStrings.xml", self.strings)


def _read(z: zipfile.ZipFile, part: str) -> bytes | None:
    try:
        return z.read(part)
    except KeyError:
        return None


class Cutter:
    """Fed a sheet's XML block by block (in order), writes it as ``n`` pieces into ``folder``."""

    def __init__(self, shared: Shared, size: int, n: int, folder: Path, stem: str) -> None:
        self.shared = shared
        self.folder = folder
        self.stem = stem
        self.cuts = [size * k // n for k in range(1, n)]  # offsets in the XML after which we cut
        self.least = min(n, 2)  # fewer pieces than this and the sheet is read whole: one is a copy, not a cut
        self.head = b""
        self.pending = b""  # the last bytes of a block, held back: they may begin the row tag we cut at
        self.prefix: bytes | None = None
        self.pos = 0  # offset in the sheet XML of the next byte fed
        self.pieces: list[Piece] = []
        self.handed: list[Piece] = []  # given to the loader before the scan ended
        self.told = 0  # pieces handed out by complete()
        self.zf: zipfile.ZipFile | StoredZip | None = None
        self.out: Any = None
        self.dead = False
        # zipfile, slower (its CRC), for a piece that may need zip64
        self.zip64 = size + len(shared.strings or b"") + len(shared.styles or b"") > (1 << 30)

    def feed(self, block: bytes) -> None:
        if self.dead:
            return
        try:
            self._feed(block)
        except OSError:  # no room for the pieces (a full disk): the sheet is read whole
            self._fail()

    def _feed(self, block: bytes) -> None:
        if self.prefix is None:
            self.head += block
            i = self.head.find(_SHEET_DATA)
            if i < 0:
                if len(self.head) > _HEAD_LIMIT:
                    self._fail()
                return
            j = i + len(_SHEET_DATA)
            # no <dimension>: calamine takes a piece's extent from its cells, not the sheet's
            self.prefix = _DIMENSION.sub(b"", self.head[:j])
            self._open(0)
            self.pos = j
            block, self.head = self.head[j:], b""
        block, self.pending = self.pending + block, b""
        while self.cuts and self.pos + len(block) > self.cuts[0]:
            start = max(0, self.cuts[0] - self.pos)
            m = _ROW_START.search(block, start)
            stop = block.find(b"</sheetData>", start)
            if stop >= 0 and (m is None or stop < m.start()):
                self.cuts.clear()  # the rows ended before this cut
                break
            if m is None or block.find(b">", m.start()) < 0:
                # a row tag (or </sheetData>) may begin in the last bytes: keep them for the next block
                k = m.start() if m is not None else block.rfind(b"<", start)
                if k >= 0:
                    block, self.pending = block[:k], block[k:]
                break
            p = m.start()
            num = _ROW_NUMBER.match(block, p)
            if num is None:
                return self._fail()  # a row without r=: calamine would number it from the piece's start
            self._write(block[:p] + _END)
            self._close()
            self.cuts.pop(0)
            self._open(int(num[1]) - 1)
            block = block[p:]
            self.pos += p
        self._write(block)
        self.pos += len(block)

    def complete(self) -> list[Piece]:
        """Pieces written in full since the last call. A piece's rows end before the next
        piece's first only when the XML has them in order: nothing here says they do."""
        done = self.pieces[self.told:len(self.pieces) - 1]
        self.told = max(self.told, len(self.pieces) - 1)
        return done

    def finish(self) -> list[Piece] | None:
        """The pieces, or None when the sheet was not cut (too few rows for the cuts asked, or a
        surprise)."""
        if self.dead or self.out is None:
            self._fail()
            return None
        try:
            self._write(self.pending)
            self._close()
        except OSError:  # a full disk
            self._fail()
            return None
        if len(self.pieces) < self.least:
            self._fail()
            return None
        return self.pieces

    def _open(self, first_row: int) -> None:
        path = self.folder / f"{self.stem}-{len(self.pieces)}.xlsx"
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) if self.zip64 else StoredZip(path)
        self.shared.write_into(self.zf)
        self.out = self.zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=self.zip64)
        assert self.prefix is not None
        self.out.write(self.prefix)
        self.pieces.append(Piece(path, first_row))

    def _write(self, data: bytes) -> None:
        assert self.out is not None
        self.out.write(data)

    def _close(self) -> None:
        out, zf, self.out, self.zf = self.out, self.zf, None, None
        try:
            if out is not None:
                out.close()
        finally:
            if zf is not None:
                zf.close()  # its file is closed even when this raises

    def _fail(self) -> None:
        self.dead = True
        try:
            self._close()
        except OSError:  # a full disk: what was written goes with the folder
            pass
        for piece in self.pieces:
            try:
                piece.path.unlink(missing_ok=True)
            except OSError:  # Windows: a thread still reading it; the folder goes at close()
                pass
        self.pieces = []


class Loader:
    """Pieces read by calamine in threads (its read lets go of the GIL), each started as soon
    as it is written and known to fit (``guard.py``): the first piece is being read while the
    pre-flight pass still streams the rest, and the reader turns one piece into columns while
    the next is read. ``sheet`` waits for one piece.

    At most ``threads`` pieces are read ahead of the reader: with two, a workbook of twelve big
    month sheets holds three pieces' cells at a time (the reader's and two ahead), not twelve
    sheets'; the rest wait their turn.
    """

    def __init__(self, threads: int) -> None:
        self.limit = max(1, threads)
        self.pool = ThreadPoolExecutor(self.limit, thread_name_prefix="xl-dealer-piece")
        self.futures: dict[Path, Future[Any]] = {}  # started and not yet taken or forgotten
        self.waiting: list[Piece] = []  # handed over beyond the limit, in order

    def start(self, piece: Piece) -> None:
        if piece.path in self.futures or piece in self.waiting:
            return
        if len(self.futures) < self.limit:
            self.futures[piece.path] = self.pool.submit(_load, piece.path)
        else:
            self.waiting.append(piece)

    def sheet(self, piece: Piece) -> Any:
        if piece.path not in self.futures:  # the reader's piece goes first, whatever the limit
            if piece in self.waiting:
                self.waiting.remove(piece)
            self.futures[piece.path] = self.pool.submit(_load, piece.path)
        # popped: once the reader has its rows, nothing here keeps the piece's cells alive
        future = self.futures.pop(piece.path)
        self._top_up()
        return future.result()

    def forget(self, pieces: list[Piece]) -> None:
        """Pieces the reader will not take (their sheet is read another way)."""
        for piece in pieces:
            future = self.futures.pop(piece.path, None)
            if future is not None:
                future.cancel()  # one already being read finishes and is dropped
            if piece in self.waiting:
                self.waiting.remove(piece)
        self._top_up()

    def _top_up(self) -> None:
        while self.waiting and len(self.futures) < self.limit:
            piece = self.waiting.pop(0)
            self.futures[piece.path] = self.pool.submit(_load, piece.path)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.futures = {}
        self.waiting = []


def load(piece: Piece) -> Any:
    """A piece's calamine sheet, read here (no thread: ``Loader`` reads ahead in threads)."""
    return _load(piece.path)


def _load(path: Path) -> Any:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    try:
        return wb.get_sheet_by_index(0)
    finally:
        wb.close()
