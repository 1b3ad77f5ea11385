"""The shared field vocabulary: every field that several kinds use, declared once.

A dealer's forms come from the brand's standard set (三表一卡: 来店(电)登记表, 意向客户
跟进表/营业日报, 客户信息卡, plus 试乘试驾 and 售后回访 forms), re-typed and adapted in
every store, so the same column has many names (顾客姓名 for 客户姓名, 型号 for 车型,
接待顾问 / 跟进人 for 销售顾问, 手机号码 / 联系方式 for 联系电话). Each entry here has the
usual header, every name dealers write for it, its type and its value list; a kind takes
it with ``Field.but(...)`` and adds only what is its own (``kinds.py``). An alias added
here works on every sheet of every kind at once; a store adds its own words in
``dealer.toml`` (``[aliases]``, ``[synonyms.LIST]``).

Value synonyms of the lists (展厅 → 来店, 初 → 首次) are keyed by the list, not by the
kind, in ``config.DEFAULT_SYNONYMS``, so they are shared the same way; the written forms
of an intent level (H级, A级客户) are ``LEVEL_FORMS`` below.
"""

from __future__ import annotations

from xl_dealer.model.schema import Field
from xl_dealer.model.schema import FieldType as T

# the people
CUSTOMER = Field("customer", "客户姓名", (
    "姓名", "客户名称", "客户", "客户名", "顾客姓名", "顾客", "顾客名称", "顾客名", "用户姓名", "车主", "车主姓名"))
PHONE = Field("phone", "联系电话", (
    "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "客户电话", "顾客电话", "联系号码", "客户手机",
    "车主电话", "移动电话", "联系手机", "电话/手机", "手机/电话", "联系电话/手机", "手机号/电话", "本人电话", "本人号码",
    "客户号码", "顾客号码"), T.PHONE)
CONSULTANT = Field("consultant", "销售顾问", (
    "顾问", "接待顾问", "销售员", "接待人", "跟进人", "跟进顾问", "负责顾问", "销售", "业务员", "接待销售",
    "责任顾问", "销售人员", "接待人员", "销售顾问姓名", "顾问姓名"), T.TEXT, enum="consultant")
ADVISOR = Field("advisor", "服务顾问", ("接待顾问", "SA", "服务专员", "服务接待", "售后顾问"), T.TEXT, enum="advisor")
GENDER = Field("gender", "性别", (), T.ENUM, enum="gender")
ID_NO = Field("id_no", "身份证号", ("身份证号码", "证件号", "证件号码", "身份证"), T.ID)
REGION = Field("region", "区域", ("地址", "所在区域", "居住区域", "居住地址"), T.TEXT)

# what they want and where they heard of us
MODEL = Field("model", "意向车型", (
    "车型", "意向型号", "型号", "关注车型", "意向车系", "欲购车型", "车系", "意向车辆", "购买车型"), T.TEXT, enum="model")
SOURCE = Field("source", "信息来源", (
    "来源", "客户来源", "获知渠道", "信息渠道", "渠道", "来源渠道", "获知途径", "客户渠道", "线索来源", "来店渠道", "到店渠道", "客户来源渠道"),
    T.ENUM, enum="source")
LEVEL = Field("level", "意向级别", (
    "级别", "客户级别", "当前级别", "意向等级", "客户等级", "意向度", "意向程度", "购车意向级别", "购买意向级别"), T.ENUM, enum="level")

# the car and its service
PLATE = Field("plate", "车牌号", ("车牌", "车牌号码", "牌照号", "车号"), T.PLATE)
VIN = Field("vin", "车架号", ("VIN", "VIN码", "车架号码", "车辆识别代号", "车辆识别号", "车辆识别码", "底盘号"), T.VIN)
RO_NO = Field("ro_no", "维修单号", (
    "工单号", "委托书号", "单号", "RO号", "工单编号", "维修工单号", "委托书编号", "派工单号"), T.TEXT)
DELIVERED = Field("delivered", "交车日期", ("出厂日期", "结算日期", "交车时间", "提车日期"), T.DATE, past=True)
MEMBER = Field("member", "会员", ("是否会员", "俱乐部会员", "入会", "是否入会"), T.BOOL)
MILEAGE = Field("mileage", "当前里程", ("行驶里程", "进厂里程", "里程", "公里数"), T.NUMBER, min=0, max=2_000_000)
NEXT_SERVICE_DATE = Field("next_service_date", "下次保养日期", ("下次保养时间",), T.DATE)
NEXT_SERVICE_KM = Field("next_service_km", "下次保养里程", ("下次保养公里数", "下次保养公里"), T.NUMBER, min=0,
                        max=2_000_000)
# what the next maintenance is (提醒客户下次保养项目及里程): shown on the reminder lists
NEXT_SERVICE_ITEMS = Field("next_service_items", "下次保养项目", ("保养项目", "下次保养内容", "建议保养项目"), T.TEXT)

# a customer who stopped coming (流失) and the information clerk's call to win them back; the same
# columns on a lost sale's card (战败) for the price-lost customers called for service
CHURN_REASON = Field("churn_reason", "流失原因", ("未回厂原因", "流失原因分析"), T.TEXT, as_typed=True)
CHURN_CALL = Field("churn_call", "流失回访日期", ("流失回访时间", "流失跟踪日期", "挽回回访日期"), T.DATE, past=True)
CHURN_RESULT = Field("churn_result", "流失回访结果", ("流失跟踪结果", "流失回访情况", "挽回结果"), T.TEXT, as_typed=True)

# the day of a row (each kind names its own: 试驾日期, 跟进日期, 登记日期)
DATE = Field("date", "日期", ("登记日期",), T.DATE, past=True)
REMARK = Field("remark", "备注", ("说明", "备注说明"), T.TEXT, as_typed=True)

VOCABULARY: dict[str, Field] = {f.key: f for f in (
    CUSTOMER, PHONE, CONSULTANT, ADVISOR, GENDER, ID_NO, REGION, MODEL, SOURCE, LEVEL, PLATE, VIN, RO_NO,
    DELIVERED, MEMBER, MILEAGE, NEXT_SERVICE_DATE, NEXT_SERVICE_KM, NEXT_SERVICE_ITEMS, CHURN_REASON, CHURN_CALL,
    CHURN_RESULT, DATE, REMARK)}

# how an intent level is written beside its letter: H级, A级客户, B类 are H, A, B
LEVEL_FORMS = ("{}级", "{}级客户", "{}类", "{}类客户")
