"""Empty workbooks for each kind, from the declarations: ``xl-dealer templates DIR``.

Each template has the data sheet (headers in declaration order, required ones
shaded, drop-down lists from the config, date/time/text formats, frozen header,
widths), a 说明 sheet listing every column, a hidden sheet holding the lists, and
a hidden ``xlwings.conf`` sheet naming the UDF module, so "Import Functions" in
the xlwings add-in finds ``udfs`` with no setup by the clerk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from xl_dealer.model.config import Config, load_config
from xl_dealer.model.kinds import KINDS
from xl_dealer.model.language import said, speaks
from xl_dealer.model.schema import Field, FieldType, Kind

ROWS = 2000  # rows the drop-downs cover
LISTS_SHEET = "下拉列表"
GUIDE_SHEET = "说明"
CONFIG_SHEET = "xlwings.conf"
UDF_MODULE = "udfs"

# a 感谢电话时间 (MOMENT) has no format: Excel shows 10:30 as a time and 2026-11-20 10:30 as both
FORMATS = {FieldType.DATE: "yyyy-mm-dd", FieldType.TIME: "hh:mm", FieldType.PHONE: "@", FieldType.ID: "@",
           FieldType.VIN: "@"}
WIDTHS = {FieldType.DATE: 12, FieldType.TIME: 9, FieldType.PHONE: 15, FieldType.ID: 21, FieldType.PLATE: 11,
          FieldType.TEXT: 12, FieldType.VIN: 21, FieldType.MOMENT: 16}
TYPE_ZH = {
    FieldType.TEXT: "文本", FieldType.DATE: "日期", FieldType.TIME: "时间", FieldType.PHONE: "电话",
    FieldType.ENUM: "选项", FieldType.BOOL: "是/否", FieldType.INT: "整数", FieldType.NUMBER: "数字",
    FieldType.ID: "18位身份证号", FieldType.PLATE: "车牌", FieldType.SCORE: "评分", FieldType.SIGN: "签名（是/否或姓名）",
    FieldType.VIN: "17位车架号", FieldType.MOMENT: "时间或日期时间",
}
GUIDE = (
    "每行填写一条记录；第1行是表头，请不要改列名（可以在右边加自己的列）。",
    "浅橙色表头的列必须填写；有下拉箭头的列可以直接选择。",
    "日期写成 2026-11-03 或 2026/11/3，时间写成 9:30；电话列是文本格式，0开头的座机号不会丢。",
    "按「校验」按钮（或 Alt+F8 运行 validate_active）检查整个工作簿：有问题的单元格会标色并加批注，",
    "「校验结果」表列出全部问题，点击单元格地址可跳转。改正后再按一次「校验」；「清除标记」只去掉程序加的颜色和批注。",
)
FILL_REQUIRED = "FCE4D6"
FILL_OPTIONAL = "DDEBF7"


def filename(kind: Kind) -> str:
    return f"{kind.key}.xlsx"


def choices(f: Field, config: Config) -> list[str]:
    """The drop-down of a field (empty: no drop-down)."""
    if f.enum == "level":
        return list(config.levels)
    if f.type in (FieldType.BOOL, FieldType.SIGN):
        return ["是", "否"]
    if f.type is FieldType.SCORE:
        return ["5", "4", "3", "2", "1"]
    return list(config.enums.get(f.enum or "", []))


def requirement_zh(f: Field) -> str:
    if f.required and f.required_when is not None:  # the column always, a cell when …
        return f"必填列；{f.required_when.text}时每行必填"
    if f.required:
        return "必填"
    if f.required_when is not None:
        return f"条件必填：{f.required_when.text}"
    return "选填"


def build(kind: Kind, config: Config) -> Any:
    """The template of one kind as an openpyxl Workbook."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from xl_dealer.read.inputs import GENERATED_PROPERTY

    wb = Workbook()
    # marks it as our template: `templates DIR` again replaces it only while nothing is typed in
    wb.custom_doc_props.append(StringProperty(name=GENERATED_PROPERTY, value="template"))
    ws = wb.active
    ws.title = kind.title
    lists = wb.create_sheet(LISTS_SHEET)
    lists_col = 0
    for j, f in enumerate(kind.fields, start=1):
        letter = get_column_letter(j)
        c = ws.cell(row=1, column=j, value=f.header)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=FILL_REQUIRED if f.required else FILL_OPTIONAL)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dim = ws.column_dimensions[letter]
        dim.width = max(len(f.header) * 2 + 3, WIDTHS.get(f.type, 10))
        if f.type in FORMATS:
            dim.number_format = FORMATS[f.type]
        options = choices(f, config)
        if options:
            lists_col += 1
            ll = get_column_letter(lists_col)
            lists.cell(row=1, column=lists_col, value=f.key)
            for i, v in enumerate(options, start=2):
                lists.cell(row=i, column=lists_col, value=v)
            dv = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${ll}$2:${ll}${len(options) + 1}",
                                allow_blank=True, showDropDown=False, showErrorMessage=True,
                                errorStyle="warning", errorTitle=f.header,
                                error=f"「{f.header}」通常是：{'、'.join(options)}。确定要填别的吗？")
            dv.add(f"{letter}2:{letter}{ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    # printed blank for the reception desk: one page wide, landscape, the header on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    lists.sheet_state = "hidden"
    _guide(wb.create_sheet(GUIDE_SHEET, 1), kind, config)
    conf = wb.create_sheet(CONFIG_SHEET)
    conf["A1"], conf["B1"] = "UDF Modules", UDF_MODULE  # read by xlwings' add-in (key in A, value in B)
    conf.sheet_state = "hidden"
    wb.active = 0
    return wb


def _num(x: float) -> str:
    """2000000 as a clerk reads it, not 2e+06."""
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def _guide(ws: Any, kind: Kind, config: Config) -> None:
    from openpyxl.styles import Font

    ws["A1"] = f"{kind.title} 填写说明"
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(GUIDE, start=2):
        ws.cell(row=i, column=1, value=line)
    top = len(GUIDE) + 3
    for j, h in enumerate(("列名", "类型", "是否必填", "可选值", "也能识别的列名"), start=1):
        ws.cell(row=top, column=j, value=h).font = Font(bold=True)
    for i, f in enumerate(kind.fields, start=top + 1):
        extra = f" {_num(f.min)}~{_num(f.max)}" if f.min is not None and f.max is not None else ""
        ws.cell(row=i, column=1, value=f.header)
        ws.cell(row=i, column=2, value=TYPE_ZH.get(f.type, str(f.type)) + extra)
        ws.cell(row=i, column=3, value=requirement_zh(f))
        ws.cell(row=i, column=4, value="、".join(choices(f, config)))
        ws.cell(row=i, column=5, value="、".join(f.aliases))
    for letter, width in zip("ABCDE", (16, 16, 30, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width


@speaks
def templates(out_dir: str | os.PathLike[str] = "workbooks", *, config: Config | None = None,
              kinds: list[str] | None = None) -> list[Path]:
    """Write one template per kind into ``out_dir``; returns the paths written."""
    from xl_dealer.model.errors import InputError
    from xl_dealer.render.outputs import atomic_write_all

    config = config or load_config()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), said("不是文件夹：模板要写进一个文件夹", "not a folder: templates are written into a folder"))
    targets = [(KINDS[key], out / filename(KINDS[key])) for key in kinds or list(KINDS)]
    kept = [p for _, p in targets if p.exists() and not _empty_template(p, config)]
    if kept:
        names = "、".join(p.name for p in kept)
        raise InputError(str(out), said(f"{names} 已存在，而且不是没填过的模板，不会覆盖：请换一个文件夹", f"{names} exist and are not empty templates: nothing written, choose another folder"))
    atomic_write_all([(p, build(kind, config).save) for kind, p in targets])
    return [p for _, p in targets]


def _empty_template(path: Path, config: Config) -> bool:
    """One of our templates with nothing typed in: the only existing file ``templates`` replaces."""
    from xl_dealer.model.errors import InputError
    from xl_dealer.read.table import Table
    from xl_dealer.read.workbook import read_workbook
    from xl_dealer.render.outputs import ours

    if not ours(path, ("template",)):
        return False
    try:
        sheets = read_workbook(path, config)
    except InputError:
        return False
    return all(not s.rows for s in sheets if isinstance(s, Table))
