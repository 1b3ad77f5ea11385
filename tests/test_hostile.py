"""Broken, hostile and huge inputs: one clear line, bounded time and memory, nothing else stops."""

import datetime as dt
import json
import resource
import subprocess
import sys
import time

import pytest
from helpers import REG_HEADER, cell_xml, raw_xlsx, reg_row, write_xlsx

from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)
HEADER_CELLS = dict(zip("ABCDEFGHIJKLM", REG_HEADER, strict=True))


def data_cells(phone):
    return dict(zip("ABCDEFGHIJKLM", ["2026-11-20", "10:00", "", "来店", "王先生", phone, "凯美瑞", "汽车之家", "A",
                                      "李娜", "否", "是", ""], strict=True))


def run_cli(*args, mem_gb=None):
    def limit():
        if mem_gb:
            resource.setrlimit(resource.RLIMIT_AS, (mem_gb * 2**30, mem_gb * 2**30))

    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args)], capture_output=True, text=True,
                       timeout=300, preexec_fn=limit)
    return p.returncode, p.stdout, p.stderr


def test_values_at_a1_and_xfd1048576_survive_and_others_still_checked(tmp_path):
    # python-calamine would try to allocate the dense A1:XFD1048576 grid (512 GB) and abort the process
    rows = {1: HEADER_CELLS, 2: data_cells("13812345678"), 3: data_cells("1381234567"),
            1048576: {"XFD": "stray"}}
    far = raw_xlsx(tmp_path / "far.xlsx", rows=rows)
    other = write_xlsx(tmp_path / "other.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    t = time.monotonic()
    code, out, err = run_cli("validate", far, other, "--format", "json", "--as-of", AS_OF, mem_gb=3)
    assert time.monotonic() - t < 60
    data = json.loads(out)
    assert code == 1, err
    assert [(f["path"].rsplit("/", 1)[1], f["cell"], f["rule"]) for f in data["findings"]] == [
        ("far.xlsx", "F3", "format.phone"), ("other.xlsx", "F2", "format.phone")]
    sheet = data["files"][0]["sheets"][0]
    assert sheet["rows"] == 2 and sheet["header_row"] == 1


@pytest.mark.parametrize(("stray", "far"), [
    ('<row r="6"><c r="A99999999" t="inlineStr"><is><t>x</t></is></c></row>', "99999999"),  # a cell's own row
    ('<row r="99999999"><c r="B99999999" t="inlineStr"><is><t>x</t></is></c></row>', "99999999"),  # out of order
    # a wide cell's own row: seven digits, or six with a column wide enough (999999 × 702 cells)
    ('<row r="6"><c r="AB99999999" t="inlineStr"><is><t>x</t></is></c></row>', ""),
    ('<row r="6"><c r="A999999" t="inlineStr"><is><t>x</t></is></c>'
     '<c r="ZZ999999" t="inlineStr"><is><t>x</t></is></c></row>', "999999"),
])
def test_a_far_reference_before_the_end_of_the_sheet(tmp_path, stray, far):
    """A far reference among the first rows of a 2 MB sheet: the extent is not just what the
    last rows say, or calamine would ask for a 1.3-billion-cell grid and abort."""
    rows = {1: HEADER_CELLS, **{r: data_cells(f"138{r:08d}") for r in range(2, 3000)}, 3000: data_cells("1381234567")}
    body = "".join(f'<row r="{r}">' + "".join(cell_xml(f"{c}{r}", v) for c, v in rows[r].items()) + "</row>"
                   for r in sorted(rows))
    body = body.replace('<row r="7">', stray + '<row r="7">', 1)
    p = raw_xlsx(tmp_path / "far.xlsx", sheet_body=body)
    code, out, err = run_cli("validate", p, "--format", "json", "--as-of", AS_OF, "--jobs", "1", mem_gb=3)
    assert code == 1, err[-800:]
    found = [(f["cell"], f["rule"]) for f in json.loads(out)["findings"]]
    assert ("F3000", "format.phone") in found  # the sheet was read (by the sparse reader) and checked
    if far:  # (AB is right of every mapped column: its row is blank to the checks)
        assert {c for c, _ in found if c.endswith(far)}  # the stray row too: nothing is lost


def test_dimension_claiming_the_whole_grid_with_few_values(tmp_path):
    rows = {3: HEADER_CELLS, 4: data_cells("1381234567")}
    p = raw_xlsx(tmp_path / "formatted.xlsx", rows=rows, dimension="A1:XFD1048576")
    r = validate([p], as_of=AS_OF)
    assert [(f.cell, f.rule) for f in r.findings] == [("F4", "format.phone")]


def test_sparse_reader_gives_the_same_findings_as_calamine(tmp_path, monkeypatch):
    """Force the sparse path on an ordinary workbook: same findings, same rows and cells."""
    import xl_dealer.read.guard as guard

    p = write_xlsx(tmp_path / "w.xlsx", {"登记": [["标题"], [], REG_HEADER, reg_row(phone="1381234567"),
                                                  reg_row(date="2026/11/3", arrive=0.5), reg_row(level="X"),
                                                  reg_row(phone="#N/A"), ["合计"]]})
    dense = validate([p], as_of=AS_OF)
    monkeypatch.setattr(guard, "_scan", lambda z, info, limits, cutter=None, loader=None: (True, True))  # sparse, errors?
    import xl_dealer.read.sparse as sparse_mod

    calls = []
    real = sparse_mod.read_sparse
    monkeypatch.setattr(sparse_mod, "read_sparse", lambda z, part, n: calls.append(part) or real(z, part, n))
    sparse = validate([p], as_of=AS_OF)
    key = lambda r: [(f.row, f.cell, f.rule, f.value) for f in r.findings]  # noqa: E731
    assert key(dense) == key(sparse)
    assert [(f.cell, f.rule) for f in dense.findings] == [
        ("F4", "format.phone"), ("C5", "time.order"), ("I6", "enum"), ("F7", "cell.error")]
    assert calls == ["xl/worksheets/sheet1.xml"]  # the sparse reader really ran


def test_million_rows_survive_with_bounded_memory(tmp_path):
    from helpers import cell_xml

    heads = ["日期", "来店时间", "客户姓名", "联系电话", "意向级别", "销售顾问"]
    body = ['<row r="1">' + "".join(cell_xml(f"{c}1", h) for c, h in zip("ABCDEF", heads, strict=True)) + "</row>"]
    for r in range(2, 1_000_002):
        body.append(f'<row r="{r}"><c r="A{r}"><v>46345</v></c><c r="B{r}"><v>0.4</v></c><c r="C{r}" t="inlineStr"><is><t>王</t></is></c>'
                    f'<c r="D{r}"><v>138{r:08d}</v></c><c r="E{r}" t="inlineStr"><is><t>A</t></is></c>'
                    f'<c r="F{r}" t="inlineStr"><is><t>李娜</t></is></c></row>')
    p = raw_xlsx(tmp_path / "million.xlsx", "".join(body))
    code, out, err = run_cli("validate", p, "--format", "json", "--as-of", AS_OF, "--fail-on", "never", mem_gb=8)
    assert code == 0, err[-500:]
    data = json.loads(out)
    assert data["files"][0]["sheets"][0]["rows"] == 1_000_000


def test_zip_bomb_refused(tmp_path):
    import zipfile

    p = tmp_path / "bomb.xlsx"
    raw_xlsx(p, rows={1: HEADER_CELLS})
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.xml", b" " * (100 * 2**20))  # 100 MB that packs to ~100 KB
    t = time.monotonic()
    code, out, err = run_cli("validate", p, "--as-of", AS_OF)
    assert code == 2 and "压缩炸弹" in err and time.monotonic() - t < 30
    cfg = tmp_path / "dealer.toml"
    cfg.write_text("[limits]\nmax_unzipped_mb = 50\nmax_ratio = 100000\n")
    code, _, err = run_cli("validate", p, "--config", cfg, "--as-of", AS_OF)
    assert code == 2 and "max_unzipped_mb" in err


def test_entity_bomb_refused(tmp_path):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}' .encode() * 1 + b'">' for i in range(1, 10))
           + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    p = raw_xlsx(tmp_path / "lol.xlsx", rows={1: HEADER_CELLS}, extra={"xl/sharedStrings.xml": lol})
    code, _, err = run_cli("validate", p, "--as-of", AS_OF)
    assert code == 2 and "DTD" in err and "Traceback" not in err


