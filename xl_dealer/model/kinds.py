"""The workbook kinds of SPEC §2, each declared once.

Order of fields is the column order of the templates we generate.
"""

from __future__ import annotations

from xl_dealer.model.schema import Condition, Field, Kind
from xl_dealer.model.schema import FieldType as T

# A phone is required unless the customer declined to leave one (SPEC §2.1).
_PHONE_UNLESS_DECLINED = Condition(
    "phone_declined", frozenset({True}), negate=True, text="客户没有拒留电话", text_en="the customer did not decline (未留电话)"
)

REGISTRATION = Kind(
    key="registration",
    title="来店(来电)客户登记表",
    doc="Showroom visitor log kept at reception: one row per walk-in (来店) or phone-in (来电).",
    fields=(
        Field("date", "日期", ("来店日期", "登记日期", "来访日期", "接待日期", "来电日期"), T.DATE, True, past=True),
        Field("arrive_time", "来店时间", ("到店时间", "进店时间", "来电时间", "接待时间", "来店(电)时间"), T.TIME, True),
        Field("leave_time", "离店时间", ("离开时间", "结束时间"), T.TIME),
        Field("visit_type", "来店/来电", ("类型", "接待类型", "来访方式", "来店来电", "来店(电)方式", "来店或来电"), T.ENUM, True, enum="visit_type"),
        Field("customer", "客户姓名", ("姓名", "客户名称", "客户"), T.TEXT, True),
        Field("gender", "性别", (), T.ENUM, enum="gender"),
        Field("phone", "联系电话", ("电话", "手机", "手机号", "联系方式", "客户电话", "手机号码", "电话号码"), T.PHONE, required_when=_PHONE_UNLESS_DECLINED),
        Field("phone_declined", "未留电话", ("拒留电话", "不留电话"), T.BOOL),
        Field("model", "意向车型", ("车型", "关注车型", "意向车系", "欲购车型"), T.TEXT, True, enum="model"),
        Field("source", "信息来源", ("来源", "客户来源", "获知渠道", "信息渠道", "渠道"), T.ENUM, True, enum="source"),
        Field("level", "意向级别", ("级别", "客户级别", "意向等级"), T.ENUM, True, enum="level"),
        Field("consultant", "销售顾问", ("接待顾问", "顾问", "接待人", "销售员"), T.TEXT, True, enum="consultant"),
        Field("test_drive", "是否试驾", ("试乘试驾", "试驾"), T.BOOL),
        Field("card", "是否建卡", ("建卡", "已建卡"), T.BOOL),
        Field("visit_seq", "首次/再次", ("来店次数", "首次来店", "F/S", "首次再次"), T.ENUM, enum="visit_seq"),
        Field("party_size", "同行人数", ("人数", "来店人数"), T.INT, min=1, max=50),
        Field("region", "区域", ("地址", "所在区域"), T.TEXT),
        Field("remark", "备注", ("说明",), T.TEXT),
    ),
)

TEST_DRIVE = Kind(
    key="test_drive",
    title="试乘试驾登记表",
    doc="Test-drive register: a customer without a valid licence may never drive.",
    fields=(
        Field("date", "试驾日期", ("日期",), T.DATE, True, past=True),
        Field("customer", "客户姓名", ("姓名",), T.TEXT, True),
        Field("age", "年龄", (), T.INT, True, min=1, max=80, doc="under 18 is testdrive.age"),
        Field("occupation", "职业", (), T.TEXT, True),
        Field("license_no", "驾照号", ("驾驶证号", "驾驶证号码", "身份证号", "驾照号码", "身份证号码"), T.ID, True),
        Field("phone", "联系电话", ("电话", "手机", "手机号"), T.PHONE, True),
        Field("address", "联系地址", ("地址",), T.TEXT, True),
        Field("model", "试驾车型", ("车型",), T.TEXT, True, enum="model"),
        Field("customer_signed", "客户签名", ("客户签字",), T.SIGN, True),
        Field("consultant_signed", "销售顾问签名", ("顾问签名", "陪同人", "顾问签字", "销售顾问签字"), T.SIGN, True),
        Field("consultant", "销售顾问", ("顾问",), T.TEXT, True, enum="consultant"),
        Field("route", "试驾路线", ("路线",), T.TEXT),
    ),
)

_LOST = Condition("status", frozenset({"战败", "流失"}), text="状态为战败/流失", text_en="the card is lost")

