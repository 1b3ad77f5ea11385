"""The workbook kinds of SPEC §2, each declared once.

Order of fields is the column order of the templates we generate.
"""

from __future__ import annotations

from xl_dealer.schema import Condition, Field, Kind
from xl_dealer.schema import FieldType as T

# A phone is required unless the customer declined to leave one (SPEC §2.1).
_PHONE_UNLESS_DECLINED = Condition(
    "phone_declined", frozenset({True}), negate=True, text="the customer did not decline (未留电话)"
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

KINDS: dict[str, Kind] = {k.key: k for k in (REGISTRATION, TEST_DRIVE)}
