"""A big sheet on one thread is read from the stored copy the pre-flight pass writes of it (one
piece, ``pieces.py``): the table is the one the sheet gives read whole, and every surprise that
sends a cut sheet back to the whole read does the same for the copy."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_pieces import CUT, _add_strings, _bad_crc, _book, _patch_sheet, _rows, _same
from xl_dealer.model.errors import InputError
from xl_dealer.read import pieces
from xl_dealer.read.workbook import read_workbook
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)


def _copies(monkeypatch) -> list[Path]:
    """The pieces read on this thread (not by a Loader): the stored copies."""
    seen: list[Path] = []
    real = pieces.load

    def spy(piece):
        seen.append(piece.path)
        return real(piece)

    monkeypatch.setattr(pieces, "load", spy)
    return seen


@pytest.mark.parametrize("shape", [
    {}, {"col": 2}, {"row": 4}, {"col": 3, "row": 2, "gap": 500}, {"date1904": True}, {"error_at": 30},
])
def test_a_stored_copy_reads_as_the_whole(tmp_path, monkeypatch, shape):
    p = _book(tmp_path / "b.xlsx", _rows(), **shape)
    whole = read_workbook(p, CUT, threads=1)
    seen = _copies(monkeypatch)
    copied = read_workbook(p, CUT, threads=1, stored=True)
    assert len(seen) == 1  # really read from the copy
    assert len(whole) == len(copied) == 1
    _same(whole[0], copied[0])
    if "error_at" in shape:
        assert list(copied[0].errors.values()) == ["#N/A"]
    if "date1904" in shape:
        assert copied[0].raw["date"][0] == dt.date(2026, 11, 1)


def _late_first(xml: bytes) -> bytes:
    rows = re.findall(rb"<row .*?</row>", xml, re.S)
    return xml.replace(rows[-1], b"").replace(b"<sheetData>", b"<sheetData>" + rows[-1])


@pytest.mark.parametrize("edit", [_late_first, lambda x: re.sub(rb'<row r="\d+"', b"<row", x)],
                         ids=["a late row first", "rows without their numbers"])
def test_rows_the_cutter_cannot_cut_at_read_from_the_copy_as_the_whole(tmp_path, monkeypatch, edit):
    """Nothing is cut in a copy: rows out of order, or without their numbers, read as the sheet's."""
    p = _book(tmp_path / "b.xlsx", _rows())
    _patch_sheet(p, edit)
    whole = read_workbook(p, CUT, threads=1)
    seen = _copies(monkeypatch)
    _same(whole[0], read_workbook(p, CUT, threads=1, stored=True)[0])
    assert len(seen) == 1


def test_small_sheets_are_not_copied(tmp_path, monkeypatch):
    """Under ``limits.split_mb`` (8 MB of XML by default) the sheet is read as it is."""
    from xl_dealer.model.config import Config

    p = _book(tmp_path / "b.xlsx", _rows())
    seen = _copies(monkeypatch)
    read_workbook(p, Config(), threads=1, stored=True)
    assert seen == []


def test_the_copy_is_removed(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    p = _book(tmp_path / "b.xlsx", _rows())
    seen = _copies(monkeypatch)
    read_workbook(p, CUT, threads=1, stored=True)
    assert len(seen) == 1 and list(scratch.iterdir()) == []


def test_no_temporary_folder_reads_the_sheet_whole(tmp_path, monkeypatch):
    import tempfile

    p = _book(tmp_path / "b.xlsx", _rows())
    whole = read_workbook(p, CUT, threads=1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    seen = _copies(monkeypatch)
    _same(whole[0], read_workbook(p, CUT, threads=1, stored=True)[0])
    assert seen == []


@pytest.mark.parametrize("broken", ["crc", "deflate"])
def test_broken_shared_strings_read_as_the_whole(tmp_path, broken):
    p = _book(tmp_path / "b.xlsx", _rows())
    _add_strings(p, broken)

    def outcome(stored):
        try:
            return [(t.rows, t.raw, t.header_row, t.errors) for t in read_workbook(p, CUT, threads=1, stored=stored)]
        except InputError as e:
            return str(e)

    assert outcome(True) == outcome(False)


def test_a_sheet_with_a_bad_crc_is_told_as_the_whole_read_tells_it(tmp_path):
    """The copy is checked against the sheet's CRC as it is written: a sheet whose bytes are not
    what its directory says is read (or refused) as calamine reads the original."""
    p = _book(tmp_path / "b.xlsx", _rows())
    _bad_crc(p, "xl/worksheets/sheet1.xml")

    def outcome(stored):
        try:
            return [(t.rows, t.raw) for t in read_workbook(p, CUT, threads=1, stored=stored)]
        except InputError as e:
            return str(e)

    assert outcome(True) == outcome(False)


_FULL_DISK = """
import resource, signal, sys, tempfile
tempfile.tempdir = sys.argv[2]
from xl_dealer.model.config import Config, Limits
from xl_dealer.read.workbook import read_workbook
config = Config(limits=Limits(split_mb=0))
def read(stored):
    return [(t.rows, t.raw, t.header_row, t.errors) for t in read_workbook(sys.argv[1], config, stored=stored)]
whole = read(False)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]),) * 2)  # no file may grow past this
print(read(True) == whole)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as a full disk")
@pytest.mark.parametrize("room", [100, 4000, 20000])
def test_no_room_for_the_copy_reads_the_sheet_whole(tmp_path, room):
    p = _book(tmp_path / "b.xlsx", _rows(300))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    run = subprocess.run([sys.executable, "-c", _FULL_DISK, str(p), str(scratch), str(room)],
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "True", run.stderr[-1500:]
    assert list(scratch.iterdir()) == []


def test_validate_on_one_thread_reads_big_sheets_from_a_copy(tmp_path, monkeypatch):
    from tests.test_pieces import reg_row

    p = _book(tmp_path / "b.xlsx", [*_rows()[:-1], reg_row(phone="1381234"), reg_row(level="X")])
    plain = validate([p], as_of=AS_OF, config=CUT, jobs=2)
    seen = _copies(monkeypatch)
    one = validate([p], as_of=AS_OF, config=CUT, jobs=1)
    assert len(seen) == 1
    assert one.to_json() == plain.to_json()
    assert {f.rule for f in one.findings} >= {"format.phone", "enum"}