FOLLOWUP_CARD = Kind(
    key="followup_card",
    title="客户跟进卡",
    doc="One row per intent customer; the consultant's card, checked and signed by the sales manager.",
    fields=(
        Field("card_date", "建卡日期", ("建档日期", "建卡时间", "登记日期"), T.DATE, True, past=True),
        Field("customer", "客户姓名", ("姓名", "客户名称", "客户"), T.TEXT, True),
        Field("phone", "联系电话", ("电话", "手机", "手机号", "联系方式", "客户电话"), T.PHONE, True),
        Field("model", "意向车型", ("车型", "关注车型", "意向车系"), T.TEXT, True, enum="model"),
        Field("level", "意向级别", ("级别", "客户级别", "当前级别", "意向等级"), T.ENUM, True, enum="level"),
        Field("source", "信息来源", ("来源", "客户来源", "渠道"), T.ENUM, enum="source"),
        Field("consultant", "销售顾问", ("顾问", "跟进顾问", "负责顾问"), T.TEXT, True, enum="consultant"),
        Field("status", "状态", ("跟进状态", "客户状态"), T.ENUM, True, enum="card_status"),
        Field("lost_reason", "战败原因", ("流失原因", "战败/流失原因"), T.TEXT, required_when=_LOST),
        Field("last_contact", "最近跟进日期", ("最后跟进日期", "上次跟进日期"), T.DATE, past=True),
        Field("next_date", "下次跟进日期", ("计划跟进日期", "下次跟进时间"), T.DATE),
        Field("remark", "备注", ("说明",), T.TEXT),
    ),
)

FOLLOWUP_LOG = Kind(
    key="followup_log",
    title="意向客户跟进记录",
    doc="One row per contact with an intent customer; the day's log goes to the manager by 17:00.",
    fields=(
        Field("date", "跟进日期", ("回访日期", "跟踪日期", "联系日期"), T.DATE, True, past=True),
        Field("time", "跟进时间", ("跟踪时间", "联系时间"), T.TIME),
        Field("consultant", "销售顾问", ("顾问", "跟进人", "跟进顾问"), T.TEXT, True, enum="consultant"),
        Field("customer", "客户姓名", ("姓名", "客户"), T.TEXT, True),
        Field("phone", "联系电话", ("电话", "手机", "手机号"), T.PHONE, True),
        Field("level", "意向级别", ("级别", "跟进后级别", "客户级别"), T.ENUM, True, enum="level"),
        Field("channel", "跟进方式", ("跟踪方式", "联系方式", "方式"), T.ENUM, True, enum="channel"),
        Field("content", "跟进内容", ("跟踪内容", "沟通内容", "内容"), T.TEXT, True),
        Field("feedback", "客户反馈", ("反馈",), T.TEXT),
        Field("next_date", "下次跟进日期", ("下次跟踪日期", "下次跟进时间", "计划跟进日期"), T.DATE),
        Field("submitted_at", "提交时间", ("提交", "上交时间"), T.TIME),
        Field("manager_signed", "经理签字", ("经理签名", "销售经理签字", "审核"), T.SIGN),
    ),
)

_REACHED = Condition("outcome", frozenset({"已回访"}), text="回访结果为已回访", text_en="the customer was reached")
_PAINT = Condition("outcome", frozenset({"已回访"}), text="已回访且维修类型为钣喷", text_en="reached, body and paint work",
                   also=Condition("service_type", frozenset({"钣喷"})))


def _score(key: str, header: str, aliases: tuple[str, ...] = (), when: Condition = _REACHED) -> Field:
    return Field(key, header, aliases, T.SCORE, required_when=when)


