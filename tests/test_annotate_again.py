"""The fix-and-check loop: a clerk fixes cells in the marked copy, saves it (here: really saved by
LibreOffice headless), and checks it again. Our marks are replaced exactly; theirs stay; a folder
checks whichever of workbook and copy holds the clerk's latest fixes, never both."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_annotate import (
    AS_OF,
    CLERK_NOTE,
    FILLS,
    OTHER_NOTE,
    SHEET,
    _edit_cells,
    _parts,
    build_workbook,
)

from tests.cli_runner import invoke
from xl_dealer.annotate import annotate
from xl_dealer.model.config import load_config
from xl_dealer.read.copies import read_marking
from xl_dealer.render.results import NOTE_SEPARATOR
from xl_dealer.validate import validate

SEP = NOTE_SEPARATOR["zh"]
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def libreoffice_save(path: Path, tmp: Path | None = None) -> Path:
    """Open ``path`` in LibreOffice (headless) and save it as .xlsx under the same name, as a clerk
    pressing Save in Calc would (``--convert-to xlsx`` loads and stores through Calc's filters).
    Its profile and output go to a folder of their own, outside any folder a test walks."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="xl-dealer-lo-") as work:
        out = Path(work) / "out"
        env = {**os.environ, "HOME": str(Path(work) / "profile")}  # private: parallel runs do not collide
        proc = subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                              capture_output=True, text=True, timeout=180, env=env)
        saved = out / path.name
        assert proc.returncode == 0 and saved.is_file(), proc.stderr
        shutil.copyfile(saved, path)
    return path


def _cell_style(path: Path, ref: str) -> str:
    return re.search(rb'<c r="' + ref.encode() + rb'" s="(\d+)"', _parts(path)["xl/worksheets/sheet1.xml"])[1].decode()


def _comments(path: Path) -> tuple[bytes, bytes]:
    parts = _parts(path)
    comments = next(v for k, v in parts.items() if re.fullmatch(r"xl/comments.*\.xml", k))
    vml = next(v for k, v in parts.items() if k.endswith(".vml"))
    return comments, vml


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """来店登记.xlsx marked; in its copy the clerk fixed E5 (the phone that has their own note) and
    H7 (the level), fixed A10's date and coloured it yellow as C4; then LibreOffice saved the copy."""
    d = tmp_path_factory.mktemp("loop")
    src = d / "来店登记.xlsx"
    build_workbook(src)
    first = annotate([src], as_of=AS_OF, config=load_config(None))
    copy = Path(first.files[0].out)
    assert copy == d / "来店登记.checked.xlsx"
    marked = d / "marked.xlsx"
    shutil.copyfile(copy, marked)
    _edit_cells(marked, copy, {
        "E5": ' t="inlineStr"><is><t>13812345670</t></is></c>',
        "H7": ' t="inlineStr"><is><t>A</t></is></c>',
        "A10": f' s="{_cell_style(marked, "C4")}" t="n"><v>46332</v></c>',
    })
    if shutil.which("soffice"):
        libreoffice_save(copy)
    return {"dir": d, "src": src, "marked": marked, "copy": copy}


@needs_soffice
def test_what_libreoffice_keeps(loop):
    """What the loop relies on LibreOffice keeping: our record (it finds such parts by name and
    writes them back related from the package root), while it rewrites the styles, so the xf
    indices in the record mean nothing after its save. (7.4 also drops every note's author and
    splits a note's text into runs by script: ``test_notes_as_libreoffice_writes_them`` makes
    such notes by hand, so that case is tested whatever version is installed.)"""
    saved, marked = _parts(loop["copy"]), _parts(loop["marked"])
    assert any(b"urn:xl-dealer:marks:1" in v for k, v in saved.items() if re.fullmatch(r"customXml/item\d+\.xml", k))
    marking = read_marking(loop["copy"])
    assert marking.recorded and marking.edited and marking.source == "来店登记.xlsx"
    assert saved["xl/styles.xml"] != marked["xl/styles.xml"]


