"""The workbook kinds of SPEC §2, each declared once, from the shared vocabulary.

A field several kinds share (customer, phone, consultant, model, plate, dates…) comes
from ``vocabulary.py`` through ``Field.but``, so its names are written once; each kind
adds only its own fields and its own extra names. Order of fields is the column order
of the templates we generate.
"""

from __future__ import annotations

from xl_dealer.model import vocabulary as V
from xl_dealer.model.schema import Condition, Field, Kind, SheetDefault, Span
from xl_dealer.model.schema import FieldType as T

# A phone is required unless the customer declined to leave one (SPEC §2.1).
_PHONE_UNLESS_DECLINED = Condition(
    "phone_declined", frozenset({True}), negate=True, text="没有注明客户拒留电话", text_en="the customer did not decline (未留电话)"
)

REGISTRATION = Kind(
    key="registration",
    title="来店(来电)客户登记表",
    doc="Showroom visitor log kept at reception: one row per walk-in (来店) or phone-in (来电).",
    fields=(
        V.DATE.but(more=("来店日期", "来访日期", "接待日期", "来电日期", "来店(电)日期", "到店日期", "进店日期",
                         "到访日期"), required=True),
        Field("arrive_time", "来店时间", ("到店时间", "进店时间", "来电时间", "接待时间", "来店(电)时间", "到访时间"),
              T.TIME, True),
        Field("leave_time", "离店时间", ("离开时间", "结束时间"), T.TIME),
        Field("visit_type", "来店/来电", ("类型", "接待类型", "来访方式", "来店来电", "来店(电)方式", "来店或来电",
                                        "来店(电)", "来店(来电)", "来电/来店", "线索类型"), T.ENUM, True, enum="visit_type"),
        V.CUSTOMER.but(required=True),
        V.GENDER.but(),
        V.PHONE.but(required=True, required_when=_PHONE_UNLESS_DECLINED),  # the column always, a cell unless
        Field("phone_declined", "未留电话", ("拒留电话", "不留电话"), T.BOOL),
        V.MODEL.but(required=True),
        V.SOURCE.but(required=True),
        V.LEVEL.but(required=True),
        V.CONSULTANT.but(required=True),
        Field("test_drive", "是否试驾", ("试乘试驾", "试驾", "是否试乘试驾"), T.BOOL),
        Field("card", "是否建卡", ("建卡", "已建卡", "是否建档", "建档"), T.BOOL),
        Field("visit_seq", "首次/再次", ("来店次数", "首次来店", "F/S", "首次再次", "来店频率", "初次/再次", "初/再"),
              T.ENUM, enum="visit_seq"),
        Field("party_size", "同行人数", ("人数", "来店人数"), T.INT, min=1, max=50),
        V.REGION.but(),
        V.REMARK.but(),
    ),
    spans=(Span(("在店时段", "在店时间段", "来店时段", "接待时段", "到店离店时间", "来店离店时间"),
                "arrive_time", "leave_time"),),
    moments=(("date", "arrive_time"),),
    sheet_date="date",
    # a 来店顾客登记表 (展厅客流登记) is walk-ins only and has no 来店/来电 column
    defaults=(SheetDefault("visit_type", "来店", words=("来店", "到店", "进店", "展厅", "在店"),
                           against=("来电", "店(电)")),),
)

TEST_DRIVE = Kind(
    key="test_drive",
    title="试乘试驾登记表",
    doc="Test-drive register: a customer without a valid licence may never drive.",
    fields=(
        V.DATE.but("试驾日期", more=("试乘试驾日期",), required=True),
        V.CUSTOMER.but(required=True),
        Field("age", "年龄", (), T.INT, True, min=1, max=80, doc="under 18 is testdrive.age"),
        Field("occupation", "职业", (), T.TEXT, True),
        V.ID_NO.but("驾照号", more=("驾驶证号", "驾驶证号码", "驾照号码", "驾驶证"), key="license_no", required=True),
        V.PHONE.but(required=True),
        Field("address", "联系地址", ("地址", "住址", "家庭住址", "居住地址"), T.TEXT, True),
        V.MODEL.but("试驾车型", more=("试乘试驾车型",), required=True),
        Field("customer_signed", "客户签名", ("客户签字", "试驾人签字", "试驾人签名", "驾驶人签字"), T.SIGN, True),
        Field("consultant_signed", "销售顾问签名", ("顾问签名", "陪同人", "顾问签字", "销售顾问签字", "陪同人签字"),
              T.SIGN, True),
        V.CONSULTANT.but(required=True),
        Field("route", "试驾路线", ("路线",), T.TEXT),
    ),
    sheet_date="date",
)

