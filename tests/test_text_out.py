"""Text we write: one cleaning for sheets, notes and JSON; text output that cannot be forged; personal
data masked in free text (issue 13)."""

import datetime as dt
import json
import subprocess
import sys
import zipfile

from helpers import REG_HEADER, reg_row, write_xlsx

from tests.workbooks import write
from xl_dealer.model.text import CELL_LIMIT, clean_text, escape_terminal
from xl_dealer.report import report

D = dt.date
ITEMS = ("reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price",
         "staff_attitude", "repair_quality", "cleanliness", "overall")
VT_ESC = "车有异响_x000B_第二行_x001B_[31m红字"  # as Excel stores a pasted line break and an ESC
ID = "11010519491231002X"


def callbacks(tmp_path, comment, customer="王先生"):
    row = {"ro_no": "RO1", "plate": "粤A12345", "customer": customer, "phone": "13800000002",
           "service_type": "保养", "advisor": "李明", "delivered": D(2026, 11, 24), "called": D(2026, 11, 25),
           "caller": "小刘", "outcome": "已回访", "complaint": "是", "comment": comment,
           **dict.fromkeys(ITEMS, 2)}
    return write(tmp_path / "回访.xlsx", {"回访": ("service_callback", [row])})


def test_a_control_character_does_not_kill_the_report(tmp_path):
    """A vertical tab or ESC in 客户意见 made openpyxl refuse the whole workbook (IllegalCharacterError,
    exit 1, no report)."""
    p = callbacks(tmp_path, VT_ESC)
    out = tmp_path / "r.xlsx"
    reports = report("all", [p], as_of=D(2026, 11, 30), out=out, json_path=tmp_path / "r.json")
    assert out.exists()
    comments = [r.get("comment") for r in reports[3].tables[-1].rows]
    assert comments, reports[3].tables
    with zipfile.ZipFile(out) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    assert b"\x1b" not in xml and b"\x0b" not in xml
    assert "\x1b" not in (tmp_path / "r.json").read_text(encoding="utf-8")


def test_free_text_is_masked_in_manager_reports(tmp_path):
    p = callbacks(tmp_path, f"客户说身份证{ID}，手机 139 1234 5678 随时打", customer=f"王{ID}")
    reports = report("weekly", [p], as_of=D(2026, 11, 30), out=tmp_path / "w.xlsx", json_path=tmp_path / "w.json")
    text = (tmp_path / "w.json").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        sheet = b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
    for shown in (text, sheet):
        assert ID not in shown and "19491231" not in shown
        assert "13912345678" not in shown and "139 1234 5678" not in shown and "13800000002" not in shown
    assert "110105" in text and "139****5678" in text
    assert reports[0].call_list is False


def test_grouped_and_labelled_numbers_are_masked_in_manager_reports(tmp_path):
    """An ID in groups or after a label, a phone glued to Tel, were shown whole (the bug hunt)."""
    words = "身份证 110101 19900307 1234；ID110101199003071234；Tel13900000002；TEL:139-0000-0003；车LSVAU2180N2123456"
    p = callbacks(tmp_path, words, customer="王 110101-1990-0307-123X")
    report("weekly", [p], as_of=D(2026, 11, 30), out=tmp_path / "w.xlsx", json_path=tmp_path / "w.json")
    text = (tmp_path / "w.json").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        sheet = b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
    for shown in (text, sheet):
        for secret in ("19900307", "1990-0307", "199003071234", "13900000002", "0000-0003"):
            assert secret not in shown
    assert "ID110101********1234" in text and "Tel139****0002" in text and "LSVAU2180N2123456" in text


def test_the_customers_words_are_shown_as_typed(tmp_path):
    """客户意见 in full-width punctuation reached the report as ASCII (NFKC at reading); only its
    numbers are masked now, and the department is still found in it."""
    words = "前台接待太慢（等了半小时），电话：１３９ １２３４ ５６７８！"
    p = callbacks(tmp_path, words)
    reports = report("weekly", [p], as_of=D(2026, 11, 30), out=tmp_path / "w.xlsx", json_path=tmp_path / "w.json")
    shown = [r["comment"] for t in reports[0].tables for r in t.rows if r.get("comment")]
    assert shown and all(c == "前台接待太慢（等了半小时），电话：139****5678！" for c in shown), shown
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        sheet = b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
    assert "前台接待太慢（等了半小时），电话：139****5678！" in sheet and "１３９" not in sheet


def test_one_cleaning_function():
    assert clean_text("a\x0bb\x1bc\x00") == "a\nbc"
    long = "字" * (CELL_LIMIT + 10)
    cut = clean_text(long)
    assert len(cut) == CELL_LIMIT and cut.endswith("…")
    assert escape_terminal("a\r\nb\x1b[2J") == "a\\r\\nb\\x1b[2J"


def test_a_huge_value_is_cut_in_the_marked_copy(tmp_path):
    from xl_dealer.annotate import annotate

    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="1" * 40000)]})
    r = annotate([p], as_of="2026-11-27")
    assert not r.errors
    with zipfile.ZipFile(r.files[0].out) as z:
        for name in z.namelist():
            if name.startswith(("xl/comments", "xl/worksheets/")):
                import re

                for text in re.findall(rb"<t[^>]*>([^<]*)</t>", z.read(name)):
                    assert len(text.decode()) <= CELL_LIMIT


def _run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args)], capture_output=True, **kw)


def test_text_output_cannot_be_forged_and_json_has_no_infinity(tmp_path):
    from helpers import raw_xlsx

    heads = dict(zip("ABCDEFGHIJKLM", REG_HEADER, strict=True))
    row = dict(zip("ABCDEFGHIJKLM", ["2026-11-20", "10:00", "", "来店", "王先生", "1381234567", "凯美瑞",
                                      "汽车之家", "A", "李娜", "否", "是", ""], strict=True))
    row["F"] = 'x\n    F9      错误  伪造的一行  [format.phone]\x1b[2J'
    bad = dict(row, F=1e309)
    p = raw_xlsx(tmp_path / "x.xlsx", rows={1: heads, 2: row})
    q = raw_xlsx(tmp_path / "inf.xlsx", sheet_body="".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>' if not isinstance(v, float)
                                   else f'<c r="{c}{r}"><v>1e309</v></c>' for c, v in cells.items()) + "</row>"
        for r, cells in ((1, heads), (2, bad))))
    text = _run("validate", p, "--as-of", "2026-11-27", text=True).stdout
    assert "\x1b" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("F9")]  # no forged finding line
    out = _run("validate", q, "--as-of", "2026-11-27", "--format", "json", text=True).stdout

    def refuse(name):
        raise AssertionError(f"{name} in JSON")

    data = json.loads(out, parse_constant=refuse)
    assert any(f["cell"] == "F2" for f in data["findings"])


def test_a_full_disk_is_one_line(tmp_path):
    p = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row()]})
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", str(p), "--as-of", "2026-11-27",
                            "--format", "json"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 2
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