def _as_libreoffice_writes_notes(path: Path) -> None:
    """Every note's author blank and its text split into runs at each space, as LibreOffice 7.4
    saves notes (a run per script: 「——— 」「xl-dealer 」「校验 ———」), line breaks as &#10;."""
    parts = _parts(path)
    name = next(k for k in parts if re.fullmatch(r"xl/comments.*\.xml", k))
    xml = re.sub(rb"<author>[^<]*</author>", b"<author> </author>", parts[name])

    def runs(m: re.Match[bytes]) -> bytes:
        text = re.sub(rb"</?r>|<t[^>]*>|</t>", b"", m[1]).replace(b"\n", b"&#10;")
        pieces = re.split(rb"(?<= )", text)
        return b"<text>" + b"".join(b'<r><rPr><sz val="11"/></rPr><t xml:space="preserve">' + piece + b"</t></r>"
                                    for piece in pieces if piece) + b"</text>"

    xml = re.sub(rb"<text>(.*?)</text>", runs, xml, flags=re.S)
    assert SEP.encode() not in xml and b"xl-dealer</author>" not in xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for k, v in parts.items():
            out.writestr(k, xml if k == name else v)


def test_notes_as_libreoffice_writes_them(tmp_path):
    """No author to tell ours by, the separator split over runs: still one note per bad cell, the
    fixed cell's note gone, the clerk's note exactly theirs."""
    src = tmp_path / "来店登记.xlsx"
    build_workbook(src)
    copy = Path(annotate([src], as_of=AS_OF, config=load_config(None)).files[0].out)
    fixed = tmp_path / "fixed.xlsx"
    _edit_cells(copy, fixed, {"H7": ' t="inlineStr"><is><t>A</t></is></c>',
                              "E5": ' t="inlineStr"><is><t>13812345670</t></is></c>'})
    shutil.move(fixed, copy)
    _as_libreoffice_writes_notes(copy)
    assert annotate([copy], as_of=AS_OF, config=load_config(None)).exit_code() == 0
    ws = openpyxl.load_workbook(copy)[SHEET]
    assert ws["H7"].comment is None and ws["E5"].comment.text == CLERK_NOTE
    for ref in ("D6", "A7", "J8"):
        assert ws[ref].comment.text.count(SEP) == 1 and ws[ref].comment.text.count("【") == 1, ref