_LOST = Condition("status", frozenset({"战败", "流失"}), text="状态为战败/流失", text_en="the card is lost")

FOLLOWUP_CARD = Kind(
    key="followup_card",
    title="客户跟进卡",
    doc="One row per intent customer; the consultant's card, checked and signed by the sales manager.",
    fields=(
        V.DATE.but("建卡日期", more=("建档日期", "建卡时间", "建档时间", "建卡日"), key="card_date", required=True),
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        V.MODEL.but(required=True),
        V.LEVEL.but(required=True),
        V.SOURCE.but(),
        V.CONSULTANT.but(required=True),
        Field("status", "状态", ("跟进状态", "客户状态", "当前状态"), T.ENUM, True, enum="card_status"),
        Field("lost_reason", "战败原因", ("流失原因", "战败/流失原因", "战败理由"), T.TEXT, as_typed=True, required_when=_LOST),
        Field("last_contact", "最近跟进日期", ("最后跟进日期", "上次跟进日期", "最近联系日期"), T.DATE, past=True),
        Field("next_date", "下次跟进日期", ("计划跟进日期", "下次跟进时间", "下次跟踪日期", "下次跟踪时间"), T.DATE),
        # the information clerk's call to a customer lost on price, for service (xl-dealer report prospects)
        V.CHURN_CALL.but(more=("战败回访日期", "售后跟踪日期")),
        V.CHURN_RESULT.but(more=("战败回访结果", "售后跟踪结果")),
        V.REMARK.but(),
    ),
)

FOLLOWUP_LOG = Kind(
    key="followup_log",
    title="意向客户跟进记录",
    doc="One row per contact with an intent customer; the day's log goes to the manager by 17:00.",
    fields=(
        V.DATE.but("跟进日期", more=("回访日期", "跟踪日期", "联系日期", "访问日期"), required=True),
        Field("time", "跟进时间", ("跟踪时间", "联系时间", "回访时间", "访问时间"), T.TIME),
        V.CONSULTANT.but(required=True),
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        V.LEVEL.but(more=("跟进后级别", "跟踪后级别"), required=True),
        # not 联系方式: on every kind that is the customer's phone
        Field("channel", "跟进方式", ("跟踪方式", "方式", "沟通方式", "联系途径", "访问方式"), T.ENUM, True,
              enum="channel"),
        Field("content", "跟进内容", ("跟踪内容", "沟通内容", "内容", "跟进情况", "跟进经过", "洽谈内容", "访问经过",
                                    "跟进记录"), T.TEXT, True, as_typed=True),
        Field("feedback", "客户反馈", ("反馈",), T.TEXT, as_typed=True),
        Field("next_date", "下次跟进日期", ("下次跟踪日期", "下次跟进时间", "计划跟进日期", "下次跟踪时间"), T.DATE),
        Field("submitted_at", "提交时间", ("提交", "上交时间"), T.TIME),
        Field("manager_signed", "经理签字", ("经理签名", "销售经理签字", "审核", "经理批阅", "销售经理批阅"), T.SIGN),
    ),
    moments=(("date", "time"),),
    sheet_date="date",
)

_REACHED = Condition("outcome", frozenset({"已回访"}), text="回访结果为已回访", text_en="the customer was reached")
# a score item is asked on a reached call when the row's 维修类型 asks it (config ``callback_items``): 喷漆质量
# only for 钣喷, a 新车交付 call its own questions (交车满意度, 总体评价) and none of the repair scores
_ASKED = Condition("outcome", frozenset({"已回访"}), text="已回访且该维修类型要问这一项", asked=True,
                   text_en="reached, and its 维修类型 asks it (callback_items)")
