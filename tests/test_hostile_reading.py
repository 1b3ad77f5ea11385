"""Hostile and real-world packages on the read path (issues 13 and 20): the guard finds sheets as
calamine does, values calamine does not know, sheets it does not know, old formats bounded."""

import datetime as dt
import json
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REG_HEADER, cell_xml, reg_row, write_xlsx

from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WS = R + "/worksheet"
MACRO = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
DIALOG = R + "/dialogsheet"
HEADER = dict(zip("ABCDEFGHIJKLM", REG_HEADER, strict=True))


def data(phone):
    return dict(zip("ABCDEFGHIJKLM", ["2026-11-20", "10:00", "", "来店", "王先生", phone, "凯美瑞", "汽车之家", "A",
                                      "李娜", "否", "是", ""], strict=True))


def body(rows):
    return "".join(f'<row r="{r}">' + "".join(cell_xml(f"{c}{r}", v) for c, v in rows[r].items()) + "</row>"
                   for r in sorted(rows))


def sheet(inner, root="worksheet"):
    return f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="{NS}"><sheetData>{inner}</sheetData></{root}>'


def package(path, sheets, members=None):
    """``sheets``: (name, r:id, target, relationship type, xml or None, state); ``members``: the zip
    name to store each target under (default xl/ + target)."""
    wb = (f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{R}"><sheets>'
          + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="{rid}"' + (f' state="{st}"' if st else "") + "/>"
                    for i, (n, rid, _, _, _, st) in enumerate(sheets)) + "</sheets></workbook>")
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{rid}" Type="{rt}" Target="{t}"/>' for _, rid, t, rt, _, _ in sheets if rid)
            + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for _, _, t, _, xml, _ in sheets:
            if xml is not None:
                z.writestr((members or {}).get(t, "xl/" + t), xml)
    return path


def run_cli(*args, mem_gb=3, timeout=240):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (mem_gb * 2**30, mem_gb * 2**30))

    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=timeout, preexec_fn=limit)
    return p.returncode, p.stdout, p.stderr


GOOD_SHEET = sheet(body({1: HEADER, 2: data("13812345678"), 3: data("1381234567")}))
FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>stray</t></is></c></row>'


@pytest.mark.parametrize("member", ["xl/data/s1.xml", "xl/worksheets/SHEET1.XML", "xl/worksheets/sheet1",
                                    "xl\\worksheets\\sheet1.xml"])
def test_a_far_cell_in_a_sheet_stored_anywhere_is_read_sparse(tmp_path, member):
    """The guard finds the sheet through workbook.xml and its relationships, case-insensitively,
    as calamine does: a sheet outside xl/worksheets/*.xml asked calamine for 512 GB and aborted
    the whole run, the good workbook beside it unread."""
    target = member[3:].replace("\\", "/").lower()  # the relationship's target; the member's name as stored
    xml = sheet(body({1: HEADER, 2: data("13812345678"), 3: data("1381234567")}) + FAR)
    bad = package(tmp_path / "far.xlsx", [("登记", "rId1", target, WS, xml, None)], {target: member})
    good = write_xlsx(tmp_path / "good.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    code, out, err = run_cli("validate", bad, good, "--format", "json", "--as-of", AS_OF, "--jobs", "2")
    assert code == 1, err[-600:]
    found = [(Path(f["path"]).name, f["cell"], f["rule"]) for f in json.loads(out)["findings"]]
    assert ("far.xlsx", "F3", "format.phone") in found and ("good.xlsx", "F2", "format.phone") in found
    assert "Traceback" not in err


def test_lower_case_and_four_letter_references_are_far_too(tmp_path):
    stray = '<row r="7"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c><c r="ZZZZ7"><v>1</v></c></row>'
    xml = sheet(body({1: HEADER, 2: data("13812345678"), 3: data("1381234567")}) + stray)
    p = package(tmp_path / "low.xlsx", [("登记", "rId1", "worksheets/sheet1.xml", WS, xml, None)])
    code, out, err = run_cli("validate", p, "--format", "json", "--as-of", AS_OF)
    assert code == 1, err[-600:]
    assert ("F3", "format.phone") in [(f["cell"], f["rule"]) for f in json.loads(out)["findings"]]


def test_an_entity_declaration_in_a_sheet_stored_anywhere_is_refused(tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
           + sheet(body({1: HEADER}))[len('<?xml version="1.0" encoding="UTF-8"?>'):])
    p = package(tmp_path / "dtd.xlsx", [("登记", "rId1", "data/S", WS, lol, None)])
    r = validate([p], as_of=AS_OF)
    assert "DTD" in (r.files[0].error or "")


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                                   "#GETTING_DATA"])
def test_excel_365_error_values_are_formula_errors(tmp_path, error):
    """calamine refuses a sheet holding one of them ("Unsupported cell error value"): the sheet is
    read by the sparse reader instead, the error is cell.error on a checked cell, nothing on a
    helper sheet, and the workbook is no longer unreadable."""
    cell = f'<c r="F3" t="e"><f>A1#</f><v>{error}</v></c>'
    checked = sheet(body({1: HEADER, 2: data("13812345678")}) + f'<row r="3">{cell}'
                    + "".join(cell_xml(f"{c}3", v) for c, v in data("13900000000").items() if c != "F") + "</row>")
    helper = sheet(f'<row r="1"><c r="A1" t="e"><v>{error}</v></c></row>')
    p = package(tmp_path / "e365.xlsx", [("登记", "rId1", "worksheets/sheet1.xml", WS, checked, None),
                                         ("辅助", "rId2", "worksheets/sheet2.xml", WS, helper, None)])
    r = validate([p], as_of=AS_OF)
    assert r.files[0].error is None
    assert [(f.sheet, f.cell, f.rule, f.value) for f in r.findings] == [("登记", "F3", "cell.error", error)]