@needs_soffice
def test_a_copy_saved_by_libreoffice_is_marked_again_exactly(loop, tmp_path):
    work = tmp_path / "来店登记.checked.xlsx"
    shutil.copyfile(loop["copy"], work)
    before = openpyxl.load_workbook(work)[SHEET]  # as LibreOffice saved it, with the clerk's fixes
    again = annotate([work], as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    assert again.files[0].out == str(work)  # the name stays: no 来店登记.checked.checked.xlsx
    assert sorted(p.name for p in tmp_path.iterdir()) == ["来店登记.checked.xlsx"]
    wb = openpyxl.load_workbook(work)
    ws = wb[SHEET]
    now_bad = {f.cell for f in again.validation.findings if f.sheet == SHEET and f.cell}
    assert {"E5", "H7", "A10"}.isdisjoint(now_bad) and {"D6", "A7", "J8"} <= now_bad
    # fixed: our fill and our note gone; the clerk's note on E5 exactly theirs, their yellow on A10 kept
    assert ws["E5"].fill.fill_type is None and ws["H7"].fill.fill_type is None
    assert ws["E5"].comment.text == CLERK_NOTE
    assert ws["H7"].comment is None and ws["A10"].comment is None
    assert ws["A10"].fill.fgColor.rgb.endswith("FFFF00") and ws["C4"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["D9"].comment.text == OTHER_NOTE
    for ref in ("D6", "A7", "J8"):  # still wrong: marked, one note each, our separator once
        assert ws[ref].fill.fgColor.rgb == FILLS["error"], ref
        text = ws[ref].comment.text
        assert text.startswith(SEP + "\n【错误】") and text.count(SEP) == 1 and text.count("【") == 1, text
    for row in before.iter_rows():  # every other cell as LibreOffice saved it
        for c in row:
            if c.coordinate not in {"E5", "H7", "D6", "A7", "J8"}:
                assert repr(ws[c.coordinate].fill) == repr(c.fill), c.coordinate
    comments, vml = _comments(work)
    assert comments.count(b"<comment ") == vml.count(b'ObjectType="Note"') == 5  # D9, E5 and three of ours
    assert wb.sheetnames.count("校验结果") == 1 and wb.active.title == "校验结果"
    assert [s.title for s in wb.worksheets if s.sheet_view.tabSelected] == ["校验结果"]
    marking = read_marking(work)
    assert marking.edited and marking.source == "来店登记.xlsx"  # it holds fixes its workbook lacks

    # once more, untouched: the same marks, nothing added
    styles = _parts(work)["xl/styles.xml"]
    once = annotate([work], as_of=AS_OF, config=load_config(None))
    assert once.exit_code() == 0
    ws2 = openpyxl.load_workbook(work)[SHEET]
    for ref in ("D6", "A7", "J8", "E5", "D9"):
        assert ws2[ref].comment.text == ws[ref].comment.text, ref
        assert repr(ws2[ref].fill) == repr(ws[ref].fill), ref
    count = lambda xml: re.search(rb'<cellXfs count="(\d+)"', xml)[1]  # noqa: E731
    assert count(_parts(work)["xl/styles.xml"]) == count(styles)


@needs_soffice
def test_a_second_libreoffice_round_trip(loop, tmp_path):
    """Marked again, saved by LibreOffice again with another cell fixed, marked again: still one
    note per bad cell, and the clerk's note untouched."""
    work = tmp_path / "来店登记.checked.xlsx"
    shutil.copyfile(loop["copy"], work)
    annotate([work], as_of=AS_OF, config=load_config(None))
    edited = tmp_path / "edited.xlsx"
    shutil.copyfile(work, edited)
    _edit_cells(edited, work, {"J8": ' t="inlineStr"><is><t>是</t></is></c>'})
    libreoffice_save(work)
    again = annotate([work], as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    ws = openpyxl.load_workbook(work)[SHEET]
    assert ws["J8"].fill.fill_type is None and ws["J8"].comment is None
    assert ws["E5"].comment.text == CLERK_NOTE and ws["D9"].comment.text == OTHER_NOTE
    for ref in ("D6", "A7"):
        assert ws[ref].comment.text.count(SEP) == 1 and ws[ref].fill.fgColor.rgb == FILLS["error"]
    comments, vml = _comments(work)
    assert comments.count(b"<comment ") == vml.count(b'ObjectType="Note"') == 4


def _without_record(path: Path, dst: Path) -> None:
    """As a program that drops custom XML parts would save it."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename.startswith("customXml/"):
                continue
            data = src.read(info)
            if info.filename.endswith(".rels"):
                data = re.sub(rb'<Relationship [^>]*customXml[^>]*/>', b"", data)
            out.writestr(info, data)


def test_a_copy_that_lost_its_record_loses_our_notes_and_their_fills(tmp_path):
    """No record (some program dropped it): our notes are still told by their separator line, and a
    cell that had one and still shows our red gets no fill; the clerk's note and yellow stay."""
    src = tmp_path / "来店登记.xlsx"
    build_workbook(src)
    first = Path(annotate([src], out=tmp_path / "a", as_of=AS_OF, config=load_config(None)).files[0].out)
    fixed = tmp_path / "fixed.xlsx"
    _edit_cells(first, fixed, {"E5": ' t="inlineStr"><is><t>13812345670</t></is></c>',
                               "H7": ' t="inlineStr"><is><t>A</t></is></c>'})
    copy = tmp_path / "来店登记.checked.xlsx"
    _without_record(fixed, copy)
    assert read_marking(copy).edited and not read_marking(copy).recorded
    again = annotate([copy], as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    ws = openpyxl.load_workbook(copy)[SHEET]
    assert ws["E5"].fill.fill_type is None and ws["E5"].comment.text == CLERK_NOTE
    assert ws["H7"].fill.fill_type is None and ws["H7"].comment is None
    assert ws["C4"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["D6"].comment.text.count(SEP) == 1 and ws["D6"].fill.fgColor.rgb == FILLS["error"]
    assert read_marking(copy).recorded and read_marking(copy).edited  # a copy with fixes from now on


def test_a_copy_saved_by_openpyxl_is_still_ours(tmp_path):
    """openpyxl drops the record and writes our red tab as ``<tabColor rgb="FFC00000" />``: the copy is
    still told by its 校验结果 and marked again under its own name, with one 校验结果, never beside it."""
    src = tmp_path / "来店登记.xlsx"
    build_workbook(src)
    copy = Path(annotate([src], as_of=AS_OF, config=load_config(None)).files[0].out)
    wb = openpyxl.load_workbook(copy)
    wb[SHEET]["H7"] = "A"  # a fix, typed as a clerk's script would
    wb.save(copy)
    with zipfile.ZipFile(copy) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not read_marking(copy).recorded and any(b'<tabColor rgb="FFC00000" />' in x for x in sheets)
    res = invoke(["annotate", str(copy), "--as-of", AS_OF])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["来店登记.checked.xlsx", "来店登记.xlsx"]
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames.count("校验结果") == 1 and not any(n.startswith("校验结果 (") for n in wb.sheetnames)
    assert wb[SHEET]["H7"].fill.fill_type is None and wb[SHEET]["H7"].comment is None
    assert wb[SHEET]["D6"].comment.text.count(SEP) == 1
    said = " ".join(str(c.value) for row in wb["校验结果"].iter_rows(max_row=6) for c in row if c.value)
    assert "已检查" in said and "校验结果（" not in said.split("未检查")[-1]  # the list replaced is not "not checked"


def test_a_line_a_clerk_typed_under_our_note_is_kept(tmp_path):
    src = tmp_path / "来店登记.xlsx"
    build_workbook(src)
    copy = Path(annotate([src], as_of=AS_OF, config=load_config(None)).files[0].out)
    parts = _parts(copy)
    name = next(k for k in parts if re.fullmatch(r"xl/comments.*\.xml", k))
    typed = parts[name].replace("不能为空，请填写。".encode(), "不能为空，请填写。\n已电话确认，客户姓王".encode(), 1)
    assert typed != parts[name]
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
        for k, v in parts.items():
            out.writestr(k, typed if k == name else v)
    annotate([copy], as_of=AS_OF, config=load_config(None))
    text = openpyxl.load_workbook(copy)[SHEET]["D6"].comment.text
    assert text.startswith("已电话确认，客户姓王\n" + SEP) and text.count(SEP) == 1, text


# ---------------------------------------------------------------- a folder: the copy or its workbook


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "来店登记.xlsx"
    build_workbook(src)
    annotate([src], as_of=AS_OF, config=load_config(None))
    return src, tmp_path / "来店登记.checked.xlsx"


def _fix_in_copy(copy: Path, tmp: Path) -> None:
    """The clerk fixes E5 in the copy and saves it (LibreOffice when there is one)."""
    edited = tmp / "edited.xlsx"
    shutil.copyfile(copy, edited)
    _edit_cells(edited, copy, {"E5": ' t="inlineStr"><is><t>13812345670</t></is></c>'})
    edited.unlink()
    if shutil.which("soffice"):
        libreoffice_save(copy)


def _files(result) -> dict[str, tuple[str | None, str | None]]:
    return {Path(f.path).name: (f.skipped, f.error) for f in result.files}


def test_a_folder_skips_a_copy_nobody_changed(tmp_path):
    src, copy = _folder(tmp_path)
    r = validate([tmp_path], as_of=AS_OF)
    files = _files(r)
    assert files["来店登记.xlsx"] == (None, None) and "没有改动" in files["来店登记.checked.xlsx"][0]
    assert {f.path for f in r.findings} == {str(src)}
    again = annotate([tmp_path], as_of=AS_OF, config=load_config(None))  # the copy is simply made anew
    assert [(Path(f.path).name, f.error) for f in again.files] == [("来店登记.xlsx", None)]


def test_a_folder_checks_the_copy_the_clerk_fixed_instead_of_its_workbook(tmp_path):
    src, copy = _folder(tmp_path)
    _fix_in_copy(copy, tmp_path)
    r = validate([tmp_path], as_of=AS_OF)
    files = _files(r)
    assert files["来店登记.checked.xlsx"] == (None, None)
    assert "检查的是副本" in files["来店登记.xlsx"][0]
    assert {f.path for f in r.findings} == {str(copy)}  # counted once, with the fix
    assert not any(f.cell == "E5" and f.sheet == SHEET for f in r.findings)
    assert r.summary()["rows"] == validate([src], as_of=AS_OF).summary()["rows"]
    again = annotate([tmp_path], as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 0
    done = {Path(f.path).name: f for f in again.files}
    assert done["来店登记.checked.xlsx"].out == str(copy) and done["来店登记.xlsx"].out is None
    assert openpyxl.load_workbook(copy)[SHEET]["E5"].comment.text == CLERK_NOTE
    # marked again, the copy still holds fixes its workbook lacks: the next night checks it again
    r2 = validate([tmp_path], as_of=AS_OF)
    assert _files(r2)["来店登记.checked.xlsx"] == (None, None) and _files(r2)["来店登记.xlsx"][0]
    res = invoke(["annotate", str(tmp_path), "--as-of", AS_OF])
    assert res.exit_code == 0 and "检查的是副本" in res.stdout and "来店登记.checked.xlsx：" in res.stdout


def test_when_both_changed_neither_is_dropped_in_silence(tmp_path):
    src, copy = _folder(tmp_path)
    _fix_in_copy(copy, tmp_path)
    wb = openpyxl.load_workbook(src)  # reception typed on in the workbook meanwhile
    wb[SHEET]["D20"] = "新客户"
    wb.save(src)
    copy_bytes = copy.read_bytes()
    r = validate([tmp_path], as_of=AS_OF)
    files = _files(r)
    assert files["来店登记.xlsx"] == (None, None)
    assert "两份都有改动" in files["来店登记.checked.xlsx"][1] and r.exit_code("never") == 2
    assert {f.path for f in r.findings} == {str(src)}
    again = annotate([tmp_path], as_of=AS_OF, config=load_config(None))
    assert again.exit_code() == 2
    done = {Path(f.path).name: f for f in again.files}
    assert "不会覆盖" in done["来店登记.xlsx"].error and done["来店登记.xlsx"].out is None
    assert copy.read_bytes() == copy_bytes  # the clerk's fixes are still there


def test_a_workbook_named_with_its_copy_is_read_as_a_folder_reads_the_two(tmp_path):
    """validate a.xlsx a.checked.xlsx (a shell's *.xlsx): one of the two is checked, never both."""
    src, copy = _folder(tmp_path)
    once = validate([src], as_of=AS_OF)
    r = validate([src, copy], as_of=AS_OF)  # nobody changed the copy: the workbook is checked
    files = _files(r)
    assert files["来店登记.xlsx"] == (None, None) and "没有改动" in files["来店登记.checked.xlsx"][0]
    assert [f.to_json() for f in r.findings] == [f.to_json() for f in once.findings]
    assert r.summary()["rows"] == once.summary()["rows"]
    res = invoke(["validate", str(src), str(copy), "--as-of", AS_OF])
    assert "没有改动" in res.stdout and res.stdout.count("来店登记.checked.xlsx") == 1
    _fix_in_copy(copy, tmp_path)
    for named in ([copy, src], [src, copy], [copy, tmp_path]):  # the clerk fixed the copy: it is checked instead
        r = validate(named, as_of=AS_OF)
        assert {f.path for f in r.findings} == {str(copy)}, named
        assert "检查的是副本" in _files(r)["来店登记.xlsx"][0]
    # named alone, a copy is checked as ever; annotate still marks what it is given and refuses
    # to replace the named copy with a new one of its workbook
    assert _files(validate([copy], as_of=AS_OF))["来店登记.checked.xlsx"] == (None, None)
    copy_bytes = copy.read_bytes()
    done = {Path(f.path).name: f for f in annotate([src, copy], as_of=AS_OF, config=load_config(None)).files}
    assert "不会覆盖" in done["来店登记.xlsx"].error and done["来店登记.checked.xlsx"].out == str(copy)
    assert copy.read_bytes() != copy_bytes and openpyxl.load_workbook(copy)[SHEET]["E5"].comment.text == CLERK_NOTE


def test_annotating_the_workbook_never_replaces_a_copy_with_fixes(tmp_path):
    src, copy = _folder(tmp_path)
    _fix_in_copy(copy, tmp_path)
    copy_bytes = copy.read_bytes()
    r = annotate([src], as_of=AS_OF, config=load_config(None))
    assert r.exit_code() == 2 and "annotate 来店登记.checked.xlsx" in r.files[0].error
    assert copy.read_bytes() == copy_bytes
    res = invoke(["annotate", str(copy), "--as-of", AS_OF])  # what the message says to do
    assert res.exit_code == 0 and str(copy) in res.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == ["来店登记.checked.xlsx", "来店登记.xlsx"]


def test_notes_the_excel_button_wrote_are_recognised_by_annotate(tmp_path):
    """A book marked with the 校验 button in Excel, saved, then given to annotate: the button's
    notes read as ours (the same first line), so they are replaced, not doubled; its colour goes
    from a fixed cell (the same fill colours)."""
    from helpers import REG_HEADER, reg_row, write_xlsx
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from xl_dealer.excel.marks import note_text as button_note

    src = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="123"), reg_row(phone="13812345679")]})
    bad = [f for f in validate([src], as_of=AS_OF).findings if f.cell == "F2"]
    wb = openpyxl.load_workbook(src)
    ws = wb["登记"]
    for ref in ("F2", "F3"):  # F3 was fixed after the button marked it
        ws[ref].comment = Comment(button_note(bad), "前台小刘")  # Excel writes the user as the author
        ws[ref].fill = PatternFill("solid", fgColor=FILLS["error"])
    wb.save(src)
    r = annotate([src], as_of=AS_OF, config=load_config(None))
    assert r.exit_code() == 0
    out = openpyxl.load_workbook(r.files[0].out)["登记"]
    assert out["F2"].comment.text.count(SEP) == 1 and out["F2"].comment.text.startswith(SEP)
    assert out["F3"].comment is None and out["F3"].fill.fill_type is None
