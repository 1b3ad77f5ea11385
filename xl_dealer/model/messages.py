"""What each finding tells the clerk: Chinese by default, English with ``--lang en``.

A message names the column and the value, says what is wrong and what to do.
"""

from __future__ import annotations

import re
from typing import Any

_M: dict[str, tuple[str, str]] = {
    "column.missing": ("工作表缺少必填列「{header}」。{hint}",
                       "The sheet has no column for required field '{header}'.{hint}"),
    "column.duplicate": ("「{column}」与{first}列「{first_header}」是同一字段，只使用{first}列；请删除或改名重复的列。",
                         "'{column}' maps to the same field as column {first} '{first_header}'; only column {first} is used. Remove or rename the duplicate."),
    "required": ("「{column}」不能为空{when}，请填写。", "'{column}' is blank{when}; fill it in."),
    # a signature cell holding 否, ×, 无, 未签: written, but nobody signed
    "required.unsigned": ("「{column}」填的是「{value}」，表示没有签名{when}：请本人签名后再提交。",
                          "'{column}' says '{value}', which is no signature{when}: have it signed."),
    "cell.error": ("「{column}」是公式错误 {value}，请修正公式或填入数值。",
                   "'{column}' holds the formula error {value}; fix the formula or type the value."),
    "format.date": ("「{column}」的「{value}」不是日期，请写成 2026-11-03 或 2026/11/3。",
                    "'{column}' value '{value}' is not a date; write it as 2026-11-03 or 2026/11/3."),
    "format.time": ("「{column}」的「{value}」不是时间，请写成 9:30 或 14:05。",
                    "'{column}' value '{value}' is not a time; write it as 9:30 or 14:05."),
    "format.phone": ("「{column}」的「{value}」不是有效电话：手机为1开头的11位数字，固话为区号+7~8位号码。",
                     "'{column}' value '{value}' is not a valid phone: a mobile is 11 digits starting with 1, a landline is the area code plus 7-8 digits."),
    "format.id": ("「{column}」的「{value}」不是有效的18位身份证/驾驶证号（位数、出生日期或校验位有误），请核对证件。",
                  "'{column}' value '{value}' is not a valid 18-character ID/licence number (length, birth date or check digit); check the document."),
    "format.plate": ("「{column}」的「{value}」不是有效车牌，例如 粤B12345 或新能源 粤BD12345。",
                     "'{column}' value '{value}' is not a valid plate, e.g. 粤B12345 or new-energy 粤BD12345."),
    "format.vin": ("「{column}」的「{value}」不是有效的车架号（VIN）：应为17位字母数字，不含 I、O、Q，第9位校验位要对，请按行驶证或合格证核对。",
                   "'{column}' value '{value}' is not a valid VIN: 17 letters and digits, no I, O or Q, and the check digit in position 9; check it against the vehicle papers."),
    "format.number": ("「{column}」的「{value}」不是{range}的数字。", "'{column}' value '{value}' is not a number{range}."),
    "enum": ("「{column}」的「{value}」不在可选项内，请从下拉列表选择：{allowed}。",
             "'{column}' value '{value}' is not an allowed value; choose one of: {allowed}."),
    "date.future": ("「{column}」的日期 {value} 晚于检查日 {as_of}，请核对。",
                    "'{column}' date {value} is after the as-of date {as_of}; check it."),
    "time.order": ("「{column}」{value} 早于「{start_column}」{start}，请核对。",
                   "'{column}' {value} is before '{start_column}' {start}; check it."),
    "duplicate": ("{what}与第{first_row}行重复，请确认是否重复登记。",
                  "{what_en} repeats row {first_row}; check it was not entered twice."),
    "card.required": ("客户留了电话「{value}」，但「是否建卡」不是“是”：请为客户建卡后改为“是”。",
                      "The customer left phone '{value}' but 是否建卡 is not yes: create a follow-up card and mark it."),
    "card.missing": ("客户留了电话「{value}」，但跟进卡中没有这个电话：请为客户建卡。",
                     "The customer left phone '{value}' but no follow-up card has this phone: create a card."),
    "testdrive.missing": ("登记为已试驾，但试驾登记表中找不到该客户{when}的试驾记录，请补登记。",
                          "Marked as test-driven, but the test-drive register has no drive for this customer{when}; register it."),
    "testdrive.license": ("试驾人{licence}：无有效驾照的客户不得试驾，请核对驾照后登记。",
                          "Test drive {licence_en}: a customer without a valid licence may never drive."),
    "testdrive.age": ("{problem}", "{problem_en}"),
}


# a date before 1990 in a dealership's log is a typo; a date-formatted 5 or 60 shows as 1900-01-05
# or Excel's phantom 1900-02-29, and saying "not a date" of what the clerk sees as one misleads
_OLD_DATE = ("「{column}」的日期 {value} 早于1990年，多半是输错了（Excel 会把 5、60 这样的数字显示成1900年的日期），请改成正确的日期。",
             "'{column}' date {value} is before 1990, most likely a typo (Excel shows a number such as 5 or 60 as a "
             "date in 1900); type the right date.")
_OLD = re.compile(r"^(?:1[0-8]\d\d|19[0-8]\d|0\d{3})-\d\d-\d\d")


def message(rule: str, lang: str, **params: Any) -> str:
    zh, en = _M.get(rule, ("{rule}", "{rule}"))
    if rule == "format.date" and _OLD.match(str(params.get("value", ""))):
        zh, en = _OLD_DATE
    template = en if lang == "en" else zh
    params.setdefault("rule", rule)
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def register(rule: str, zh: str, en: str) -> None:
    """Later rule modules add their messages here rather than in a second table."""
    _M[rule] = (zh, en)
