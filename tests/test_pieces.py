"""A big sheet cut into pieces and read on several cores gives the table the whole sheet gives."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from functools import partial
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.helpers import REG_HEADER, reg_row
from xl_dealer.model.config import Config, Limits
from xl_dealer.model.errors import InputError
from xl_dealer.read.dense import Grid as _Grid
from xl_dealer.read.pieces import Cutter, Loader, Shared
from xl_dealer.read.table import Table
from xl_dealer.read.workbook import read_workbook
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)
CUT = Config(limits=Limits(split_mb=0))  # every sheet is big enough to cut


def _rows(n: int = 60) -> list[list]:
    rows = [["XX店来店登记表 2026年11月"], [], REG_HEADER]
    for i in range(n):
        rows.append(reg_row(phone=f"1381234{i:04d}", name=f"客户{i}", date=dt.date(2026, 11, 1 + i % 25),
                            remark="=SUM(A1)" if i == 7 else None))
    rows[12] = [None] * len(REG_HEADER)  # a blank row
    rows[25] = list(REG_HEADER)  # the header printed again
    rows[40] = ["", "", "合计", "40条"]
    rows.append(["小计"])
    return rows


def _book(path: Path, rows: list[list], *, col: int = 0, row: int = 0, gap: int = 0,
          date1904: bool = False, error_at: int | None = None) -> Path:
    """``rows`` from (row+1, col+1), with ``gap`` empty rows in the middle; an #N/A cell on one row."""
    wb = Workbook()
    if date1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "登记"
    for r, vals in enumerate(rows):
        at = r + 1 + row + (gap if r > len(rows) // 2 else 0)
        for c, v in enumerate(vals):
            if v is not None:
                cell = ws.cell(row=at, column=c + 1 + col, value=v)
                if cell.data_type == "f":
                    cell.data_type = "s"
        if r == error_at:
            ws.cell(row=at, column=col + 6).value = "=NA()"
    wb.save(path)
    if error_at is not None:  # openpyxl writes no cached value: give the formula its #N/A
        _patch_sheet(path, lambda x: re.sub(rb"<c ([^>]*)><f>NA\(\)</f><v ?/></c>",
                                            lambda m: b'<c ' + m[1] + b' t="e"><f>NA()</f><v>#N/A</v></c>', x))
    return path


def _patch_sheet(path: Path, edit, part: str = "xl/worksheets/sheet1.xml") -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as w:
        for i, data in items:
            w.writestr(i, edit(data) if i.filename == part else data)


def _same(a: Table, b: Table) -> None:
    assert (a.rows, a.raw, a.columns, a.header_row, a.errors, a.year) == (b.rows, b.raw, b.columns, b.header_row,
                                                                           b.errors, b.year)


def _spy(monkeypatch) -> list[int]:
    """The first rows of the pieces the reader took its rows from (empty: no sheet was cut)."""
    seen: list[int] = []
    real = Loader.sheet

    def spy(self, piece):
        seen.append(piece.first_row)
        return real(self, piece)

    monkeypatch.setattr(Loader, "sheet", spy)
    return seen


@pytest.mark.parametrize("shape", [
    {}, {"col": 2}, {"row": 4}, {"col": 3, "row": 2, "gap": 500}, {"date1904": True}, {"error_at": 30},
])
@pytest.mark.parametrize("threads", [2, 3])
def test_cut_sheet_reads_as_the_whole(tmp_path, monkeypatch, shape, threads):
    p = _book(tmp_path / "b.xlsx", _rows(), **shape)
    whole = read_workbook(p, CUT, threads=1)
    seen = _spy(monkeypatch)
    cut = read_workbook(p, CUT, threads=threads)
    assert len(seen) == threads and seen[0] == 0 and seen == sorted(seen)  # really read from pieces
    assert len(whole) == len(cut) == 1
    _same(whole[0], cut[0])
    if "error_at" in shape:
        assert list(cut[0].errors.values()) == ["#N/A"]
    if "date1904" in shape:
        assert cut[0].raw["date"][0] == dt.date(2026, 11, 1)  # not 1922: the 1904 system came along


def test_every_block_boundary(tmp_path):
    """The cut lands right whatever the block sizes the sheet arrives in."""
    p = _book(tmp_path / "b.xlsx", _rows(45), col=1)
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(p))
    want = wb.get_sheet_by_name("登记").to_python(skip_empty_area=False)
    with zipfile.ZipFile(p) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
        shared = Shared(z)
    for size in (1, 5, 64, 333, len(xml)):
        folder = tmp_path / f"p{size}"
        folder.mkdir()
        cutter = Cutter(shared, len(xml), 3, folder, "s")
        for i in range(0, len(xml), size):
            cutter.feed(xml[i:i + size])
        pieces = cutter.finish()
        assert pieces is not None and len(pieces) == 3 and pieces[0].first_row == 0
        loader = Loader(2)
        try:
            got = list(_Grid([(partial(loader.sheet, piece), piece.first_row) for piece in pieces]).rows())
        finally:
            loader.close()
        width = max(map(len, got))  # pieces' extents differ: the reader pads a shorter row
        assert [r + [""] * (width - len(r)) for r in got] == want