_CALLED = Condition("called", None, text="已填回访日期", text_en="the call is made")
# the customer's own words (填写用户原话) on every reached call; off with callback_comment_required = false
_WORDS = Condition("outcome", frozenset({"已回访"}), text="回访结果为已回访（写客户原话）", setting="callback_comment_required",
                   text_en="the customer was reached (their own words)")


def _score(key: str, header: str, aliases: tuple[str, ...] = ()) -> Field:
    return Field(key, header, aliases, T.SCORE, required_when=_ASKED)


SERVICE_CALLBACK = Kind(
    key="service_callback",
    title="售后回访记录",
    doc="The information clerk's calls within 3 days of a repair (7 after a new-car delivery), with scores. "
        "A row may be written before the call (the day's repair orders): its 回访日期 is then due, not missing.",
    fields=(
        V.RO_NO.but(required=True),
        V.PLATE.but(required=True),
        V.VIN.but(),  # optional: matches the car to its delivery and its customer file
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        Field("service_type", "维修类型", ("服务类型", "业务类型", "类型"), T.ENUM, True, enum="service_type"),
        V.ADVISOR.but(required=True),
        V.DELIVERED.but(required=True),
        # 回访时间 beside 回访日期 is the time of the call; alone, with dates in it, it is the date.
        # Blank on a row written before the call: callback.late says when the call is overdue.
        Field("called", "回访日期", ("回访时间",), T.DATE, True, past=True),
        Field("call_time", "回访时刻", ("通话时间", "致电时间", "回访时间"), T.TIME),
        # the column always; a cell once the call is made
        Field("caller", "回访人", ("回访员", "信息员", "客服", "回访专员"), T.TEXT, True, required_when=_CALLED),
        Field("outcome", "回访结果", ("回访状态", "接通情况"), T.ENUM, True, required_when=_CALLED, enum="outcome"),
        _score("reception_speed", "接待速度", ("接车速度",)),
        _score("completion_speed", "完工速度", ("维修速度", "交车速度")),
        _score("checkout_speed", "结算速度", ("结账速度",)),
        _score("parts_price", "配件价格", ("零件价格",)),
        _score("labour_price", "工时价格", ("工时费",)),
        _score("staff_attitude", "服务态度", ("人员态度", "接待态度")),
        _score("repair_quality", "维修质量", ()),
        _score("paint_quality", "喷漆质量", ("钣喷质量",)),
        _score("cleanliness", "清洁程度", ("车辆清洁", "洗车质量")),
        # the 新车交付 call's own question (7天前离店(已交车)用户进行电话跟踪): the delivery, for 销售
        _score("delivery_satisfaction", "交车满意度", ("交车服务", "交车过程", "新车交付满意度", "提车满意度", "交车满意")),
        _score("overall", "总体评价", ("总体满意度", "整体评价")),
        # 是否接待时主动报价，维修完毕后是否逐项讲解维修内容: 否 is an unsatisfied answer for 服务接待
        Field("quoted", "主动报价", ("是否报价", "施工前报价", "是否主动报价"), T.BOOL),
        Field("explained", "讲解维修项目", ("是否讲解", "完工讲解", "逐项讲解"), T.BOOL),
        Field("comment", "客户意见", ("客户原话", "意见建议", "客户建议", "用户原话"), T.TEXT, as_typed=True, required_when=_WORDS),
        Field("complaint", "是否投诉", ("投诉",), T.BOOL),
        # 会员: a club member already; 是否入会: joined in this call (回访中推出俱乐部)
        V.MEMBER.but(without=("入会", "是否入会")),
        Field("club_invited", "邀请入会", ("是否邀请入会", "推荐入会", "邀请加入俱乐部", "推荐俱乐部"), T.BOOL),
        Field("club_joined", "是否入会", ("入会", "同意入会", "已入会", "加入俱乐部"), T.BOOL),
        # on a reached call 下次保养日期 or 下次保养里程 (rules/callback.py: either one)
        V.NEXT_SERVICE_DATE.but(),
        V.NEXT_SERVICE_KM.but(),
        V.NEXT_SERVICE_ITEMS.but(),
        V.MILEAGE.but(),
        # a lost customer's reason and the call to win them back, where the log keeps them
        V.CHURN_REASON.but(),
        V.CHURN_CALL.but(),
        V.CHURN_RESULT.but(),
    ),
    moments=(("called", "call_time"),),
    sheet_date="called",
    blank_told_by=(("called", "callback.late"),),
)

