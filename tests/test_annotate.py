"""``annotate``: marks where the findings are, and nothing of the clerk's workbook lost."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.cli_runner import invoke
from xl_dealer.annotate import annotate, output_path
from xl_dealer.model.config import load_config

AS_OF = "2026-11-27"
SHEET = "2026年11月"
CLERK_NOTE = "客户说号码少一位，待核实"
OTHER_NOTE = "老客户，王总介绍"
HEADERS = ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "意向车型", "信息来源", "意向级别",
           "销售顾问", "是否建卡", "编号"]
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "info": "FFBDD7EE"}
VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4  # an OLE-looking blob


def _png() -> bytes:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def build_workbook(path: Path) -> None:
    """A clerk's registration workbook with everything openpyxl would lose or we could break."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["XX汽车4S店来店(来电)客户登记表 2026年11月"])
    ws.merge_cells("A1:K1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(HEADERS)
    rows = [
        [dt.date(2026, 11, 3), dt.time(9, 30), "来店", "王先生", "13812345678", "凯美瑞", "汽车之家", "A", "王强", "是"],
        [dt.date(2026, 11, 3), dt.time(10, 5), "来电", "李女士", "1381234567", "卡罗拉", "懂车帝", "B", "李娜", "是"],
        [dt.date(2026, 11, 4), dt.time(11, 0), "来店", None, "13912345678", "汉兰达", "路过", "C", "张伟", "是"],
        ["2026-13-05", dt.time(14, 0), "来店", "赵先生", "13712345678", "雷凌", "易车", "X", "王强", "是"],
        [dt.date(2026, 11, 6), dt.time(15, 0), "来电", "钱女士", "13612345678", "bZ3", "网络", "N", "李娜", "否"],
        [dt.date(2026, 11, 7), dt.time(16, 0), "来店", "孙先生", "13512345678", "凯美瑞", "车展", "H", "张伟", "是"],
        [dt.date(2027, 1, 1), dt.time(16, 30), "来店", "周先生", "13412345678", "亚洲龙", "外拓", "O", "王强", "是"],
    ]
    for i, r in enumerate(rows, start=4):
        ws.append(r)
        ws.cell(i, 11, '="R"&ROW()-3')
    for r in range(4, 4 + len(rows)):
        if isinstance(ws.cell(r, 1).value, dt.date):
            ws.cell(r, 1).number_format = "yyyy/m/d"
        ws.cell(r, 2).number_format = "hh:mm"
    ws["E5"].comment = Comment(CLERK_NOTE, "前台小刘")
    ws["D9"].comment = Comment(OTHER_NOTE, "前台小刘")
    ws["E5"].font = Font(color="FF0000FF", italic=True)
    ws["C4"].fill = PatternFill("solid", fgColor="FFFF00")
    dv = DataValidation(type="list", formula1="=配置!$A$1:$A$9", allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("H4:H200")
    ws.conditional_formatting.add("H4:H200", CellIsRule(operator="equal", formula=['"H"'],
                                                        fill=PatternFill("solid", bgColor="FFC000")))
    ws.add_image(Image(io.BytesIO(_png())), "M2")
    ws.print_area = "A1:K20"
    ws.freeze_panes = "A4"

    cfg = wb.create_sheet("配置")
    for lv in "OHABCNDFL":
        cfg.append([lv])
    cfg.sheet_state = "hidden"
    wb.defined_names["级别列表"] = DefinedName("级别列表", attr_text="配置!$A$1:$A$9")

    st = wb.create_sheet("统计")
    st.append(["顾问", "来店"])
    for name, n in (("王强", 3), ("李娜", 2), ("张伟", 2)):
        st.append([name, n])
    chart = BarChart()
    chart.add_data(Reference(st, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(st, min_col=1, min_row=2, max_row=4))
    st.add_chart(chart, "D2")

    dec = wb.create_sheet("12月")  # lacks 来店/来电, 信息来源, 意向级别: sheet-level findings
    dec.append(["日期", "来店时间", "客户姓名", "意向车型", "销售顾问"])
    dec.append([dt.date(2026, 11, 20), dt.time(10, 0), "吴先生", "凯美瑞", "王强"])
    wb.save(path)


def make_xlsm(xlsx: Path, xlsm: Path) -> None:
    """The same workbook as an .xlsm with a VBA project (parts added by hand, as Excel has them)."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            out.writestr(info, data)
        out.writestr("xl/vbaProject.bin", VBA_BYTES)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("books")
    src = d / "来店登记.xlsx"
    build_workbook(src)
    xlsm = d / "来店登记宏.xlsm"
    make_xlsm(src, xlsm)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (src, xlsm)}
    out = d / "out"
    result = annotate([src, xlsm], out=out, as_of=AS_OF, config=load_config(None))
    return {"src": src, "xlsm": xlsm, "out": out, "result": result, "before": before,
            "marked": output_path(src, out), "marked_xlsm": output_path(xlsm, out)}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _findings(books, path: Path):
    return [f for f in books["result"].validation.findings if f.path == str(path)]


# ---------------------------------------------------------------- the run


def test_copies_written_and_named(books):
    r = books["result"]
    assert r.exit_code() == 0
    assert [Path(f.out).name for f in r.files] == ["来店登记.checked.xlsx", "来店登记宏.checked.xlsm"]
    rules = {(f.cell, f.rule) for f in _findings(books, books["src"])}
    # the fixture's planted mistakes, so the other tests look at real marks
    assert {("E5", "format.phone"), ("D6", "required"), ("A7", "format.date"), ("H7", "enum"),
            ("J8", "card.required"), ("A10", "date.future")} <= rules
    assert any(f.cell is None and f.sheet == "12月" for f in _findings(books, books["src"]))


def test_source_bytes_and_mtime_unchanged(books):
    for p, (data, mtime) in books["before"].items():
        assert p.read_bytes() == data
        assert p.stat().st_mtime_ns == mtime


def test_every_part_kept_and_untouched_ones_byte_identical(books):
    before, after = _parts(books["src"]), _parts(books["marked"])
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    sheet = "xl/worksheets/sheet1.xml"
    # the only parts we have a reason to touch
    assert changed <= {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                       sheet, "xl/worksheets/_rels/sheet1.xml.rels", "xl/comments/comment1.xml",
                       "xl/drawings/commentsDrawing1.vml"}
    assert sheet in changed and "xl/styles.xml" in changed
    # image, chart, hidden sheet, the sheet with only sheet-level findings: untouched
    for name in before:
        if re.match(r"xl/(media|charts|drawings/drawing)", name) or name.endswith(("sheet2.xml", "sheet3.xml", "sheet4.xml")):
            assert before[name] == after[name], name
    added = set(after) - set(before)
    # the 校验结果 sheet, and the record of what we marked (a custom XML part, which Excel keeps on
    # save): marking this copy again restores exactly the cells we filled (xlsx.record)
    assert added == {"xl/worksheets/sheet5.xml", "customXml/item1.xml", "customXml/itemProps1.xml",
                     "customXml/_rels/item1.xml.rels"}


def test_xlsm_keeps_vba_and_macro_content_type(books):
    before, after = _parts(books["xlsm"]), _parts(books["marked_xlsm"])
    assert after["xl/vbaProject.bin"] == VBA_BYTES
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in after["[Content_Types].xml"]
    assert b"vbaProject" in after["xl/_rels/workbook.xml.rels"]
    assert set(before) <= set(after)
    wb = openpyxl.load_workbook(books["marked_xlsm"], keep_vba=True)
    assert "校验结果" in wb.sheetnames


def test_values_formulas_and_workbook_features_unchanged(books):
    a = openpyxl.load_workbook(books["src"])
    b = openpyxl.load_workbook(books["marked"])
    assert b.sheetnames == [*a.sheetnames, "校验结果"]
    for ws in a.worksheets:
        wb_ws = b[ws.title]
        assert wb_ws.sheet_state == ws.sheet_state
        assert wb_ws.merged_cells.ranges == ws.merged_cells.ranges
        assert wb_ws.freeze_panes == ws.freeze_panes
        assert len(wb_ws.data_validations.dataValidation) == len(ws.data_validations.dataValidation)
        assert [str(r.sqref) for r in wb_ws.conditional_formatting] == [str(r.sqref) for r in ws.conditional_formatting]
        for row in ws.iter_rows():
            for c in row:
                o = wb_ws[c.coordinate]
                assert (o.value, o.data_type, o.number_format) == (c.value, c.data_type, c.number_format), c.coordinate
                # style proxies compare by identity: compare what they hold
                assert [repr(x) for x in (o.font, o.border, o.alignment, o.protection)] == \
                       [repr(x) for x in (c.font, c.border, c.alignment, c.protection)], c.coordinate
    assert b[SHEET]["K4"].value == '="R"&ROW()-3'
    assert b["配置"].sheet_state == "hidden"
    assert set(b.defined_names) == set(a.defined_names)
    assert b[SHEET].print_area == a[SHEET].print_area
    assert len(b[SHEET]._images) == 1 and len(b["统计"]._charts) == 1


def test_cell_xml_identical_except_style(books):
    """Formulas, cached values and types: every original <c> is the same but for s=."""
    def cells(xml: bytes) -> dict[str, bytes]:
        return {m[1].decode(): re.sub(rb'\ss="\d+"', b"", m[0])
                for m in re.finditer(rb'<c r="([A-Z]+\d+)".*?(?:/>|</c>)', xml, re.S)}

    before = cells(_parts(books["src"])["xl/worksheets/sheet1.xml"])
    after = cells(_parts(books["marked"])["xl/worksheets/sheet1.xml"])
    assert set(before) <= set(after)
    assert all(after[k] == v for k, v in before.items())
    assert set(after) - set(before) == {"D6"}  # the blank required cell, added to carry the mark


def test_marks_and_notes_where_the_findings_are(books):
    wb = openpyxl.load_workbook(books["marked"])
    src = openpyxl.load_workbook(books["src"])
    ws, orig = wb[SHEET], src[SHEET]
    by_cell: dict[str, list] = {}
    for f in _findings(books, books["src"]):
        if f.sheet == SHEET and f.cell:
            by_cell.setdefault(f.cell, []).append(f)
    for ref, fs in by_cell.items():
        sev = min(fs, key=lambda f: ("error", "warning", "info").index(f.severity)).severity
        assert ws[ref].fill.fgColor.rgb == FILLS[sev], ref
        assert ws[ref].comment is not None
        for f in fs:
            assert f.message in ws[ref].comment.text
    for row in orig.iter_rows():
        for c in row:
            if c.coordinate not in by_cell:
                assert repr(ws[c.coordinate].fill) == repr(c.fill), c.coordinate
                assert (ws[c.coordinate].comment is None) == (c.comment is None)
    # a mark changes the fill only: the date keeps its format, the clerk's blue italic stays
    assert ws["A10"].number_format == "yyyy/m/d"
    assert ws["E5"].font.italic and ws["E5"].font.color.rgb == "FF0000FF"


def test_clerk_notes_kept(books):
    ws = openpyxl.load_workbook(books["marked"])[SHEET]
    e5 = ws["E5"].comment.text
    assert e5.startswith(CLERK_NOTE)  # theirs first, ours below a separator
    assert "xl-dealer" in e5 and "不是有效电话" in e5
    assert ws["D9"].comment.text == OTHER_NOTE
    assert ws["E5"].comment.author == "前台小刘"


def test_results_sheet_lists_and_links(books):
    from xl_dealer.model.catalogue import RULES

    wb = openpyxl.load_workbook(books["marked"])
    ws = wb["校验结果"]
    assert wb.active.title == "校验结果"  # the copy opens on the list, its tab the only one selected
    assert [s.title for s in wb.worksheets if s.sheet_view.tabSelected] == ["校验结果"]
    head = 6  # the title and four lines of summary above the header
    assert ws.freeze_panes == f"A{head + 1}"
    assert [c.value for c in ws[head]] == ["工作表", "单元格", "列", "级别", "问题", "说明", "值", "规则编号"]
    assert ws.column_dimensions["F"].width > 40
    assert ws.print_title_rows == f"${head}:${head}"  # the header on each printed page
    assert ws.auto_filter.ref.startswith(f"A{head}:H")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    fs = _findings(books, books["src"])
    errors = sum(f.severity == "error" for f in fs)
    warnings = sum(f.severity == "warning" for f in fs)
    summary = [ws.cell(r, 1).value for r in range(1, head)]
    assert summary[0] == "校验结果：来店登记.xlsx"
    assert summary[1].startswith(f"检查日 {AS_OF}")
    assert summary[2] == f"共 {len(fs)} 条问题：错误 {errors} 条，警告 {warnings} 条，提示 0 条"
    assert f"{SHEET}（来店(来电)客户登记表，7 行）" in summary[3] and "未检查：配置、统计" in summary[3]
    assert "xl-dealer annotate 来店登记.checked.xlsx" in summary[4]
    assert {str(m) for m in ws.merged_cells.ranges} == {f"A{r}:H{r}" for r in range(1, head)}
    rows = list(ws.iter_rows(min_row=head + 1))
    assert len(rows) == len(fs)
    for f, row in zip(fs, rows, strict=True):
        assert row[0].value == f.sheet and row[5].value == f.message
        assert row[4].value == RULES[f.rule].name and row[7].value == f.rule  # the clerk's words; the id for IT
        if f.cell:
            assert row[1].value == f.cell
            assert row[1].hyperlink.location == f"'{f.sheet}'!{f.cell}"
        else:  # a sheet or group finding links to the sheet; 单元格 names the group, if any
            assert row[1].value == (f.subject or "整表") and row[0].hyperlink.location == f"'{f.sheet}'!A1"
        assert row[3].fill.fgColor.rgb == FILLS[f.severity]
        for c in row:  # text off the borders, every cell centred the same way
            assert (c.alignment.vertical, c.alignment.indent, c.alignment.wrap_text) == ("center", 1, True), c.coordinate
        assert ws.row_dimensions[row[0].row].height >= 21  # a line and its padding


# ---------------------------------------------------------------- runs and edge cases


def test_annotating_a_marked_copy_replaces_the_results_sheet(books, tmp_path):
    first = books["marked"]
    again = annotate([first], out=tmp_path, as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    out = Path(again.files[0].out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames.count("校验结果") == 1
    assert len(wb.sheetnames) == len(openpyxl.load_workbook(first).sheetnames)
    assert wb[SHEET]["E5"].comment.text.startswith(CLERK_NOTE)


def _edit_cells(path: Path, dst: Path, cells: dict[str, str]) -> None:
    """As a clerk in Excel would: new contents for some cells of the first sheet, every other part
    (our record, notes and styles included) kept as it was. ``cells[ref]`` is the inner XML and
    type; ``s=`` stays unless given."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, new in cells.items():
                    def repl(m: re.Match[bytes], new: str = new) -> bytes:
                        s_attr = re.search(rb'\ss="\d+"', m[0])
                        keep = s_attr[0] if s_attr and " s=" not in new else b""
                        return m[1] + keep + new.encode()
                    data, n = re.subn(rb'(<c r="' + ref.encode() + rb'")[^>]*?(?:/>|>.*?</c>)', repl, data, count=1,
                                      flags=re.S)
                    assert n == 1, ref
            out.writestr(info, data)


def test_marking_a_marked_copy_again_drops_marks_on_fixed_cells(books, tmp_path):
    """The clerk fixed some cells in the marked copy and has it checked again: our old fills and
    notes go, theirs stay, the cells still wrong are marked once."""
    first = books["marked"]
    before = openpyxl.load_workbook(first)[SHEET]
    fixed = tmp_path / "来店登记.checked.xlsx"
    c4_style = re.search(rb'<c r="C4" s="(\d+)"', _parts(first)["xl/worksheets/sheet1.xml"])[1].decode()
    _edit_cells(first, fixed, {
        "E5": ' t="inlineStr"><is><t>13812345670</t></is></c>',  # phone fixed; their note on it stays
        "H7": ' t="inlineStr"><is><t>A</t></is></c>',
        # date fixed, and recoloured by the clerk (as C4) after our run: their colour now
        "A10": f' s="{c4_style}" t="n"><v>46332</v></c>',
    })
    again = annotate([fixed], out=tmp_path / "out", as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    out = Path(again.files[0].out)
    ws = openpyxl.load_workbook(out)[SHEET]
    orig = openpyxl.load_workbook(books["src"])[SHEET]
    now_bad = {f.cell for f in again.validation.findings if f.sheet == SHEET and f.cell}
    assert {"E5", "H7", "A10"}.isdisjoint(now_bad) and {"D6", "A7", "J8"} <= now_bad
    for ref in ("E5", "H7"):  # as in the clerk's own workbook
        assert repr(ws[ref].fill) == repr(orig[ref].fill), ref
        assert repr(ws[ref].font) == repr(orig[ref].font), ref
    assert ws["A10"].fill.fgColor.rgb == "00FFFF00"
    assert ws["E5"].comment.text == CLERK_NOTE and ws["E5"].comment.author == "前台小刘"
    assert ws["H7"].comment is None and ws["A10"].comment is None
    assert ws["D9"].comment.text == OTHER_NOTE and ws["C4"].fill.fgColor.rgb == "00FFFF00"
    for ref in ("D6", "A7", "J8"):  # still wrong: marked, with one note each, not two
        assert ws[ref].fill.fgColor.rgb == FILLS["error"], ref
        text = ws[ref].comment.text
        assert text == before[ref].comment.text, ref
    for row in orig.iter_rows():  # every other cell as the clerk made it
        for c in row:
            if c.coordinate not in now_bad and c.coordinate != "A10":
                assert repr(ws[c.coordinate].fill) == repr(c.fill), c.coordinate
                assert (ws[c.coordinate].comment is None) == (c.comment is None), c.coordinate
    parts = _parts(out)
    # one box per note, and marking again reuses our styles rather than adding more
    assert parts["xl/drawings/commentsDrawing1.vml"].count(b'ObjectType="Note"') == \
        parts["xl/comments/comment1.xml"].count(b"<comment ")
    count = lambda xml: re.search(rb'<cellXfs count="(\d+)"', xml)[1]  # noqa: E731
    assert count(parts["xl/styles.xml"]) == count(_parts(first)["xl/styles.xml"])
    assert [n for n in parts if n.startswith("customXml/item")] == ["customXml/item1.xml", "customXml/itemProps1.xml"]


def test_existing_output_replaced_atomically(tmp_path):
    src = tmp_path / "登记.xlsx"
    build_workbook(src)
    dst = output_path(src)
    dst.write_bytes(b"stale")
    r = annotate([src], as_of=AS_OF, config=load_config(None))
    assert r.exit_code() == 0 and dst.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["登记.checked.xlsx", "登记.xlsx"]  # no temp left


def test_folder_run_skips_earlier_copies(tmp_path):
    src = tmp_path / "登记.xlsx"
    build_workbook(src)
    annotate([tmp_path], as_of=AS_OF, config=load_config(None))
    r = annotate([tmp_path], as_of=AS_OF, config=load_config(None))
    assert [Path(f.path).name for f in r.files] == ["登记.xlsx"]


def test_cli_other_formats_and_broken_files_exit_2_others_go_on(tmp_path):
    import xlwt

    good = tmp_path / "a.xlsx"
    build_workbook(good)
    book = xlwt.Workbook()
    sh = book.add_sheet("登记")
    for c, h in enumerate(HEADERS[:10]):
        sh.write(0, c, h)
        sh.write(1, c, "x")  # a data row: a sheet of only headers is its own error
    book.save(str(tmp_path / "b.xls"))
    (tmp_path / "c.xlsx").write_bytes(b"not a zip at all")
    res = invoke(["annotate", str(good), str(tmp_path / "b.xls"), str(tmp_path / "c.xlsx"),
                                   "--as-of", AS_OF, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert (tmp_path / "out" / "a.checked.xlsx").is_file()
    err = res.stderr
    assert "b.xls" in err and ".xlsx/.xlsm" in err and "validate" in err
    assert "c.xlsx" in err
    assert len([ln for ln in err.splitlines() if ln]) == 2 and "Traceback" not in err
    assert not (tmp_path / "out" / "b.checked.xls").exists()


def test_cli_fail_on_and_english(tmp_path):
    src = tmp_path / "a.xlsx"
    build_workbook(src)
    res = invoke(["annotate", str(src), "--as-of", AS_OF, "--fail-on", "error", "--lang", "en"])
    assert res.exit_code == 1
    assert "cells marked" in res.stdout
    ws = openpyxl.load_workbook(output_path(src))["校验结果"]
    assert ws["A1"].value == "Check results: a.xlsx" and ws["A6"].value == "Sheet" and ws["E6"].value == "Problem"
    assert ("bad phone number", "format.phone") in {(r[4].value, r[7].value) for r in ws.iter_rows(min_row=7)}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_marked_copy(books, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path)}  # a private profile: parallel runs do not collide
    for marked in (books["marked"], books["marked_xlsm"]):
        proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(marked)],
                              capture_output=True, text=True, timeout=180, env=env)
        pdf = tmp_path / (marked.stem + ".pdf")
        assert proc.returncode == 0 and pdf.is_file() and pdf.stat().st_size > 1000, proc.stderr


def test_note_boxes_match_note_texts(books):
    """Each note has its VML box, written with the prefixes that VML part declares (openpyxl: ns0/ns1/ns2)."""
    from defusedxml import ElementTree as ET

    from xl_dealer.xlsx.sheet import parse_ref

    for marked in (books["marked"], books["marked_xlsm"]):
        parts = _parts(marked)
        vml = ET.fromstring(parts["xl/drawings/commentsDrawing1.vml"])  # unbound prefixes would fail here
        boxes = set()
        for el in vml.iter():
            if el.tag.endswith("}ClientData") and el.get("ObjectType") == "Note":
                kids = {k.tag.rsplit("}", 1)[-1]: k.text for k in el}
                boxes.add((int(kids["Row"]), int(kids["Column"])))
        comments = ET.fromstring(parts["xl/comments/comment1.xml"])
        refs = {parse_ref(c.get("ref")) for c in comments.iter() if c.tag.endswith("}comment")}
        assert boxes == {(r - 1, c) for r, c in refs}
        ids = re.findall(rb'id="(_x0000_s\d+)"', parts["xl/drawings/commentsDrawing1.vml"])
        assert len(ids) == len(set(ids))


def test_folder_tree_mirrored_under_out_and_name_clashes_reported(tmp_path):
    for month in ("10月", "11月"):
        (tmp_path / "in" / month).mkdir(parents=True)
        build_workbook(tmp_path / "in" / month / "登记.xlsx")
    r = annotate([tmp_path / "in"], out=tmp_path / "out", as_of=AS_OF, config=load_config(None))
    assert r.exit_code() == 0
    assert sorted(str(Path(f.out).relative_to(tmp_path / "out")) for f in r.files) == \
        ["10月/登记.checked.xlsx", "11月/登记.checked.xlsx"]
    files = [tmp_path / "in" / m / "登记.xlsx" for m in ("10月", "11月")]
    clash = annotate(files, out=tmp_path / "flat", as_of=AS_OF, config=load_config(None))
    assert clash.exit_code() == 2
    assert clash.files[0].out and "same name" in clash.files[1].error


@pytest.mark.parametrize("setting", [None, "登记"])
def test_a_clerks_sheet_named_like_ours_is_kept_and_marked(tmp_path, setting):
    """A clerk's own 校验结果 sheet (or results_sheet set to a data sheet's name) was replaced by
    our list: the data sheet was gone from the copy. Only a sheet we made is replaced."""
    from helpers import REG_HEADER, reg_row, write_xlsx

    from xl_dealer.annotate import annotate
    from xl_dealer.model.config import Config

    name = setting or "校验结果"
    src = write_xlsx(tmp_path / "登记.xlsx", {name: [REG_HEADER, reg_row(phone="123")]})
    cfg = Config(results_sheet=setting) if setting else Config()
    first = annotate([src], as_of="2026-11-27", config=cfg)
    out = first.files[0].out
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [name, f"{name} (2)"]
    assert wb[name]["F2"].value == "123" and wb[name]["F2"].fill.fgColor.rgb.endswith("FFC7CE")
    again = annotate([out], as_of="2026-11-27", config=cfg)  # marking the copy again: one list, not two
    assert openpyxl.load_workbook(again.files[0].out).sheetnames == [name, f"{name} (2)"]


def test_a_workbook_of_no_known_kind_gets_no_copy(tmp_path):
    """annotate wrote X.checked.xlsx saying 没有发现问题 and printed "0 条问题" of a workbook in
    which nothing was checked."""
    from helpers import write_xlsx

    from tests.cli_runner import invoke

    src = write_xlsx(tmp_path / "价目表.xlsx", {"价目": [["车型", "指导价"], ["凯美瑞", 179800]]})
    res = invoke(["annotate", str(src), "--as-of", "2026-11-27"])
    assert res.exit_code == 0, res.output
    assert "没有检查" in res.output and "0 条问题" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["价目表.xlsx"]


@pytest.mark.parametrize("order", [(1, 3, 2), (3, 1, 2), (2, 1, 3)])
def test_rows_stored_out_of_order_are_marked_where_they_are(tmp_path, order):
    """Other writers store rows out of order: annotate wrote a second <row r="2"> and marked an
    empty new cell instead of the real one."""
    import re

    from helpers import REG_HEADER, cell_xml, raw_xlsx

    from xl_dealer.annotate import annotate

    values = ["2026-11-20", "10:00", "", "来店", "王先生", "13812345678", "凯美瑞", "汽车之家", "A", "李娜", "否", "是"]
    rows = {1: dict(zip("ABCDEFGHIJKLM", REG_HEADER, strict=True)),
            2: dict(zip("ABCDEFGHIJKL", values[:5] + ["1381234567"] + values[6:], strict=True)),
            3: dict(zip("ABCDEFGHIJKL", values, strict=True))}
    # row 2 also has its cells out of order: F before A
    cells = {r: [(c, v) for c, v in rows[r].items()] for r in rows}
    cells[2] = sorted(cells[2], key=lambda cv: cv[0] != "F")
    body = "".join(f'<row r="{r}">' + "".join(cell_xml(f"{c}{r}", v) for c, v in cells[r]) + "</row>" for r in order)
    src = raw_xlsx(tmp_path / "o.xlsx", sheet_body=body)
    r = annotate([src], as_of="2026-11-27")
    assert not r.errors and r.files[0].cells == 1
    import zipfile

    with zipfile.ZipFile(r.files[0].out) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert len(re.findall(rb'<row r="2"', xml)) == 1
    assert len(re.findall(rb'<c r="F2"', xml)) == 1
    assert re.search(rb'<c r="F2" [^>]*s="\d+"', xml)


def _repack(src, dst, rename=None, replace=None, add=None):
    """A copy of ``src`` with members renamed, replaced or added, as other writers make them."""
    import zipfile

    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = (replace or {}).get(info.filename, z.read(info))
            out.writestr((rename or {}).get(info.filename, info.filename), data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return dst


@pytest.mark.parametrize("case", ["backslashes", "upper case", "no cell formats", "no fills", "rels with a bare &"])
def test_what_validate_reads_annotate_marks(tmp_path, case):
    """Zip entries with backslashes, part names in another case, a styles part without cell formats
    or fills, a workbook.xml.rels with an unescaped &: validate read them, annotate said "part is
    missing", "no cell formats" or "no sheet '校验结果'"."""
    import re
    import zipfile

    from helpers import REG_HEADER, reg_row, write_xlsx

    from xl_dealer.annotate import annotate
    from xl_dealer.validate import validate

    good = write_xlsx(tmp_path / "g.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    with zipfile.ZipFile(good) as z:
        names, styles, rels = z.namelist(), z.read("xl/styles.xml"), z.read("xl/_rels/workbook.xml.rels")
    src = tmp_path / "src.xlsx"
    if case == "backslashes":
        _repack(good, src, rename={n: n.replace("/", "\\") for n in names if n.startswith("xl/")})
    elif case == "upper case":
        _repack(good, src, rename={"xl/worksheets/sheet1.xml": "xl/Worksheets/Sheet1.XML",
                                   "xl/styles.xml": "xl/STYLES.xml"})
    elif case == "no cell formats":
        _repack(good, src, replace={"xl/styles.xml": re.sub(rb"<cellXfs.*?</cellXfs>", b"", styles, flags=re.S)})
    elif case == "no fills":
        _repack(good, src, replace={"xl/styles.xml": re.sub(rb"<fills.*?</fills>", b"", styles, flags=re.S)})
    else:
        bad = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                                               b'officeDocument/2006/relationships/hyperlink" '
                                               b'Target="http://x.cn/?a=1&b=2" TargetMode="External"/></Relationships>')
        _repack(good, src, replace={"xl/_rels/workbook.xml.rels": bad})
    assert [(f.cell, f.rule) for f in validate([src], as_of="2026-11-27").findings] == [("F2", "format.phone")]
    r = annotate([src], as_of="2026-11-27")
    assert not r.errors, r.errors[0].error
    assert r.files[0].cells == 1
    from xl_dealer.read.parts import sheet_refs

    with zipfile.ZipFile(r.files[0].out) as z:  # as calamine finds them (openpyxl refuses the bare &)
        assert [s.name for s in sheet_refs(z) if s.member] == ["登记", "校验结果"]
    again = validate([r.files[0].out], as_of="2026-11-27")
    assert [(f.sheet, f.cell, f.rule) for f in again.findings] == [("登记", "F2", "format.phone")]


def test_a_bad_checksum_is_a_damaged_file_not_a_write_error(tmp_path):
    from helpers import REG_HEADER, reg_row, write_xlsx

    from xl_dealer.annotate import annotate

    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    data = bytearray(p.read_bytes())
    import zipfile

    with zipfile.ZipFile(p) as z:
        info = z.getinfo("docProps/app.xml")
    data[info.header_offset + 14] ^= 0xFF  # the CRC in the local header and the directory disagree with the data
    with zipfile.ZipFile(p) as z:
        cd = z.start_dir
    at = bytes(data).find(b"PK\x01\x02", cd)
    while at >= 0:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len] == b"docProps/app.xml":
            data[at + 16] ^= 0xFF
        at = bytes(data).find(b"PK\x01\x02", at + 4)
    p.write_bytes(bytes(data))
    r = annotate([p], as_of="2026-11-27")
    assert r.errors and "文件已损坏" in r.errors[0].error and "无法写" not in r.errors[0].error
    r = annotate([p], as_of="2026-11-27", lang="en")
    assert r.errors and "damaged" in r.errors[0].error and "cannot write" not in r.errors[0].error


def test_a_file_saved_over_after_checking_is_not_marked(tmp_path, monkeypatch):
    """annotate validated one version and painted its findings onto the next (thousands of findings
    on a 5-row file, exit 0). The copy is made of the version checked, or not at all."""
    import importlib

    from helpers import REG_HEADER, reg_row, write_xlsx

    ann = importlib.import_module("xl_dealer.annotate")
    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER] + [reg_row(phone="123")] * 300})
    real = ann.validate

    def validate_then_save_over(*a, **k):
        result = real(*a, **k)
        write_xlsx(tmp_path / "new.xlsx", {"登记": [REG_HEADER] + [reg_row()] * 5})
        (tmp_path / "new.xlsx").replace(p)  # the clerk saves (Excel writes a new file and renames it)
        return result

    monkeypatch.setattr(ann, "validate", validate_then_save_over)
    r = ann.annotate([p], as_of="2026-11-27")
    assert r.errors and "检查之后被修改过" in r.errors[0].error
    assert not (tmp_path / "登记.checked.xlsx").exists()