SERVICE_CALLBACK = Kind(
    key="service_callback",
    title="售后回访记录",
    doc="The information clerk's calls within 3 days of a repair (7 after a new-car delivery), with scores.",
    fields=(
        Field("ro_no", "维修单号", ("工单号", "委托书号", "单号", "RO号"), T.TEXT, True),
        Field("plate", "车牌号", ("车牌", "车牌号码"), T.PLATE, True),
        Field("customer", "客户姓名", ("姓名", "客户", "车主"), T.TEXT, True),
        Field("phone", "联系电话", ("电话", "手机", "手机号"), T.PHONE, True),
        Field("service_type", "维修类型", ("服务类型", "业务类型", "类型"), T.ENUM, True, enum="service_type"),
        Field("advisor", "服务顾问", ("接待顾问", "SA"), T.TEXT, True, enum="advisor"),
        Field("delivered", "交车日期", ("出厂日期", "结算日期", "交车时间"), T.DATE, True, past=True),
        Field("called", "回访日期", ("回访时间",), T.DATE, True, past=True),
        Field("call_time", "回访时刻", ("通话时间", "致电时间"), T.TIME),
        Field("caller", "回访人", ("回访员", "信息员", "客服"), T.TEXT, True),
        Field("outcome", "回访结果", ("回访状态", "接通情况"), T.ENUM, True, enum="outcome"),
        _score("reception_speed", "接待速度", ("接车速度",)),
        _score("completion_speed", "完工速度", ("维修速度", "交车速度")),
        _score("checkout_speed", "结算速度", ("结账速度",)),
        _score("parts_price", "配件价格", ("零件价格",)),
        _score("labour_price", "工时价格", ("工时费",)),
        _score("staff_attitude", "服务态度", ("人员态度", "接待态度")),
        _score("repair_quality", "维修质量", ()),
        _score("paint_quality", "喷漆质量", ("钣喷质量",), when=_PAINT),
        _score("cleanliness", "清洁程度", ("车辆清洁", "洗车质量")),
        _score("overall", "总体评价", ("总体满意度", "整体评价")),
        Field("quoted", "主动报价", ("是否报价", "施工前报价"), T.BOOL),
        Field("explained", "讲解维修项目", ("是否讲解", "完工讲解"), T.BOOL),
        Field("comment", "客户意见", ("客户原话", "意见建议", "客户建议"), T.TEXT),
        Field("complaint", "是否投诉", ("投诉",), T.BOOL),
        Field("member", "会员", ("是否会员", "俱乐部会员"), T.BOOL),
        Field("next_service_date", "下次保养日期", ("下次保养时间",), T.DATE),
        Field("next_service_km", "下次保养里程", (), T.NUMBER, min=0, max=2_000_000),
        Field("mileage", "当前里程", ("行驶里程", "进厂里程", "里程"), T.NUMBER, min=0, max=2_000_000),
    ),
)

_RESOLVED = Condition("resolved", None, text="已填实际解决日期", text_en="once resolved")

COMPLAINT = Kind(
    key="complaint",
    title="快速处理表",
    doc="Quick-handling form for problem customers and complaints, through to the second call.",
    fields=(
        Field("case_no", "编号", ("处理单号", "投诉编号", "序号"), T.TEXT, True),
        Field("date", "登记日期", ("投诉日期", "派单日期", "日期"), T.DATE, True, past=True),
        Field("ro_no", "维修单号", ("工单号", "委托书号"), T.TEXT),
        Field("customer", "客户姓名", ("姓名", "客户"), T.TEXT, True),
        Field("phone", "联系电话", ("电话", "手机"), T.PHONE, True),
        Field("issue", "问题描述", ("投诉内容", "客户反映情况", "问题"), T.TEXT, True),
        Field("department", "责任部门", ("部门",), T.ENUM, True, enum="department"),
        Field("owner", "负责人", ("处理人", "责任人"), T.TEXT, True),
        Field("owner_signed", "负责人签字", ("负责人签名", "签字"), T.SIGN, True),
        Field("due", "承诺解决日期", ("承诺日期", "要求完成日期"), T.DATE, True),
        Field("resolved", "实际解决日期", ("解决日期", "完成日期"), T.DATE, past=True),
        Field("result", "处理结果", ("解决方案", "处理情况"), T.TEXT, required_when=_RESOLVED),
        # not "required once resolved": the second call is due within complaint_second_call_days
        # of the resolution, so complaint.no_second_call (not `required`) reports it after that
        Field("second_call", "二次回访日期", ("二次回访时间", "再次回访日期"), T.DATE, past=True,
              doc="due within complaint_second_call_days of 实际解决日期 (complaint.no_second_call)"),
        Field("second_result", "二次回访结果", ("再次回访结果",), T.TEXT),
        Field("satisfied", "客户是否满意", ("是否满意", "客户满意"), T.BOOL),
    ),
)

KINDS: dict[str, Kind] = {
    k.key: k for k in (REGISTRATION, TEST_DRIVE, FOLLOWUP_CARD, FOLLOWUP_LOG, SERVICE_CALLBACK, COMPLAINT)
}
