"""The dealership's own settings: one ``dealer.toml`` (SPEC calls them "configurable").

Every default SPEC names lives here. A file only needs the keys it changes:
``enums``, ``synonyms`` and ``severity`` are merged key by key onto the
defaults, ``levels`` replaces the whole level set (brands differ), ``aliases``
add to the declared ones.

The settings are plain dataclasses, declared once here with their bounds. pydantic checks
them (``config_check``) only when something sets a value: a file, ``XL_DEALER_*`` or an
argument. Importing it and building its validators was 0.15 s of every run's start,
more than checking a small file takes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

from xl_dealer.model.errors import InputError
from xl_dealer.model.language import current, said

Severity = Literal["error", "warning", "info"]
CONFIG_ENV = "XL_DEALER_CONFIG"
DEFAULT_FILE = "dealer.toml"
# pydantic reads this off a dataclass: a key no table of it has is an error, and a table given
# as the dataclass itself (Limits(split_mb=-1)) is checked as one given as a dict. A plain dict,
# as ConfigDict is, so that nothing here imports pydantic.
_FORBID = {"extra": "forbid", "revalidate_instances": "always"}


def setting(default: Any = MISSING, *, factory: Callable[[], Any] | None = None, doc: str = "", **bounds: Any) -> Any:
    """A setting's default, the bounds pydantic holds a given value to (ge, le, min_length,
    max_length: its ``Field`` arguments, read off the dataclass field) and what it means."""
    meta = {**bounds, **({"description": doc} if doc else {})}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Level:
    __pydantic_config__ = _FORBID
    meaning: str
    cadence_days: int | None = setting(None, ge=1, le=3650, doc="follow up at least every N days; none = closed")


@dataclass
class Limits:
    """Bounds on what one input may cost, so a hostile or broken file cannot take the machine down."""

    __pydantic_config__ = _FORBID
    max_unzipped_mb: int = setting(4096, ge=1, le=1_000_000, doc="refuse an .xlsx/.xlsm inflating to more than this")
    max_ratio: int = setting(200, ge=10, le=1_000_000, doc="refuse a part over 64 MB inflating more than this many times")
    max_dense_cells: int = setting(30_000_000, ge=1000, le=1_000_000_000, doc="a sheet whose value extent (rows x columns) "
                                 "is larger is read by the sparse reader")
    split_mb: int = setting(8, ge=0, le=1_000_000, doc="a sheet inflating to this many MB or more is read in pieces on "
                          "several cores (validate --jobs sets how many)")
    max_columns: int = setting(1000, ge=10, le=16384, doc="the sparse reader ignores cells right of this column")
    max_reader_mb: int = setting(4096, ge=256, le=1_000_000, doc="memory a reader of an .xls/.xlsb/.ods may "
                               "take (256 MB + 64 MB per MB of file, at most this)")
    max_reader_seconds: int = setting(300, ge=5, le=86400, doc="time a reader of an .xls/.xlsb/.ods may take")


DEFAULT_LEVELS: dict[str, Level] = {
    "O": Level(meaning="已订车未交车 ordered, not yet delivered", cadence_days=3),
    "H": Level(meaning="7天内订车 will order within 7 days", cadence_days=2),
    "A": Level(meaning="15天内订车 within 15 days", cadence_days=4),
    "B": Level(meaning="30天内订车 within 30 days", cadence_days=7),
    "C": Level(meaning="2-3个月内订车 within 2-3 months", cadence_days=15),
    "N": Level(meaning="新客户未定级 new, not yet graded", cadence_days=15),
    "D": Level(meaning="已交车 delivered", cadence_days=None),
    "F": Level(meaning="战败 lost", cadence_days=None),
    "L": Level(meaning="失控 lost contact", cadence_days=None),
}

DEFAULT_ENUMS: dict[str, list[str]] = {
    "visit_type": ["来店", "来电"],
    "gender": ["男", "女"],
    "visit_seq": ["首次", "再次"],
    "source": ["网络", "汽车之家", "懂车帝", "易车", "抖音", "快手", "小红书", "微信", "朋友介绍", "老客户推荐",
               "路过", "电视", "广播", "报纸", "户外广告", "车展", "外拓", "电话", "其他"],
    "card_status": ["跟进中", "已订车", "成交", "战败", "流失", "休眠"],
    "channel": ["电话", "短信", "微信", "到店", "上门"],
    "service_type": ["保养", "维修", "钣喷", "保险", "索赔", "新车交付", "免费检测", "活动"],
    "outcome": ["已回访", "未接通", "拒访", "空号"],
    "department": ["服务接待", "车间", "结算", "配件", "钣喷", "美容/洗车", "销售", "客服", "其他"],
    "buy_type": ["本店", "他店"],
    "reminder_result": ["已预约", "已到店", "拒绝", "未接通", "空号"],
    "customer_type": ["私家车", "公司车", "营运"],
    # empty list = not checked (a store may list its models and staff)
    "model": [],
    "consultant": [],
    "advisor": [],
}

DEFAULT_SYNONYMS: dict[str, dict[str, str]] = {
    "visit_type": {"展厅": "来店", "进店": "来店", "到店": "来店", "电话": "来电", "来电咨询": "来电"},
    "gender": {"男性": "男", "女性": "女", "先生": "男", "女士": "女", "m": "男", "f": "女"},
    "visit_seq": {"f": "首次", "初": "首次", "初次": "首次", "首": "首次", "1": "首次",
                  "s": "再次", "再": "再次", "二次": "再次", "复": "再次"},
    "source": {"网站": "网络", "互联网": "网络", "autohome": "汽车之家", "朋友": "朋友介绍",
               "老客户": "老客户推荐", "转介绍": "老客户推荐", "自然到店": "路过"},
    "level": {},
    "card_status": {"跟踪中": "跟进中", "跟进": "跟进中", "订车": "已订车", "已订": "已订车", "已成交": "成交",
                    "交车": "成交", "已交车": "成交", "战败客户": "战败", "失败": "战败", "流失客户": "流失"},
    "channel": {"电话回访": "电话", "来电": "电话", "sms": "短信", "wechat": "微信", "面谈": "到店",
                "来店": "到店", "进店": "到店", "拜访": "上门", "家访": "上门"},
    "service_type": {"定期保养": "保养", "首保": "保养", "一般维修": "维修", "机修": "维修", "钣金": "钣喷",
                     "喷漆": "钣喷", "事故车": "保险", "保修": "索赔", "三包": "索赔", "新车": "新车交付", "交车": "新车交付",
                     "免费检查": "免费检测", "免费体检": "免费检测", "免检": "免费检测", "活动检测": "免费检测",
                     "免费活动": "活动", "活动维修": "活动", "店内活动": "活动"},
    "outcome": {"成功": "已回访", "已接通": "已回访", "接通": "已回访", "无人接听": "未接通", "未接": "未接通",
                "关机": "未接通", "占线": "未接通", "拒绝": "拒访", "拒绝回访": "拒访", "错号": "空号", "停机": "空号"},
    "reminder_result": {"预约": "已预约", "已约": "已预约", "约好": "已预约", "约好了": "已预约", "已约好": "已预约", "到店": "已到店", "已进店": "已到店",
                        "已保养": "已到店", "已来": "已到店", "不来": "拒绝", "拒绝保养": "拒绝", "不需要": "拒绝",
                        "无人接听": "未接通", "未接": "未接通", "关机": "未接通", "占线": "未接通", "错号": "空号",
                        "停机": "空号"},
    "buy_type": {"自销": "本店", "本店购买": "本店", "本店销售": "本店", "他销": "他店", "外店": "他店",
                 "他店购买": "他店", "外购": "他店"},
    "customer_type": {"私家": "私家车", "私人": "私家车", "个人": "私家车", "私车": "私家车", "公司": "公司车",
                      "单位": "公司车", "企业": "公司车", "公车": "公司车", "单位用车": "公司车", "出租": "营运",
                      "出租车": "营运", "网约车": "营运", "营运车": "营运"},
    "department": {"前台": "服务接待", "接待": "服务接待", "维修车间": "车间", "机修车间": "车间", "财务": "结算",
                   "收银": "结算", "备件": "配件", "钣喷车间": "钣喷", "洗车": "美容/洗车", "美容": "美容/洗车"},
}

# 5-point values of the satisfaction words (SPEC §2.4); numbers are scores themselves
DEFAULT_SCORE_WORDS: dict[str, float] = {
    "非常满意": 5.0, "满意": 4.0, "基本满意": 3.0, "一般": 3.0, "不满意": 2.0, "非常不满意": 1.0,
    "很满意": 5.0, "比较满意": 4.0, "较满意": 4.0, "很不满意": 1.0, "较差": 2.0,
    "很好": 5.0, "好": 4.0, "不好": 2.0, "很不好": 1.0, "差": 2.0, "很差": 1.0, "优": 5.0, "良": 4.0, "中": 3.0,
}

# score item → department it speaks for (SPEC §2.4). 总体评价 (overall) speaks for no
# department: it counts in the overall 满意率 only, never as a department of its own.
DEFAULT_DEPARTMENTS: dict[str, str] = {
    "reception_speed": "服务接待", "staff_attitude": "服务接待", "labour_price": "服务接待",
    "quoted": "服务接待", "explained": "服务接待",  # 主动报价 / 讲解维修项目: 否 is an unsatisfied answer
    "completion_speed": "车间", "repair_quality": "车间",
    "checkout_speed": "结算", "parts_price": "配件", "paint_quality": "钣喷", "cleanliness": "美容/洗车",
    "delivery_satisfaction": "销售",  # the 新车交付 call's question about the handover
}

# what a reached call of each 维修类型 is asked (score items, and the yes/no staff questions 主动报价,
# 讲解维修项目); a type not listed is asked the "默认" list. A 新车交付 call has its own questions: its
# answers never count toward 车间 or 配件, and no repair score is required of it.
REPAIR_ITEMS = ["reception_speed", "completion_speed", "checkout_speed", "parts_price", "labour_price",
                "staff_attitude", "repair_quality", "cleanliness", "overall", "quoted", "explained"]
DEFAULT_ITEMS_KEY = "默认"
DEFAULT_CALLBACK_ITEMS: dict[str, list[str]] = {
    DEFAULT_ITEMS_KEY: list(REPAIR_ITEMS),
    "钣喷": [*REPAIR_ITEMS[:7], "paint_quality", *REPAIR_ITEMS[7:]],
    "新车交付": ["delivery_satisfaction", "overall"],
}
DEFAULT_PRICE_WORDS = ["价格", "价钱", "贵", "优惠", "便宜", "砍价", "折扣", "报价"]

# 战败分析: a typed 战败原因 goes to the first group (in this order) with a keyword in it, else 其他
DEFAULT_LOST_REASONS: dict[str, list[str]] = {
    "价格": ["价格", "价钱", "太贵", "贵了", "优惠", "便宜", "砍价", "报价高", "折扣"],
    "竞品": ["竞品", "其他品牌", "别的品牌", "别家", "他店", "外店", "别的店", "对手"],
    "预算": ["预算", "资金", "钱不够", "贷款", "首付", "经济"],
    "家人意见": ["家人", "家里", "老婆", "老公", "爱人", "妻子", "丈夫", "父母", "孩子"],
    "暂不购买": ["暂不", "暂缓", "不买", "不考虑", "推迟", "以后再说", "再等等", "取消", "观望"],
}
DEFAULT_INVITE_KEYWORDS = ["邀约", "预约到店", "约到店", "邀请到店", "预约看车", "预约试驾"]


@dataclass
class TargetSet:
    """Monthly targets of one consultant; a report for another period prorates them by days."""

    __pydantic_config__ = _FORBID
    orders: float | None = setting(None, ge=0, doc="orders a month")
    deliveries: float | None = setting(None, ge=0, doc="cars handed over a month (the delivery register)")
    test_drives: float | None = setting(None, ge=0, doc="test-driven customers a month")


@dataclass
class Targets(TargetSet):
    """``[targets]``: one monthly target for every consultant, ``[targets.per_consultant]`` for some."""

    per_consultant: dict[str, TargetSet] = setting(
        factory=dict, doc="consultant -> own monthly targets (the others use the ones above)")

    def of(self, consultant: str) -> TargetSet:
        own = self.per_consultant.get(consultant)
        keys = ("orders", "deliveries", "test_drives")
        return TargetSet(**{k: getattr(own, k) if own and getattr(own, k) is not None else getattr(self, k) for k in keys})

    def any(self) -> bool:
        return any(v is not None for t in (self, *self.per_consultant.values())
                   for v in (t.orders, t.deliveries, t.test_drives))


DEFAULT_MARK_FILLS: dict[str, str] = {"error": "FFC7CE", "warning": "FFEB9C", "info": "BDD7EE"}


@dataclass(kw_only=True)
class Campaign:
    """A free campaign of the store (我店搞活动期间来免费维修除外): its visits are no return."""

    __pydantic_config__ = _FORBID
    name: str = setting("活动", doc="what the store calls it (冬季免费检测)")
    start: dt.date
    end: dt.date
    types: list[str] = setting(factory=list, doc="only visits of these 维修类型 (empty: every visit "
                             "in the campaign's days)")

    def __post_init__(self) -> None:  # pydantic calls it too: a ValueError is the campaign's error
        if self.end < self.start:
            raise ValueError(said(f"结束日 {self.end} 早于开始日 {self.start}", f"end {self.end} is before start {self.start}"))


class SettingsError(ValueError):
    """An environment variable that is not the JSON its key needs."""


class BadSettings(ValueError):
    """A given setting pydantic refused: ``errors`` are its errors (``loc``, ``type``, ``msg``, ``ctx``)."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(f"{len(errors)} bad setting(s)")
        self.errors = errors