def test_empty_workbook_and_header_only(tmp_path):
    empty = write_xlsx(tmp_path / "empty.xlsx", {"Sheet1": []})
    header_only = write_xlsx(tmp_path / "header.xlsx", {"登记": [REG_HEADER]})
    mixed = write_xlsx(tmp_path / "mixed.xlsx", {"11月": [REG_HEADER, reg_row()], "12月": [REG_HEADER]})
    r = validate([empty, header_only, mixed], as_of=AS_OF)
    errors = {f.path.rsplit("/", 1)[1]: f.error for f in r.files}
    assert "空的" in errors["empty.xlsx"]
    assert "没有数据行" in errors["header.xlsx"]
    assert errors["mixed.xlsx"] is None  # a new month's empty sheet beside a filled one is fine
    assert r.exit_code() == 2


def test_formula_errors_are_their_own_finding(tmp_path):
    p = write_xlsx(tmp_path / "e.xlsx", {"登记": [REG_HEADER, reg_row(phone="#N/A", model="#REF!"),
                                                  reg_row(level="#DIV/0!", phone="13900000000")]})
    r = validate([p], as_of=AS_OF)
    assert [(f.cell, f.rule, f.value) for f in r.findings] == [
        ("F2", "cell.error", "#N/A"), ("G2", "cell.error", "#REF!"), ("I3", "cell.error", "#DIV/0!")]
    assert "#N/A" in r.findings[0].message and "公式" in r.findings[0].message