def test_rows_out_of_order_are_read_whole(tmp_path, monkeypatch):
    """A writer that puts a late row first: the pieces cannot be stitched, the sheet is read uncut."""
    p = _book(tmp_path / "b.xlsx", _rows())

    def late_first(xml: bytes) -> bytes:
        rows = re.findall(rb"<row .*?</row>", xml, re.S)
        moved = rows[-1]
        return xml.replace(moved, b"").replace(b"<sheetData>", b"<sheetData>" + moved)

    _patch_sheet(p, late_first)
    seen = _spy(monkeypatch)
    cut = read_workbook(p, CUT, threads=2)
    assert seen == [0]  # the first piece was read, then the stitching gave up
    _same(read_workbook(p, CUT, threads=1)[0], cut[0])


def test_a_row_without_its_number_is_not_cut(tmp_path, monkeypatch):
    p = _book(tmp_path / "b.xlsx", _rows())
    _patch_sheet(p, lambda x: re.sub(rb'<row r="\d+"', b"<row", x))
    seen = _spy(monkeypatch)
    cut = read_workbook(p, CUT, threads=2)
    assert seen == []
    _same(read_workbook(p, CUT, threads=1)[0], cut[0])


def test_pieces_are_removed(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    p = _book(tmp_path / "b.xlsx", _rows())
    seen = _spy(monkeypatch)
    read_workbook(p, CUT, threads=2)
    assert len(seen) == 2 and list(scratch.iterdir()) == []


def test_validate_gives_the_same_findings_cut_or_not(tmp_path):
    p = _book(tmp_path / "b.xlsx", [*_rows()[:-1], reg_row(phone="1381234"), reg_row(level="X")])
    one = validate([p], as_of=AS_OF, config=CUT, jobs=1)
    two = validate([p], as_of=AS_OF, config=CUT, jobs=2)
    assert one.to_json() == two.to_json()
    assert {f.rule for f in one.findings} >= {"format.phone", "enum"}


def test_a_lying_dimension_does_not_abort(tmp_path):
    """<dimension ref="A1:B2"/> and a value in XFD1048576: calamine's grid for it would ask for
    512 GB and abort the process, so the extent is taken from the cells, never the dimension."""
    rows = [REG_HEADER, reg_row()]
    p = _book(tmp_path / "b.xlsx", rows)
    _patch_sheet(p, lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', x).replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    run = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", "--as-of", "2026-11-27", str(p)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr[-500:]
    assert "b.xlsx" in run.stdout


@pytest.mark.parametrize("flag", [b"date1904='1'", b'date1904 = "true"'])
def test_the_1904_flag_however_written(tmp_path, monkeypatch, flag):
    """calamine takes date1904 in either quotes, with spaces around the =: so must the pieces."""
    p = _book(tmp_path / "b.xlsx", _rows(), date1904=True)
    _patch_sheet(p, lambda x: x.replace(b'date1904="1"', flag), part="xl/workbook.xml")
    whole = read_workbook(p, CUT, threads=1)
    seen = _spy(monkeypatch)
    cut = read_workbook(p, CUT, threads=2)
    assert len(seen) == 2
    _same(whole[0], cut[0])
    assert cut[0].raw["date"][0] == dt.date(2026, 11, 1)


def test_styles_and_strings_from_where_calamine_reads_them(tmp_path, monkeypatch):
    """calamine reads xl/styles.xml and xl/sharedStrings.xml whatever the relationships say:
    styles kept elsewhere leave the whole sheet's dates as numbers, and so must the pieces."""
    p = _book(tmp_path / "b.xlsx", _rows())
    with zipfile.ZipFile(p) as z:
        items = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as w:
        for name, data in items:
            if name == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'Target="(/xl/)?styles.xml"', b'Target="/xl/st/styles2.xml"', data)
            w.writestr("xl/st/styles2.xml" if name == "xl/styles.xml" else name, data)
    whole = read_workbook(p, CUT, threads=1)
    seen = _spy(monkeypatch)
    cut = read_workbook(p, CUT, threads=2)
    assert len(seen) == 2
    _same(whole[0], cut[0])
    assert not isinstance(cut[0].raw["date"][0], dt.date)


def _bad_crc(path: Path, part: str) -> None:
    """``part`` intact, its CRC wrong (in its local header and its central directory record)."""
    import struct

    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
        start_dir = z.start_dir
    data = bytearray(path.read_bytes())
    bad = struct.pack("<I", info.CRC ^ 0xFFFF)
    data[info.header_offset + 14:info.header_offset + 18] = bad
    k = data.index(info.filename.encode(), start_dir) - 46 + 16  # its central record: 46 bytes, then the name
    data[k:k + 4] = bad
    path.write_bytes(bytes(data))


def _add_strings(path: Path, broken: str) -> None:
    """A shared strings part too big for the pre-flight's first look (4 KB), ``broken`` by a
    wrong CRC (calamine reads it all the same) or by a corrupt deflate stream (it refuses it)."""
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">' + b"".join(b"<si><t>s%d</t></si>" % k for k in range(2000)) + b"</sst>")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/sharedStrings.xml")
    if broken == "crc":
        return _bad_crc(path, "xl/sharedStrings.xml")
    data = bytearray(path.read_bytes())
    end = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size
    for j in range(end - 60, end - 20):  # past the first 4 KB, which the pre-flight looks at
        data[j] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("broken", ["crc", "deflate"])