@pytest.mark.parametrize("other", ["macro", "dialog", "no relationship"])
def test_macro_and_dialog_sheets_are_skipped_and_the_worksheets_read(tmp_path, other):
    """calamine refuses a workbook with an Excel 4 macro sheet or a hidden sheet whose r:id is
    empty as a whole ("corrupt"); the worksheets beside them are read and they are listed as skipped."""
    extra = {"macro": ("Macro1", "rId2", "macrosheets/sheet1.xml", MACRO,
                       sheet("", "xm:macrosheet").replace(f'xmlns="{NS}"', f'xmlns="{NS}" xmlns:xm="x"'), None),
             "dialog": ("Dialog1", "rId2", "dialogsheets/sheet1.xml", DIALOG, sheet("", "dialogsheet"), None),
             "no relationship": ("隐藏", "", "", WS, None, "hidden")}[other]
    p = package(tmp_path / "m.xlsm", [("登记", "rId1", "worksheets/sheet1.xml", WS, GOOD_SHEET, None), extra])
    r = validate([p], as_of=AS_OF)
    assert r.files[0].error is None
    assert [(s["name"], s.get("skipped")) for s in r.files[0].sheets] == [("登记", None), (extra[0], "not a worksheet")]
    assert [(f.cell, f.rule) for f in r.findings] == [("F3", "format.phone")]


def test_a_corrupt_macro_workbook_is_never_told_to_become_xlsx(tmp_path):
    p = tmp_path / "宏.xlsm"
    p.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    r = validate([p], as_of=AS_OF)
    assert r.files[0].error and ".xlsm" in r.files[0].error and "as .xlsx" not in r.files[0].error


def _xls(path, cells):
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("登记")
    for (r, c), v in cells.items():
        ws.write(r, c, v)
    wb.save(str(path))
    return path


def test_an_xls_over_a_huge_grid_is_read_in_bounded_memory(tmp_path):
    """calamine builds A1:IV65536 densely (1 GB for a 42 KB file); the bounded child runs out of
    its share and xlrd, whose memory grows with the cells, reads it."""
    cells = {(0, c): h for c, h in enumerate(REG_HEADER)}
    cells.update({(1, c): v for c, v in enumerate(reg_row(date="2026-11-20", arrive="10:00", phone="1381234567"))
                  if v is not None and not isinstance(v, dt.date | dt.time)})
    cells[(65535, 255)] = "stray"
    p = _xls(tmp_path / "far.xls", cells)
    assert p.stat().st_size < 100_000
    # the run's own peak, its reader children included (a wrapper process measures them alone)
    wrapper = ("import resource, subprocess, sys; r = subprocess.run([sys.executable, '-m', 'xl_dealer.cli', "
               "*sys.argv[1:]], capture_output=True, text=True); sys.stderr.write(r.stderr); print(r.returncode); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); print(r.stdout)")
    run = subprocess.run([sys.executable, "-c", wrapper, "validate", str(p), "--format", "json", "--as-of", str(AS_OF)],
                         capture_output=True, text=True, timeout=300)
    code, peak, out = run.stdout.split("\n", 2)
    assert code == "1", run.stderr[-600:]
    assert ("F2", "format.phone") in [(f["cell"], f["rule"]) for f in json.loads(out)["findings"]]
    assert int(peak) < 700, peak  # MB: the child that tried calamine was stopped at its share