def test_a_file_saved_over_while_it_is_read_is_read_again(tmp_path, monkeypatch):
    from helpers import REG_HEADER, reg_row, write_xlsx

    import xl_dealer.read.workbook as wbmod
    from xl_dealer.validate import validate

    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    real = wbmod.read_workbook
    calls = []

    def read_while_saving(path, *a, **k):
        sheets = real(path, *a, **k)
        if not calls:
            write_xlsx(tmp_path / "new.xlsx", {"登记": [REG_HEADER, reg_row(phone="456")]})
            (tmp_path / "new.xlsx").replace(p)
        calls.append(path)
        return sheets

    monkeypatch.setattr(wbmod, "read_workbook", read_while_saving)
    r = validate([p], as_of="2026-11-27", jobs=1)
    assert len(calls) == 2 and [f.value for f in r.findings] == ["456"]  # one version, the newer, whole


def test_a_clean_workbooks_results_sheet_says_so_where_it_can_be_read(tmp_path):
    """The row of a clean workbook said 没有发现问题 in the narrow 工作表 column, wrapped into a row too
    low to show it; it is in 说明 now, and the summary says it too."""
    from helpers import REG_HEADER, reg_row, write_xlsx

    src = write_xlsx(tmp_path / "干净.xlsx", {"11月": [REG_HEADER, reg_row(), reg_row(phone="13812345670")]})
    r = annotate([src], as_of=AS_OF, config=load_config(None))
    ws = openpyxl.load_workbook(r.files[0].out)["校验结果"]
    assert ws["A3"].value == "没有发现问题。" and ws["A4"].value.startswith("已检查：11月（来店(来电)客户登记表，2 行）。")
    # checked alone: the copy says which rules across workbooks did not run, as the screen does, on
    # the same row (the block keeps its rows); its row is tall enough for the wrapped text
    assert "这次没有做的跨表核对" in ws["A4"].value and "card.missing" in ws["A4"].value
    assert ws.row_dimensions[4].height is None or ws.row_dimensions[4].height >= 30
    assert ws["F7"].value == "没有发现问题" and ws["A7"].value is None
    assert ws.row_dimensions[7].height >= 21 and ws.auto_filter.ref is None
