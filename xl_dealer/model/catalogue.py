"""The rule catalogue (SPEC §3): stable ids; add new ids, never rename one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    what: str

    @property
    def name(self) -> str:
        """The rule as a clerk reads it in 校验结果 and ``xl-dealer rules`` (the id is for IT)."""
        return NAMES.get(self.id, ("", ""))[0] or self.id

    @property
    def name_en(self) -> str:
        return NAMES.get(self.id, ("", ""))[1] or self.id


_RULES = (
    Rule("column.missing", "error", "a sheet of a known kind has no column for a required field (one finding per sheet, row null)"),
    Rule("column.duplicate", "warning", "two columns map to the same field; the better match is used (the field's own header, else the first)"),
    Rule("required", "error", "a required cell is blank (conditional requirements included)"),
    Rule("cell.error", "error", "the cell holds a formula error (#N/A, #DIV/0!, #REF!, ...) instead of a value"),
    Rule("format.date", "error", "not a date in any accepted form"),
    Rule("format.time", "error", "not a time in any accepted form"),
    Rule("format.phone", "error", "not a CN mobile (1[3-9] + 9 digits) or landline (area code + 7-8 digits, 400/800) after normalisation"),
    Rule("format.id", "error", "licence / ID number with wrong length, birth date or check digit"),
    Rule("format.plate", "error", "not a CN plate"),
    Rule("format.vin", "error", "not a VIN: 17 characters, no I/O/Q, check digit in position 9 (ISO 3779 / GB 16735); lower case and spaces are accepted"),
    Rule("format.number", "error", "not a number, or outside its range"),
    Rule("enum", "error", "value outside the allowed list (after normalisation: case, full-width, synonyms)"),
    Rule("date.future", "error", "a date after the as-of date"),
    Rule("time.order", "error", "an end before its start (leave before arrive, next follow-up before this one, resolved before registered)"),
    Rule("duplicate", "warning", "the same phone twice on one day, the same RO number twice, the same VIN twice in the customer file or the delivery register (flagged on the later rows)"),
    Rule("card.required", "error", "a phone was left but 是否建卡 is not yes"),
    Rule("card.missing", "error", "(across workbooks) a phone was left but no follow-up card has that phone"),
    Rule("testdrive.missing", "warning", "是否试驾 is yes but the test-drive register has no such drive"),
    Rule("testdrive.license", "error", "a test drive without a valid licence number: must never happen"),
    Rule("testdrive.age", "error", "the age disagrees with the ID number's birth date, or is under 18"),
    Rule("followup.quota", "warning", "a consultant followed up fewer distinct open intent customers than the daily target on a day they worked"),
    Rule("followup.window", "info", "a follow-up outside the preferred window (09:30-11:30)"),
    Rule("followup.overdue", "warning", "an open card not followed up within its level's cadence as of the as-of date"),
    Rule("followup.late_submit", "warning", "the day's log submitted after 17:00, or not signed by the manager"),
    Rule("callback.late", "warning", "called more than 3 days after delivery (7 days after a new-car delivery), or a row written before the call still not called by then"),
    Rule("callback.window", "info", "a call outside 10:00-12:00 and 15:00-18:00"),
    Rule("complaint.unhandled", "error", "a complaint or low score with no quick-handling row"),
    Rule("complaint.open_overdue", "warning", "a case past its promised date and not resolved"),
    Rule("complaint.no_second_call", "warning", "resolved more than 7 days ago, but no second call recorded"),
    Rule("delivery.thanks_late", "warning", "the thank-you call came more than 60 minutes (config) after the delivery"),
    Rule("delivery.thanks_missing", "error", "no thank-you call recorded for a delivery more than 60 minutes before the as-of moment"),
    Rule("delivery.service_intro", "warning", "no after-sales person introduced at the delivery (服务顾问 blank, or 介绍售后 = 否)"),
    Rule("delivery.first_callback", "warning", "the consultant's 一级回访 not done within 3 days (config) of the delivery"),
    Rule("delivery.new_car_call", "warning", "(across workbooks) no 新车交付 callback in the after-service log for a car delivered more than 7 days ago (by VIN, else plate, else phone)"),
    Rule("card.not_closed", "warning", "(across workbooks) a delivered customer (by phone) whose follow-up card is still open"),
    Rule("customer.mismatch", "warning", "(across workbooks) the same VIN (else plate) names another owner or phone in the customer file than in the delivery register or the after-service log"),
    Rule("customer.unknown", "info", "(across workbooks) a car in the after-service log (by VIN or plate) that the customer file does not have"),
    Rule("reminder.not_called", "warning", "定期保养一览表: an invitation letter sent in an earlier week with no phone reminder by the as-of date (due in the week after the letter's)"),
    Rule("reminder.no_result", "warning", "定期保养一览表: a phone reminder date without its 联系结果"),
    Rule("cross.skipped", "info", "(across workbooks) a rule across workbooks was not run because a sheet lacks the columns it compares: one finding on that sheet, not one per row"),
)

# rule id → (Chinese name, English name): short, in the words a clerk uses; every rule has one
NAMES: dict[str, tuple[str, str]] = {
    "column.missing": ("缺少必填列", "required column missing"),
    "column.duplicate": ("重复的列", "column twice"),
    "required": ("必填项为空", "required cell blank"),
    "cell.error": ("公式出错", "formula error"),
    "format.date": ("日期写法不对", "not a date"),
    "format.time": ("时间写法不对", "not a time"),
    "format.phone": ("电话号码不对", "bad phone number"),
    "format.id": ("证件号码不对", "bad ID number"),
    "format.plate": ("车牌号不对", "bad plate"),
    "format.vin": ("车架号不对", "bad VIN"),
    "format.number": ("数字不对", "bad number"),
    "enum": ("不是可选的值", "value not in the list"),
    "date.future": ("日期晚于检查日", "date in the future"),
    "time.order": ("先后顺序不对", "end before start"),
    "duplicate": ("重复登记", "entered twice"),
    "card.required": ("留电话未建卡", "phone left, no card"),
    "card.missing": ("没有跟进卡", "no follow-up card"),
    "testdrive.missing": ("试驾没有登记", "test drive not registered"),
    "testdrive.license": ("试驾无有效驾照", "test drive without licence"),
    "testdrive.age": ("年龄与证件不符", "age does not match the ID"),
    "followup.quota": ("当天跟进数不够", "follow-ups below target"),
    "followup.window": ("不在建议跟进时段", "outside the follow-up window"),
    "followup.overdue": ("跟进逾期", "follow-up overdue"),
    "followup.late_submit": ("跟进记录迟交或未签字", "log late or unsigned"),
    "callback.late": ("回访超时", "callback late"),
    "callback.window": ("不在建议回访时段", "outside the call window"),
    "complaint.unhandled": ("投诉未进快速处理表", "complaint not handled"),
    "complaint.open_overdue": ("投诉逾期未解决", "case overdue"),
    "complaint.no_second_call": ("没有二次回访", "no second call"),
    "delivery.thanks_late": ("感谢电话超时", "thank-you call late"),
    "delivery.thanks_missing": ("没打感谢电话", "no thank-you call"),
    "delivery.service_intro": ("没介绍售后", "after-sales not introduced"),
    "delivery.first_callback": ("一级回访没按时", "first callback late"),
    "delivery.new_car_call": ("新车交付没回访", "no new-car callback"),
    "card.not_closed": ("已交车，跟进卡未关闭", "card open after delivery"),
    "customer.mismatch": ("客户信息不一致", "owner or phone differs"),
    "customer.unknown": ("客户信息卡没有这辆车", "car not in the customer file"),
    "reminder.not_called": ("保养提醒没打电话", "reminder not phoned"),
    "reminder.no_result": ("提醒没记联系结果", "reminder without result"),
    "cross.skipped": ("跨表核对没有进行", "cross-check not run"),
}

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
SEVERITIES = ("error", "warning", "info")