_RESOLVED = Condition("resolved", None, text="已填实际解决日期", text_en="once resolved")

COMPLAINT = Kind(
    key="complaint",
    title="快速处理表",
    doc="Quick-handling form for problem customers and complaints, through to the second call.",
    fields=(
        Field("case_no", "编号", ("处理单号", "投诉编号", "序号"), T.TEXT, True),
        V.DATE.but("登记日期", more=("投诉日期", "派单日期"), required=True),
        V.RO_NO.but(),
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        Field("issue", "问题描述", ("投诉内容", "客户反映情况", "问题"), T.TEXT, True, as_typed=True),
        Field("department", "责任部门", ("部门",), T.ENUM, True, enum="department"),
        Field("owner", "负责人", ("处理人", "责任人"), T.TEXT, True),
        Field("owner_signed", "负责人签字", ("负责人签名", "签字"), T.SIGN, True),
        Field("due", "承诺解决日期", ("承诺日期", "要求完成日期"), T.DATE, True),
        Field("resolved", "实际解决日期", ("解决日期", "完成日期"), T.DATE, past=True),
        Field("result", "处理结果", ("解决方案", "处理情况"), T.TEXT, as_typed=True, required_when=_RESOLVED),
        # not "required once resolved": the second call is due within complaint_second_call_days
        # of the resolution, so complaint.no_second_call (not `required`) reports it after that
        Field("second_call", "二次回访日期", ("二次回访时间", "再次回访日期"), T.DATE, past=True,
              doc="due within complaint_second_call_days of 实际解决日期 (complaint.no_second_call)"),
        Field("second_result", "二次回访结果", ("再次回访结果",), T.TEXT, as_typed=True),
        Field("satisfied", "客户是否满意", ("是否满意", "客户满意"), T.BOOL),
    ),
)

DELIVERY = Kind(
    key="delivery",
    title="交车登记表",
    doc="One row per car handed over: the consultant's thank-you call within the hour, the after-sales "
        "person introduced, the 一级回访, the first maintenance.",
    fields=(
        V.DELIVERED.but(more=("交付日期", "交车日"), required=True),
        Field("delivery_time", "交车时间", ("交付时间", "交车时刻"), T.TIME, True),
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        V.MODEL.but("车型", more=("交车车型", "销售车型"), required=True),
        V.VIN.but(required=True),
        V.PLATE.but(),  # often not plated yet
        V.CONSULTANT.but(more=("交车顾问",), required=True),
        # the after-sales person introduced; 接待顾问 on a delivery is the sales consultant
        V.ADVISOR.but(more=("售后服务顾问", "介绍的服务顾问", "售后接待"), without=("接待顾问",), required=True),
        Field("service_intro", "介绍售后", ("是否介绍售后", "介绍服务顾问", "引荐售后", "介绍售后人员"), T.BOOL),
        Field("thanks_at", "感谢电话时间", ("感谢电话", "致谢电话时间", "感谢回访时间", "感谢电话时刻"), T.MOMENT),
        Field("thanks_by", "感谢电话人", ("致电人", "感谢电话致电人"), T.TEXT),
        Field("first_callback", "一级回访日期", ("一级回访", "一级回访时间", "首次回访日期"), T.DATE, past=True),
        Field("first_callback_note", "一级回访内容", ("一级回访记录", "回访内容"), T.TEXT, as_typed=True),
        Field("first_service_date", "首保日期", ("首次保养日期", "首保时间", "首保预约日期"), T.DATE),
        Field("first_service_km", "首保里程", ("首次保养里程",), T.NUMBER, min=0, max=2_000_000),
        V.MEMBER.but(more=("会员/入会",)),
        V.REMARK.but(),
    ),
    moments=(("delivered", "delivery_time"),),
    sheet_date="delivered",
    blank_told_by=(("advisor", "delivery.service_intro"),),
)

