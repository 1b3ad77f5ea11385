"""The stored zip the pieces are written as (``read/stored.py``): what zipfile writes, to any
reader, its CRCs zlib's."""

from __future__ import annotations

import zipfile
import zlib

import pytest

from xl_dealer.read import stored
from xl_dealer.read.stored import StoredZip


def test_a_stored_zip_reads_as_zipfile_wrote_it(tmp_path):
    parts = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook>日期</workbook>", "empty.xml": b""}
    sheet = [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(50_000)]
    z = StoredZip(tmp_path / "a.xlsx")
    for name, data in parts.items():
        z.writestr(name, data)
    out = z.open("xl/worksheets/sheet1.xml", "w")
    for block in sheet:
        out.write(block)
    out.close()
    z.close()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as r:
        assert r.testzip() is None  # every CRC right
        assert r.namelist() == [*parts, "xl/worksheets/sheet1.xml"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in r.infolist())
        assert r.read("xl/workbook.xml") == "<workbook>日期</workbook>".encode()
        assert r.read("empty.xml") == b""
        data = r.read("xl/worksheets/sheet1.xml")
    assert data == b"".join(sheet)
    assert r.getinfo("xl/worksheets/sheet1.xml").CRC == zlib.crc32(data)


def test_calamine_reads_a_stored_zip(tmp_path):
    import python_calamine as pc

    from xl_dealer.read.pieces import Shared

    src = tmp_path / "src.xlsx"
    from tests.helpers import raw_xlsx

    raw_xlsx(src, rows={1: {"A": "日期", "B": 3}, 2: {"A": "x", "B": 4.5}})
    with zipfile.ZipFile(src) as z:
        shared = Shared(z)
        sheet = z.read("xl/worksheets/sheet1.xml")
    out = StoredZip(tmp_path / "p.xlsx")
    shared.write_into(out)
    member = out.open("xl/worksheets/sheet1.xml", "w")
    member.write(sheet)
    member.close()
    out.close()
    wb = pc.CalamineWorkbook.from_path(str(tmp_path / "p.xlsx"))
    assert wb.get_sheet_by_index(0).to_python() == [["日期", 3.0], ["x", 4.5]]


def test_a_piece_past_4_gb_is_an_oserror_and_its_file_closed(tmp_path, monkeypatch):
    """Sizes past 4 GB need zip64, which this writer does not write: the cutter, told by an
    OSError, reads the sheet whole (it writes a piece that may get so big with zipfile)."""
    monkeypatch.setattr(stored, "_LIMIT", 1000)
    z = StoredZip(tmp_path / "big.xlsx")
    out = z.open("s.xml", "w")
    out.write(b"x" * 2000)
    with pytest.raises(OSError):
        out.close()
    with pytest.raises(OSError):  # its directory would start past the limit too
        z.close()
    assert z.fh.closed