def test_broken_shared_strings_read_as_the_whole(tmp_path, broken):
    """Copying the shared strings into the pieces must not fail where the whole read does not,
    nor say anything else where it fails: the sheet is just not cut."""
    p = _book(tmp_path / "b.xlsx", _rows())
    _add_strings(p, broken)

    def outcome(threads):
        try:
            return [(t.rows, t.raw, t.header_row, t.errors) for t in read_workbook(p, CUT, threads=threads)]
        except InputError as e:
            return str(e)

    assert outcome(2) == outcome(1)


_FULL_DISK = """
import json, resource, signal, sys, tempfile
tempfile.tempdir = sys.argv[2]
from xl_dealer.model.config import Config, Limits
from xl_dealer.read.workbook import read_workbook
config = Config(limits=Limits(split_mb=0))
def read(**how):
    return [(t.rows, t.raw, t.header_row, t.errors) for t in read_workbook(sys.argv[1], config, **how)]
whole = read()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]),) * 2)  # no file may grow past this
print(read(**json.loads(sys.argv[4])) == whole)
"""


def full_disk_reads_whole(tmp_path, room: int, **how) -> None:
    """``read_workbook(**how)`` with no file allowed past ``room`` bytes reads as the whole read,
    and leaves nothing in the temporary folder (a subprocess: the limit is the process's)."""
    import json

    p = _book(tmp_path / "b.xlsx", _rows(300))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run = subprocess.run([sys.executable, "-c", _FULL_DISK, str(p), str(scratch), str(room), json.dumps(how)],
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "True", run.stderr[-1500:]
    assert list(scratch.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as a full disk")
@pytest.mark.parametrize("room", [100, 4000, 20000])
def test_no_room_for_the_pieces_reads_the_sheet_whole(tmp_path, room):
    """A full disk while the pieces are written (at a piece's start, in its rows, at its close)."""
    full_disk_reads_whole(tmp_path, room, threads=2)


def test_no_temporary_folder_reads_the_sheet_whole(tmp_path, monkeypatch):
    import tempfile

    p = _book(tmp_path / "b.xlsx", _rows())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    _same(read_workbook(p, CUT, threads=1)[0], read_workbook(p, CUT, threads=2)[0])


def _told_or_ignored(p: Path, part: str, threads: int) -> None:
    """A broken part calamine needs is an InputError; one it does not need is ignored."""
    try:
        sheets = read_workbook(p, CUT, threads=threads)
    except InputError:
        assert part != "docProps/app.xml"  # not needed to read the sheets: no reason to refuse
        return
    assert part == "docProps/app.xml" and len(sheets) == 1


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "docProps/app.xml"])
@pytest.mark.parametrize("threads", [1, 2])
def test_a_part_corrupt_from_its_start_is_told_not_a_traceback(tmp_path, part, threads):
    """The pre-flight's first look at a part whose deflate stream is broken at once raised
    zlib.error: calamine says what is wrong with a part it needs, and ignores the others."""
    p = _book(tmp_path / "b.xlsx", _rows())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo(part)
    data = bytearray(p.read_bytes())
    body = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[body:body + 40] = bytes(b ^ 0x5A for b in data[body:body + 40])
    p.write_bytes(bytes(data))
    _told_or_ignored(p, part, threads)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "docProps/app.xml"])