CUSTOMER_FILE = Kind(
    key="customer_file",
    title="客户信息卡",
    doc="The customer file (客户信息卡 / 客户档案): one row per vehicle, kept by the information clerk "
        "with its repair history.",
    fields=(
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        V.PLATE.but(),
        V.VIN.but(required=True),
        V.MODEL.but("车型", more=("品牌车型",), required=True),
        Field("bought", "购车日期", ("购买日期", "开票日期", "销售日期", "交车日期", "提车日期"), T.DATE, past=True),
        Field("buy_type", "购车类型", ("购买类型", "销售类型", "车辆来源", "购车渠道"), T.ENUM, enum="buy_type"),
        Field("customer_type", "客户类型", ("车辆类型", "使用性质", "客户性质", "车辆性质"), T.ENUM, enum="customer_type"),
        V.MEMBER.but(),
        Field("joined", "入会日期", ("入会时间", "会员日期"), T.DATE, past=True),
        V.REGION.but(more=("区域/地址",)),
        V.ID_NO.but(),
        Field("last_visit", "最近进厂日期", ("最后进厂日期", "上次进厂日期", "最近维修日期", "最近进厂"), T.DATE,
              past=True),
        V.MILEAGE.but("最近里程", more=("最近进厂里程", "上次里程"), key="last_km"),
        V.CHURN_REASON.but(),
        V.CHURN_CALL.but(),
        V.CHURN_RESULT.but(),
        V.REMARK.but(),
    ),
)

MAINTENANCE_LIST = Kind(
    key="maintenance_list",
    title="定期保养一览表",
    doc="The information clerk's list of customers due for maintenance: the invitation letter, then the phone "
        "reminder the week after (根据上周已经发出邀请信的定期保养一览表…电话提醒), its result written back.",
    fields=(
        V.PLATE.but(required=True),
        V.CUSTOMER.but(required=True),
        V.PHONE.but(required=True),
        V.MODEL.but("车型"),
        Field("last_service", "上次保养日期", ("上次保养时间", "最近保养日期", "上次进厂日期"), T.DATE, past=True),
        V.MILEAGE.but("上次里程", more=("上次保养里程", "上次进厂里程"), key="last_km"),
        V.NEXT_SERVICE_DATE.but(more=("应保养日期", "保养到期日", "预计保养日期", "本次保养日期"), required=True),
        V.NEXT_SERVICE_KM.but(more=("应保养里程",)),
        V.NEXT_SERVICE_ITEMS.but(),
        Field("letter_sent", "邀请信发出日期", ("邀请信日期", "发信日期", "邀请函发出日期", "寄信日期", "邀请函日期",
                                          "发函日期"), T.DATE, past=True),
        Field("reminded", "电话提醒日期", ("电话提醒时间", "提醒日期", "致电日期", "电话日期", "电话回访日期"), T.DATE,
              past=True),
        Field("contact_result", "联系结果", ("提醒结果", "电话结果", "联系情况", "回访结果"), T.ENUM, enum="reminder_result"),
        Field("booked", "预约日期", ("预约时间", "预约保养日期", "预约到店日期"), T.DATE),
        V.REMARK.but(),
    ),
)

KINDS: dict[str, Kind] = {
    k.key: k for k in (REGISTRATION, TEST_DRIVE, FOLLOWUP_CARD, FOLLOWUP_LOG, SERVICE_CALLBACK, COMPLAINT,
                       DELIVERY, CUSTOMER_FILE, MAINTENANCE_LIST)
}