@dataclass(init=False)
class Config:
    """Effective settings. Environment variables ``XL_DEALER_<KEY>`` fill the keys the file (or
    the arguments) do not give, merged into a table the file gives in part.

    The environment is read here, as pydantic-settings' BaseSettings did (case-insensitive
    names; lists, tables and models as JSON; other values as text for the model to parse):
    importing pydantic-settings cost 60 ms of every run's start, more than a small file's check."""

    def __init__(self, **data: Any) -> None:
        given = _deep_update(_environment(type(self)), data)
        if not given or (given.keys() == {"lang"} and given["lang"] in ("zh", "en")):
            values = {**defaults(type(self)), **given}  # nothing to check: the declared defaults
        else:
            from xl_dealer.model.config_check import check

            values = check(given)
        self.__dict__.update(values)

    def but(self, **changes: Any) -> Config:
        """A copy with these settings changed, values already checked (a language the CLI parsed)."""
        copy = object.__new__(type(self))
        copy.__dict__.update({**self.__dict__, **changes})
        return copy

    as_of: dt.date | None = setting(None, doc="the date rules count from; default today")
    lang: Literal["zh", "en"] = "zh"
    levels: dict[str, Level] = setting(factory=lambda: dict(DEFAULT_LEVELS))
    enums: dict[str, list[str]] = setting(factory=lambda: {k: list(v) for k, v in DEFAULT_ENUMS.items()})
    synonyms: dict[str, dict[str, str]] = setting(factory=lambda: {k: dict(v) for k, v in DEFAULT_SYNONYMS.items()})
    aliases: dict[str, list[str] | dict[str, list[str]]] = setting(
        factory=dict,
        doc="extra header names: field -> names (every kind with that field), or kind -> field -> names")
    severity: dict[str, Severity] = setting(factory=dict, doc="rule id -> severity override")
    header_search_rows: int = setting(30, ge=1, le=1000)
    limits: Limits = setting(factory=Limits)

    # follow-up (SPEC §2.3)
    followup_daily_target: int = setting(6, ge=0, le=1000)
    followup_window: tuple[dt.time, dt.time] = (dt.time(9, 30), dt.time(11, 30))
    followup_submit_by: dt.time = dt.time(17, 0)
    roster: dict[str, list[dt.date]] = setting(factory=dict, doc="consultant -> days on duty")
    card_closed_statuses: list[str] = setting(
        factory=lambda: ["战败", "流失", "成交"],
        doc="card statuses that need no more follow-up (followup.overdue skips them)")
    followup_window_exempt_channels: list[str] = setting(
        factory=lambda: ["到店"],
        doc="follow-up channels whose time the customer chose (a walk-in): followup.window skips them")

    # after-service callbacks (SPEC §2.4)
    callback_days: int = setting(3, ge=0, le=3650)
    callback_new_car_days: int = setting(7, ge=0, le=3650)
    callback_windows: list[tuple[dt.time, dt.time]] = setting(
        factory=lambda: [(dt.time(10), dt.time(12)), (dt.time(15), dt.time(18))]
    )
    complaint_second_call_days: int = setting(7, ge=0, le=3650)
    churn_months: int = setting(6, ge=1, le=600)
    callback_items: dict[str, list[str]] = setting(
        factory=lambda: {k: list(v) for k, v in DEFAULT_CALLBACK_ITEMS.items()},
        doc="维修类型 -> the score items (and 主动报价/讲解维修项目) a reached call of that type is asked; "
                    "\"默认\" for the types not listed. Items by key or by header (接待速度).")
    callback_comment_required: bool = setting(True, doc="客户意见 (the customer's own words) on every reached call")
    callback_next_service_required: bool = setting(
        True, doc="下次保养日期 or 下次保养里程 on every reached call (提醒客户下次保养项目及里程)")
    callback_retry_days: int = setting(5, ge=0, le=3650, doc="an unanswered call (未接通) is tried again on "
                                     "the morning call list for this many days after the first attempt")
    reminder_call_days: int = setting(4, ge=0, le=3650, doc="the phone reminder of a letter (定期保养一览表) is "
                                    "due in the week after the letter's week: reminder.not_called after its Monday "
                                    "plus this many days")
    campaign_service_types: list[str] = setting(
        factory=lambda: ["免费检测", "活动"],
        doc="维修类型 of the store's free campaign visits: no return (客户流失, 首保)")
    campaigns: list[Campaign] = setting(factory=list, doc="the store's free campaigns by date: "
                                      "[[campaigns]] name, start, end, types")

    # the information clerk's morning call list (今日回访清单) and the price-lost prospects
    calls_max_overdue_days: int = setting(14, ge=0, le=3650, doc="a callback overdue longer than this is "
                                        "left off the call list (callback.late still says it)")
    calls_daily_churn: int = setting(10, ge=0, le=1000, doc="lost customers put on each morning's call list")
    calls_daily_prospects: int = setting(10, ge=0, le=1000, doc="price-lost prospects on each morning's list")
    prospect_price_words: list[str] = setting(
        factory=lambda: list(DEFAULT_PRICE_WORDS),
        doc="a lost card (战败/流失) whose 战败原因 holds one of these was lost on price")
    nearby_areas: list[str] = setting(factory=list, doc="the store's nearby areas (区域 of the visitor "
                                    "log holds one): only those prospects are called; empty = every area")
    prospect_months: int = setting(12, ge=1, le=600, doc="prospects lost within this many months")

    # the delivery step (交车登记表) and the first maintenance
    delivery_thanks_minutes: int = setting(60, ge=1, doc="the thank-you call is due within this many "
                                         "minutes of the delivery (交车完毕后的一小时内)")
    delivery_first_callback_days: int = setting(3, ge=0, doc="the consultant's 一级回访 within this many days")
    first_service_months: int = setting(3, ge=1, doc="首保 due this many months after delivery")
    first_service_km: int = setting(5000, ge=0, doc="… or at this many km")

    # sales reports (销售总结, 战败分析, 邀约到店)
    targets: Targets = setting(factory=Targets)
    lost_statuses: list[str] = setting(
        factory=lambda: ["战败", "流失"], doc="card statuses that count as a lost sale (战败)")
    lost_reasons: dict[str, list[str]] = setting(
        factory=lambda: {k: list(v) for k, v in DEFAULT_LOST_REASONS.items()},
        doc="reason group -> keywords, first match wins (replaces the whole default list); the rest is 其他")
    invite_keywords: list[str] = setting(
        factory=lambda: list(DEFAULT_INVITE_KEYWORDS),
        doc="a follow-up log row whose 跟进方式, 跟进内容 or 客户反馈 holds one of these is an invitation")
    invite_arrival_days: int = setting(7, ge=0, doc="an invited customer arrived if they came in within this many days")

    # satisfaction arithmetic (xl_dealer.rules.scores)
    score_words: dict[str, float] = setting(factory=lambda: dict(DEFAULT_SCORE_WORDS))
    score_scale: Literal["auto", "5", "10"] = setting(
        "auto", doc="auto: a column with any number above 5 is on the 10-point scale (halved)")
    score_satisfied_min: float = setting(4.0, ge=0, le=10, doc="a 5-point answer at or above this is satisfied")
    score_problem_max: float = setting(2.0, ge=0, le=10, doc="a 5-point answer at or below this is a problem answer")
    departments: dict[str, str] = setting(factory=lambda: dict(DEFAULT_DEPARTMENTS))

    # marked copies (xl-dealer annotate): light fills that keep black text readable
    mark_fills: dict[Severity, str] = setting(
        factory=lambda: dict(DEFAULT_MARK_FILLS), doc="severity -> fill colour RRGGBB")
    results_sheet: str = setting("校验结果", min_length=1, max_length=31, doc="name of the findings sheet")

    def items_asked(self, service_type: str | None) -> list[str]:
        """The items a reached call of this 维修类型 is asked (the default list for a type not listed)."""
        got = self.callback_items.get(service_type or "")
        return got if got is not None else self.callback_items[DEFAULT_ITEMS_KEY]

    def aliases_of(self, kind: str, field_key: str) -> list[str]:
        """The store's extra header names of a field on a kind: shared ones and the kind's own."""
        shared = self.aliases.get(field_key)
        own = self.aliases.get(kind)
        return [*(shared if isinstance(shared, list) else ()),
                *(own.get(field_key, ()) if isinstance(own, dict) else ())]

    def severity_of(self, rule: str) -> str:
        from xl_dealer.model.catalogue import RULES

        return self.severity.get(rule) or RULES[rule].severity

    def open_levels(self) -> set[str]:
        return {k for k, lv in self.levels.items() if lv.cadence_days is not None}