@pytest.mark.parametrize("threads", [1, 2])
def test_a_part_in_a_method_zipfile_lacks_is_told_not_a_traceback(tmp_path, part, threads):
    """A part marked Deflate64 (method 9): zipfile raises NotImplementedError where a corrupt
    part raises zlib.error, and it escaped as a traceback from the pre-flight's first look."""
    import struct

    p = _book(tmp_path / "b.xlsx", _rows())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo(part)
        start_dir = z.start_dir
    data = bytearray(p.read_bytes())
    data[info.header_offset + 8:info.header_offset + 10] = struct.pack("<H", 9)
    k = data.index(info.filename.encode(), start_dir) - 46 + 10  # its central record's method
    data[k:k + 2] = struct.pack("<H", 9)
    p.write_bytes(bytes(data))
    _told_or_ignored(p, part, threads)


def test_validate_prints_no_traceback_for_a_corrupt_part(tmp_path):
    p = _book(tmp_path / "b.xlsx", _rows())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("xl/styles.xml")
    data = bytearray(p.read_bytes())
    body = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[body:body + 40] = bytes(b ^ 0x5A for b in data[body:body + 40])
    p.write_bytes(bytes(data))
    run = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", "--as-of", "2026-11-27", "--jobs", "2",
                          str(p)], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in run.stderr, run.stderr[-800:]
    assert "b.xlsx" in run.stdout


def test_relationships_with_a_bad_crc_read_as_the_whole(tmp_path):
    """calamine reads the workbook's relationships without a word: finding a cut sheet's part
    through them must not fail either."""
    p = _book(tmp_path / "b.xlsx", _rows())
    _bad_crc(p, "xl/_rels/workbook.xml.rels")
    _same(read_workbook(p, CUT, threads=1)[0], read_workbook(p, CUT, threads=2)[0])


def test_a_far_row_out_of_order_does_not_abort(tmp_path):
    """A piece is read while the rest of the sheet is still scanned, when it fits: its rows
    may not stop at the next piece's first row (a writer put XFD1048576 among the first rows),
    so it must fit however far down they go. Read whole, the scan sends the sheet to the
    sparse reader; a piece read early asked calamine for 512 GB and aborted the process."""
    p = _book(tmp_path / "b.xlsx", _rows(300))

    def stray(xml: bytes) -> bytes:
        at = re.findall(rb'<row r="\d+".*?</row>', xml, re.S)[30]
        return xml.replace(at, at + b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')

    _patch_sheet(p, stray)
    code = ("import sys; from xl_dealer.model.config import Config, Limits; from xl_dealer.read.workbook import read_workbook; "
            "c = Config(limits=Limits(split_mb=0)); "
            "print(*[len(t.rows) for t in read_workbook(sys.argv[1], c, threads=int(sys.argv[2]))])")
    scratch = tmp_path / "scratch"  # an aborted process leaves its pieces
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    runs = [subprocess.run([sys.executable, "-c", code, str(p), str(n)], capture_output=True, text=True, timeout=120,
                           env=env) for n in (1, 2)]
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr[:500]
    assert runs[0].stdout == runs[1].stdout
    assert list(scratch.iterdir()) == []


def test_pieces_are_read_a_few_at_a_time(tmp_path, monkeypatch):
    """Four big sheets: no more pieces are read ahead than there are threads, so memory holds
    a few pieces' cells at a time, not the workbook's."""
    wb = Workbook()
    wb.remove(wb.active)
    for m in range(4):
        ws = wb.create_sheet(f"{m + 8}月")
        for r in _rows():
            ws.append(r)
    ws = wb.create_sheet("说明")  # of no known kind: cut, read whole, its pieces forgotten
    for i in range(60):
        ws.append([f"第{i}条说明", i])
    p = tmp_path / "months.xlsx"
    wb.save(p)
    ahead: list[int] = []
    for name in ("start", "sheet", "forget"):
        real = getattr(Loader, name)

        def spy(self, *a, _real=real):
            out = _real(self, *a)
            ahead.append(len(self.futures))
            return out

        monkeypatch.setattr(Loader, name, spy)
    cut = read_workbook(p, CUT, threads=2)
    assert max(ahead) == 2 and len(ahead) > 10
    whole = read_workbook(p, CUT, threads=1)
    assert [t.sheet for t in cut] == [t.sheet for t in whole]
    for a, b in zip(cut, whole, strict=True):
        if isinstance(a, Table):
            _same(a, b)