def test_an_xls_holding_only_error_cells_is_not_empty(tmp_path):
    """calamine gives an .xls formula error as a blank: a workbook of error cells looked empty
    ("the workbook is empty", exit 2). xlrd reads them as the errors they are."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("汇总")
    for r in range(3):
        for c in range(3):
            ws.row(r).set_cell_error(c, 0x2A, xlwt.easyxf(""))
    wb.save(str(tmp_path / "e.xls"))
    r = validate([tmp_path / "e.xls"], as_of=AS_OF)
    assert r.files[0].error is None
    assert [(s["name"], s.get("skipped")) for s in r.files[0].sheets] == [("汇总", "not a known kind")]


def _ole_loop(path):
    """A 1.5 KB OLE container whose directory chain points at itself."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    header[76:512] = b"\xff" * 436
    struct.pack_into("<I", header, 76, 0)  # FAT at sector 0
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 1)  # sector 1 → sector 1: a loop
    directory = bytearray(512)
    name = "Root Entry".encode("utf-16-le")
    directory[0:len(name)] = name
    struct.pack_into("<HBB", directory, 64, len(name) + 2, 5, 1)
    path.write_bytes(bytes(header) + bytes(fat) + bytes(directory))
    return path


def test_broken_old_formats_are_one_clear_line_in_bounded_time(tmp_path):
    loop = _ole_loop(tmp_path / "loop.xls")
    xlsb = tmp_path / "trunc.xlsb"
    xlsb.write_bytes(write_xlsx(tmp_path / "g.xlsx", {"登记": [REG_HEADER, reg_row()]}).read_bytes()[:900])
    good = write_xlsx(tmp_path / "good.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    code, out, err = run_cli("validate", loop, xlsb, good, "--format", "json", "--as-of", AS_OF, mem_gb=6,
                             timeout=400)
    assert code == 2 and "Traceback" not in err
    files = {Path(f["path"]).name: f["error"] for f in json.loads(out)["files"]}
    assert files["loop.xls"] and files["trunc.xlsb"] and files["good.xlsx"] is None
    assert len([line for line in err.splitlines() if line.strip()]) == 2