ENV_PREFIX = "xl_dealer_"


def defaults(cls: type) -> dict[str, Any]:
    """A dataclass's declared defaults, fresh ones from its factories."""
    return {f.name: f.default_factory() if f.default_factory is not MISSING else f.default for f in fields(cls)}


def _environment(model: type) -> dict[str, Any]:
    """``XL_DEALER_<KEY>`` for each field of ``model``: complex ones (a list, a table, a model)
    decoded from JSON, the others as given."""
    env = {k.lower(): v for k, v in os.environ.items() if k[:len(ENV_PREFIX)].lower() == ENV_PREFIX}
    if not env:
        return {}
    out: dict[str, Any] = {}
    for name, annotation in get_type_hints(model).items():
        raw = env.get(ENV_PREFIX + name)
        if raw is None:
            continue
        if _complex(annotation):
            import json  # only for a setting given as JSON in the environment

            try:
                value = json.loads(raw)
            except ValueError:
                raise SettingsError(f'error parsing value for field "{name}" from source "EnvSettingsSource"') from None
            if value is not None:  # JSON null: not set
                out[name] = value
        else:
            out[name] = raw
    return out


def _complex(annotation: Any) -> bool:
    """A type given as JSON in the environment: a model, a mapping, a sequence other than
    text, a set or a tuple; a union is complex when a member is (as in pydantic-settings)."""
    origin = get_origin(annotation)
    if origin is not None and any(a is not type(None) for a in get_args(annotation)) and (
            origin is type(int | None) or str(origin) == "typing.Union"):
        return any(_complex(a) for a in get_args(annotation) if a is not type(None))
    for t in (annotation, origin):
        if isinstance(t, type) and not issubclass(t, str | bytes) and (is_dataclass(t) or issubclass(
                t, Mapping | Sequence | set | frozenset | tuple)):
            return True
    return False