def test_merged_header_cell_spanning_two_columns(tmp_path):
    header = REG_HEADER[:5] + ["*联系电话", None] + REG_HEADER[6:]
    row = reg_row(phone="13900000001")
    row = row[:6] + ["备用号码"] + row[6:]
    p = write_xlsx(tmp_path / "m.xlsx", {"登记": [header, row]}, merge={"登记": ["F1:G1"]})
    r = validate([p], as_of=AS_OF)
    assert r.findings == [] and r.files[0].sheets[0]["columns"]["phone"] == "*联系电话"


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    import os

    if os.geteuid() == 0:
        target = tmp_path / "file-not-folder"
        target.write_text("x")
        out = target / "demo"
    else:
        out = tmp_path / "ro" / "demo"
        (tmp_path / "ro").mkdir(mode=0o500)
    code, _, err = run_cli("demo", out, "--as-of", AS_OF)
    assert code == 2 and "Traceback" not in err and str(out.parent) in err


@pytest.mark.parametrize("name,payload", [("text.xlsx", b"hello"), ("trunc.xlsx", None), ("x.xls", b"junk"),
                                          ("x.ods", b"PK\x03\x04junk"), ("x.xlsb", b"")])
def test_broken_files_of_every_format(tmp_path, name, payload):
    p = tmp_path / name
    if payload is None:
        good = write_xlsx(tmp_path / "g.xlsx", {"登记": [REG_HEADER, reg_row()]})
        payload = good.read_bytes()[: len(good.read_bytes()) // 2]
    p.write_bytes(payload)
    r = validate([p], as_of=AS_OF)
    assert r.files[0].error and r.exit_code() == 2