def test_unreadable_folders_and_special_files_are_errors_and_the_rest_is_checked(tmp_path, monkeypatch):
    """A sub-folder without permission was skipped in silence (exit 0, a report without November);
    an unreadable named file stopped the run; a FIFO hung for ever; a link loop was a RuntimeError
    traceback. (Root reads everything: there the refusals are the system's, played by a patch.)"""
    import os

    root = tmp_path / "share"
    (root / "10月").mkdir(parents=True)
    (root / "11月").mkdir()
    write_xlsx(root / "10月" / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    write_xlsx(root / "11月" / "登记.xlsx", {"登记": [REG_HEADER, reg_row()]})
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.xlsx"
    os.symlink(loop, loop)
    locked = write_xlsx(tmp_path / "locked.xlsx", {"登记": [REG_HEADER, reg_row()]})
    if os.geteuid() == 0:
        import builtins

        real_scandir, real_listdir, real_open = os.scandir, os.listdir, builtins.open

        def deny(p):
            if str(p).endswith("11月") or str(p).endswith("locked.xlsx"):
                raise PermissionError(13, "Permission denied", str(p))

        monkeypatch.setattr(os, "scandir", lambda p=".": deny(p) or real_scandir(p))
        monkeypatch.setattr(os, "listdir", lambda p=".": deny(p) or real_listdir(p))
        monkeypatch.setattr(builtins, "open", lambda p, *a, **k: deny(p) or real_open(p, *a, **k))
    else:
        os.chmod(root / "11月", 0o000)
        os.chmod(locked, 0o000)
    try:
        r = validate([root, fifo, loop, locked], as_of=AS_OF)
    finally:
        monkeypatch.undo()
        os.chmod(root / "11月", 0o755)
        os.chmod(locked, 0o644)
    files = {Path(f.path).name: f.error for f in r.files}
    assert files["登记.xlsx"] is None  # October was checked
    assert files["11月"] and "文件夹无法读取" in files["11月"]
    assert files["pipe.xlsx"] and files["loop.xlsx"] and files["locked.xlsx"]
    assert r.exit_code() == 2
    assert [f.cell for f in r.findings] == ["F2"]


STYLES = (f'<?xml version="1.0"?><styleSheet xmlns="{NS}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
          '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')


@pytest.mark.parametrize("far", [False, True])  # read densely by calamine, or by the sparse reader
@pytest.mark.parametrize("number", ["2958466", "-1000000", "1e10", "INF", "-INF", "NaN"])
def test_a_date_formatted_number_out_of_range_is_a_finding(tmp_path, far, number):
    """OverflowError in the sparse reader, a panic (a BaseException) in calamine: a traceback for
    the whole run. Now the cell is format.date and the rest is checked."""
    from helpers import raw_xlsx

    cells = "".join(cell_xml(f"{c}2", v) for c, v in data("13812345678").items() if c != "A")
    rows = body({1: HEADER}) + f'<row r="2"><c r="A2" s="1"><v>{number}</v></c>{cells}</row>' + \
        body({3: data("1381234567")}) + (FAR if far else "")
    p = raw_xlsx(tmp_path / "n.xlsx", sheet_body=rows, extra={"xl/styles.xml": STYLES})
    r = validate([p], as_of=AS_OF)
    assert r.files[0].error is None
    found = [(f.cell, f.rule) for f in r.findings]
    assert ("F3", "format.phone") in found
    if number != "NaN":  # NaN is no value at all: the cell is blank
        assert ("A2", "format.date") in found


@pytest.mark.parametrize("serial", [5, 60, 18264])
def test_a_date_excel_shows_in_1900_is_a_typo(tmp_path, serial):
    """A date-formatted 5 or 60 (1900-01-05, Excel's phantom 1900-02-29) passed in silence while the
    same number unformatted was format.date; a date before 1990 is a typo and says so."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "登记"
    ws.append(REG_HEADER)
    ws.append(reg_row(date=serial))
    ws["A2"].number_format = "yyyy-mm-dd"
    ws.append(reg_row(date=serial))  # the same number, no date format
    wb.save(tmp_path / "d.xlsx")
    r = validate([tmp_path / "d.xlsx"], as_of=AS_OF)
    found = [(f.cell, f.rule) for f in r.findings]
    assert found == [("A2", "format.date"), ("A3", "format.date")]
    assert "1990" in r.findings[0].message


@pytest.mark.parametrize(("args", "env", "key"), [
    (["--as-of", "0001-01-01"], {}, "--as-of"),
    (["--as-of", "9999-12-31"], {}, "--as-of"),
    ([], {"XL_DEALER_LEVELS": "{not json"}, "XL_DEALER_LEVELS"),
    ([], {"XL_DEALER_CALLBACK_DAYS": "abc"}, "XL_DEALER_CALLBACK_DAYS"),
    ([], {"XL_DEALER_CHURN_MONTHS": "100000"}, "churn_months"),
])
def test_values_out_of_range_are_one_line_naming_the_key(tmp_path, args, env, key):
    import os

    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row()]})
    run = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", str(p), *args],
                         capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
    assert run.returncode == 2 and key in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("toml", ["churn_months = 100000", "[levels.H]\nmeaning = 'x'\ncadence_days = 1e12",
                                  "callback_days = 1e12", "[limits]\nmax_dense_cells = 1e30"])
def test_huge_values_in_dealer_toml_are_refused(tmp_path, toml):
    from xl_dealer.model.config import load_config
    from xl_dealer.model.errors import InputError

    cfg = tmp_path / "dealer.toml"
    cfg.write_text(toml)
    with pytest.raises(InputError, match="配置有误"):
        load_config(cfg)


@pytest.mark.parametrize("far", [False, True])  # calamine (errors as blanks) and the sparse reader (as text)
def test_a_formula_column_dragged_past_the_data_makes_no_rows(tmp_path, far):
    """A VLOOKUP dragged down showing #N/A in the empty rows (cached by Excel or LibreOffice), in a
    column we map and one we do not: every empty row became a row of required errors."""
    head = dict(HEADER, N="车价")
    rows = {1: head, 2: data("13812345678"), 3: data("1381234567")}
    errs = "".join(f'<row r="{r}"><c r="G{r}" t="e"><f>VLOOKUP(A{r},价目!A:B,2,0)</f><v>#N/A</v></c>'
                   f'<c r="N{r}" t="e"><f>VLOOKUP(G{r},价目!A:B,2,0)</f><v>#N/A</v></c></row>' for r in range(4, 51))
    p = package(tmp_path / "v.xlsx", [("登记", "rId1", "worksheets/sheet1.xml", WS,
                                       sheet(body(rows) + errs + (FAR if far else "")), None)])
    r = validate([p], as_of=AS_OF)
    assert [(f.cell, f.rule) for f in r.findings] == [("F3", "format.phone")]
    assert r.files[0].sheets[0]["rows"] == 2