def _deep_update(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` on top, tables merged key by key (how the sources were merged)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_update(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


AS_OF_RANGE = (dt.date(1990, 1, 1), dt.date(2099, 12, 31))


def check_as_of(day: dt.date) -> dt.date:
    """The as-of date within the years a dealership's logs can be about (the rules count days
    back and forth from it; 0001-01-01 or 9999-12-31 overflowed the date arithmetic)."""
    lo, hi = AS_OF_RANGE
    if not lo <= day <= hi:

        raise ValueError(said(f"检查日必须在 {lo} 与 {hi} 之间，不能是 {day}",
                              f"the as-of date must be between {lo} and {hi}, not {day}"))
    return day


def config_path(path: str | os.PathLike[str] | None) -> Path | None:
    """The file to load: the one given, else $XL_DEALER_CONFIG, else ./dealer.toml if present."""
    if path is not None:
        return Path(path)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def load_config(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Config:
    """Load ``dealer.toml``; a bad file raises :class:`InputError` naming the key and what to do."""
    file = config_path(path)
    data: dict[str, Any] = {}
    if file is not None:
        import tomllib

        try:
            data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InputError(str(file), said("配置文件不存在", "config file not found")) from None
        except UnicodeDecodeError:  # Notepad's "ANSI" (GBK) on a Chinese Windows
            raise InputError(str(file), said("配置文件不是 UTF-8 编码：请用记事本打开，「另存为」时编码选 UTF-8",
                                             "the config file is not UTF-8: save it again as UTF-8")) from None
        except OSError as e:
            raise InputError(str(file), said(f"配置文件无法读取（{e.strerror or e}）", f"cannot read config: {e}")) from None
        except tomllib.TOMLDecodeError as e:
            raise InputError(str(file), said(f"配置文件的写法不对（{_toml_where(e)}）：引号要用英文半角 \"…\"，等号左边写英文字段名"
                                             f"（如 customer），列表加方括号（customer = [\"来宾\"]），表名写在 [ ] 里",
                                             f"not valid TOML: {e}")) from None
    data.update({k: v for k, v in overrides.items() if v is not None})
    env = sorted(k for k in os.environ if k.upper().startswith("XL_DEALER_") and k.upper() != CONFIG_ENV)
    try:
        return Config(**data)
    except SettingsError as e:  # an environment variable that is not the JSON its key needs
        raise InputError(", ".join(env) or "environment", said(f"环境变量的值无效（{e}）；列表和表格要写成 JSON", f"bad environment variable ({e}); lists and tables are given as JSON")) from None
    except BadSettings as e:
        def where(loc: tuple) -> str:
            key = ".".join(str(p) for p in loc) or "(top)"
            var = f"XL_DEALER_{str(loc[0]).upper()}" if loc else ""
            return said(f"{key}（环境变量 {var}）", f"{key} (environment variable {var})") \
                if var in {k.upper() for k in env} and loc[0] not in data else key

        # a value that fits no member of a union (aliases: a list, or a kind's table) is one problem, not one per member
        errors = {tuple(p for p in err["loc"] if not _is_type_tag(p)): err for err in reversed(e.errors)}
        problems = said("；", "; ").join(f"{where(loc)}{said('：', ': ')}{problem(err)}" for loc, err in reversed(errors.items()))
        raise InputError(str(file or "settings"), said(f"配置有误：{problems}", f"bad config: {problems}")) from None


def _toml_where(e: Exception) -> str:
    line, col = getattr(e, "lineno", None), getattr(e, "colno", None)
    if line is None:  # Python 3.11's TOMLDecodeError says it only in its text: "(at line 2, column 13)"
        m = re.search(r"line (\d+), column (\d+)", str(e))
        line, col = (int(m[1]), int(m[2])) if m else (None, None)
    return f"第{line}行第{col}个字符" if line else str(e)


def _is_type_tag(part: object) -> bool:
    """pydantic names the union member a value was tried as in the error's place (list[str])."""
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "bool", "list", "dict"))


# pydantic's error types as a store's IT person reads them; an unknown one keeps pydantic's words
_PROBLEMS: dict[str, str] = {
    "extra_forbidden": "没有这个设置项（拼写对吗？xl-dealer config 列出全部设置）",
    "missing": "缺少这一项",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文字（用英文双引号括起，如 \"王强\"）",
    "list_type": "应为列表，如 [\"甲\", \"乙\"]", "tuple_type": "应为列表，如 [\"09:30\", \"11:30\"]",
    "dict_type": "应为表格（[名称] 下面的几行）", "model_type": "应为表格（[名称] 下面的几行）",
    "model_attributes_type": "应为表格（[名称] 下面的几行）",
    "date_parsing": "应为日期，如 2026-12-01", "date_type": "应为日期，如 2026-12-01",
    "date_from_datetime_parsing": "应为日期，如 2026-12-01", "date_from_datetime_inexact": "应为日期，不带时间",
    "time_parsing": "应为时间，如 09:30", "time_type": "应为时间，如 09:30",
}


# a table that is a dataclass (levels, limits, targets, campaigns) words an error of its own
# as a model did: the same reader, the same words
_AS_MODEL = {"unexpected_keyword_argument": ("extra_forbidden", "Extra inputs are not permitted"),
             "missing_argument": ("missing", "Field required"),
             "dataclass_type": ("model_type", "Input should be a valid dictionary or instance of {class_name}"),
             "dataclass_args_type": ("model_type", "Input should be a valid dictionary or instance of {class_name}")}


def problem(err: Any) -> str:
    """One pydantic error in the user's language: our own validators already speak it."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _AS_MODEL:
        kind, msg = _AS_MODEL[kind]
        err = {**err, "type": kind, "msg": msg.format(class_name=ctx.get("class_name", ""))}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if current() == "en":
        return str(err["msg"])
    if kind == "literal_error":
        return f"只能是 {str(ctx.get('expected', '')).replace(' or ', ' 或 ')}"
    bounds = {"greater_than_equal": ("不能小于", "ge"), "less_than_equal": ("不能大于", "le"),
              "greater_than": ("应大于", "gt"), "less_than": ("应小于", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx.get(key)}"
    if kind == "too_short":
        return f"至少要有 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    return _PROBLEMS.get(kind, str(err["msg"]))


def to_toml(config: Config) -> str:
    """The effective config as a dealer.toml a store can copy and edit (round-trips through load_config)."""
    from xl_dealer.model.config_check import as_json

    data = as_json(config)
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines = [said("# xl-dealer 生效的设置（默认值加上 dealer.toml 和 XL_DEALER_* 环境变量）；可复制后修改",
                  "# xl-dealer effective configuration (defaults merged with dealer.toml)")]
    unset = said("（未设置）", "(not set)")
    for k, v in scalars.items():
        if v is None:
            lines.append(f"# {k} = {unset}")
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    for name, table in tables.items():
        nested = {k: v for k, v in table.items() if isinstance(v, dict)}
        flat = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if flat or not nested:
            lines += ["", f"[{name}]"] + [f"{_toml_key(k)} = {_toml_value(v)}" if v is not None
                                          else f"# {_toml_key(k)} = {unset}" for k, v in flat.items()]
        for sub, inner in nested.items():
            lines += ["", f"[{name}.{_toml_key(sub)}]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in inner.items() if v is not None]
    return "\n".join(lines) + "\n"


def _toml_key(k: str) -> str:
    import re

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _toml_value(k)


def _toml_value(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table: [targets.per_consultant] "王强" = { orders = 10 }
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items() if x is not None) + " }"
    return json.dumps(str(v), ensure_ascii=False)
