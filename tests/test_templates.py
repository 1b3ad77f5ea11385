"""Templates: built from the declarations, open in LibreOffice, and a filled one checks clean."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.cli_runner import invoke
from tests.fake_xlwings import book_from_xlsx
from xl_dealer.excel import validate as validate_book
from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.schema import Field, FieldType
from xl_dealer.samples import id_number
from xl_dealer.templates import CONFIG_SHEET, GUIDE_SHEET, LISTS_SHEET, templates
from xl_dealer.validate import validate

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> list[Path]:
    return templates(tmp_path_factory.mktemp("tpl"), config=Config())


def test_each_kind_has_headers_lists_formats_guide_and_xlwings_sheet(made: list[Path]) -> None:
    assert [p.name for p in made] == [f"{k}.xlsx" for k in KINDS]
    for p, kind in zip(made, KINDS.values(), strict=True):
        wb = openpyxl.load_workbook(p)
        assert wb.sheetnames == [kind.title, GUIDE_SHEET, LISTS_SHEET, CONFIG_SHEET]
        ws = wb[kind.title]
        assert [c.value for c in ws[1]] == [f.header for f in kind.fields]
        assert ws.freeze_panes == "A2"
        assert wb[LISTS_SHEET].sheet_state == "hidden" and wb[CONFIG_SHEET].sheet_state == "hidden"
        assert (wb[CONFIG_SHEET]["A1"].value, wb[CONFIG_SHEET]["B1"].value) == ("UDF Modules", "udfs")
        guide = [c.value for c in wb[GUIDE_SHEET]["A"] if c.value]
        assert all(f.header in guide for f in kind.fields)
        for j, f in enumerate(kind.fields, start=1):
            letter = openpyxl.utils.get_column_letter(j)
            fmt = ws.column_dimensions[letter].number_format
            if f.type is FieldType.DATE:
                assert fmt == "yyyy-mm-dd"
            if f.type is FieldType.PHONE:
                assert fmt == "@"  # a landline keeps its leading 0
        dv_cols = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation}
        if kind.has("level"):
            col = openpyxl.utils.get_column_letter([f.key for f in kind.fields].index("level") + 1)
            assert col in dv_cols
            dv = next(d for d in ws.data_validations.dataValidation if str(d.sqref).startswith(col))
            ref = dv.formula1.split("!")[1].replace("$", "")
            values = [c.value for row in wb[LISTS_SHEET][ref] for c in row]
            assert values == list(Config().levels)


def test_committed_templates_match_the_generator(made: list[Path]) -> None:
    for p in made:
        committed = ROOT / "workbooks" / p.name
        assert committed.is_file(), f"run: xl-dealer templates workbooks ({p.name} missing)"
        a, b = openpyxl.load_workbook(p), openpyxl.load_workbook(committed)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            assert [[c.value for c in r] for r in ws.iter_rows()] == \
                   [[c.value for c in r] for r in b[ws.title].iter_rows()], f"{p.name}!{ws.title} is stale"


def test_cli_writes_the_templates(tmp_path: Path) -> None:
    res = invoke(["templates", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{k}.xlsx" for k in KINDS)


# ---------------------------------------------------------------- filled templates

_ID = id_number(random.Random(1), dt.date(1990, 1, 1))
_DAY = AS_OF - dt.timedelta(days=2)
_OVERRIDES = {
    "arrive_time": dt.time(10, 0), "leave_time": dt.time(10, 45), "time": dt.time(10, 0),
    "call_time": dt.time(10, 30), "submitted_at": dt.time(16, 30),
    "delivered": AS_OF - dt.timedelta(days=3), "called": AS_OF - dt.timedelta(days=1),
    "card_date": _DAY, "last_contact": AS_OF - dt.timedelta(days=1), "next_date": AS_OF + dt.timedelta(days=1),
    "due": AS_OF + dt.timedelta(days=3), "next_service_date": AS_OF + dt.timedelta(days=180),
    "resolved": None, "result": None, "second_call": None, "second_result": None, "lost_reason": None,
    "level": "H", "status": "跟进中", "outcome": "已回访", "service_type": "保养",
    "age": 36, "license_no": _ID, "plate": "粤B12345", "party_size": 2,
    "phone_declined": "否", "test_drive": "否", "complaint": "否", "card": "是",
}


def _value(f: Field, i: int, config: Config):
    if f.key in _OVERRIDES:
        return _OVERRIDES[f.key]
    if f.key in ("ro_no", "case_no"):
        return f"NO{i:04d}"
    if f.type is FieldType.VIN:  # one car per row, its check digit right
        from xl_dealer.read.values import vin_check_digit

        body = f"LSVAM4180C218{i:04d}"
        return body[:8] + vin_check_digit(body) + body[9:]
    if f.type is FieldType.MOMENT:
        return dt.time(10, 30)
    return {
        FieldType.DATE: _DAY, FieldType.TIME: dt.time(10, 0), FieldType.PHONE: f"1381234{i:04d}",
        FieldType.ENUM: (config.enums.get(f.enum or "") or ["x"])[0], FieldType.BOOL: "是",
        FieldType.INT: 1, FieldType.NUMBER: 5000, FieldType.ID: _ID, FieldType.PLATE: "粤B12345",
        FieldType.SCORE: 5, FieldType.SIGN: "是",
    }.get(f.type, "张三" if f.key in ("consultant", "advisor", "caller", "owner") else "测试内容")


def _fill(path: Path, config: Config, rows: int = 6) -> Path:
    """Rows typed as a clerk would, into the template's data sheet; six, for the daily follow-up target."""
    kind = next(k for k in KINDS.values() if path.name == f"{k.key}.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[kind.title]
    for i in range(rows):
        ws.append([_value(f, i, config) for f in kind.fields])
    out = path.with_name("filled_" + path.name)
    wb.save(out)
    return out


def test_a_filled_template_passes_validate_headless_and_in_excel(made: list[Path], tmp_path: Path) -> None:
    config = Config()
    for p in made:
        filled = _fill(Path(shutil.copy(p, tmp_path / p.name)), config)
        result = validate([filled], as_of=AS_OF, config=config)
        assert result.files[0].sheets[0]["rows"] == 6
        assert [s["kind"] for s in result.files[0].sheets] == [p.stem, None, None, None]
        assert result.findings == [], [f"{f.cell} {f.rule} {f.message}" for f in result.findings]
        assert validate_book(book_from_xlsx(str(filled)), as_of=AS_OF, config=config) == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_templates_open_in_libreoffice(made: list[Path], tmp_path: Path) -> None:
    profile = tmp_path / "lo-profile"  # our own profile: other soffice runs on the machine don't interfere
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, made)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    for p in made:
        pdf = tmp_path / "pdf" / (p.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 1000, proc.stdout + proc.stderr
