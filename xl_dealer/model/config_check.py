"""pydantic's check of the settings something gives (a dealer.toml, ``XL_DEALER_*``, an argument).

Imported only then: with nothing given, ``Config()`` is its declared defaults, which a test
holds equal to what this check makes of them. The model is made from the dataclass
fields (their bounds ride in the field metadata, which pydantic reads); the nested tables
(levels, limits, targets, campaigns) are the dataclasses themselves, which pydantic checks
as they are declared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, fields
from functools import cache
from typing import Any, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from xl_dealer.model.config import (
    DEFAULT_CALLBACK_ITEMS,
    DEFAULT_DEPARTMENTS,
    DEFAULT_ENUMS,
    DEFAULT_ITEMS_KEY,
    DEFAULT_MARK_FILLS,
    DEFAULT_SCORE_WORDS,
    DEFAULT_SYNONYMS,
    REPAIR_ITEMS,
    BadSettings,
    Config,
    Level,
    check_as_of,
)
from xl_dealer.model.language import said


def check(data: dict[str, Any]) -> dict[str, Any]:
    """Every setting of a ``Config`` made from ``data`` onto the defaults, checked and converted
    (``BadSettings`` carries pydantic's errors when a value is wrong)."""
    try:
        checked = _model()(**data)
    except ValidationError as e:
        raise BadSettings(e.errors()) from None
    return dict(checked)


def as_json(config: Config) -> dict[str, Any]:
    """The settings as JSON values (dates and times as text, tables as dicts), in declared order."""
    return _model().model_construct(**vars(config)).model_dump(mode="json")


@cache
def _model() -> type[BaseModel]:
    hints = get_type_hints(Config)
    declared: dict[str, Any] = {}
    for f in fields(Config):
        default = {"default_factory": f.default_factory} if f.default_factory is not MISSING else {"default": f.default}
        declared[f.name] = (hints[f.name], Field(**default, **f.metadata))
    return create_model("Config", __config__=ConfigDict(extra="forbid", validate_default=True),
                        __validators__=VALIDATORS, **declared)


def _merge_onto_defaults(cls, data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if "enums" in data and isinstance(data["enums"], dict):
        data["enums"] = {**{k: list(v) for k, v in DEFAULT_ENUMS.items()}, **data["enums"]}
    for key, default in (("score_words", DEFAULT_SCORE_WORDS), ("departments", DEFAULT_DEPARTMENTS),
                         ("callback_items", DEFAULT_CALLBACK_ITEMS)):
        if key in data and isinstance(data[key], dict):
            data[key] = {**default, **data[key]}
    if "synonyms" in data and isinstance(data["synonyms"], dict):
        merged = {k: dict(v) for k, v in DEFAULT_SYNONYMS.items()}
        for k, v in data["synonyms"].items():
            merged.setdefault(k, {}).update(v if isinstance(v, dict) else {})
        data["synonyms"] = merged
    return data


def _as_of_range(cls, v: dt.date | None) -> dt.date | None:
    if v is not None:
        check_as_of(v)
    return v


def _score_range(cls, v: dict[str, float]) -> dict[str, float]:
    bad = [k for k, x in v.items() if not 0 <= x <= 10]
    if bad:
        raise ValueError(said(f"分数只能是 0 到 10，不能是 {'、'.join(bad)}", f"scores are 0 to 10, not {', '.join(bad)}"))
    return v


def _known_items(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
    """Items by key (reception_speed) or as the template heads them (接待速度), kept as keys."""
    from xl_dealer.model.kinds import SERVICE_CALLBACK
    from xl_dealer.model.schema import FieldType

    names: dict[str, str] = {}
    for f in SERVICE_CALLBACK.fields:
        if f.type is FieldType.SCORE or f.key in ("quoted", "explained"):
            names.update({n: f.key for n in (f.key, *f.names)})
    out: dict[str, list[str]] = {}
    for stype, items in v.items():
        unknown = [i for i in items if i not in names]
        if unknown:
            known = ", ".join(dict.fromkeys(names.values()))
            raise ValueError(said(f"[callback_items] {stype}：没有这些回访项目：{'、'.join(unknown)}；可用的有：{known}",
                                  f"[callback_items] {stype}: unknown item(s) {', '.join(unknown)}; items: {known}"))
        out[stype] = list(dict.fromkeys(names[i] for i in items))
    out.setdefault(DEFAULT_ITEMS_KEY, list(REPAIR_ITEMS))
    return out


def _known_rules(cls, v: dict[str, str]) -> dict[str, str]:
    from xl_dealer.model.catalogue import RULES

    unknown = sorted(set(v) - set(RULES))
    if unknown:
        raise ValueError(said(f"没有这些规则编号：{'、'.join(unknown)}（xl-dealer rules 列出全部）",
                              f"unknown rule id(s): {', '.join(unknown)}; known: {', '.join(RULES)}"))
    return v


def _known_fields(cls, v: dict[str, Any]) -> dict[str, Any]:
    from xl_dealer.model.kinds import KINDS

    every = {f.key for k in KINDS.values() for f in k.fields}
    for name, names in v.items():
        if isinstance(names, dict):  # [aliases.KIND]: that kind's fields only
            if name not in KINDS:
                raise ValueError(said(f"[aliases.{name}]：没有这种工作簿；可用的有：{', '.join(KINDS)}",
                                      f"[aliases.{name}]: no such kind; kinds: {', '.join(KINDS)}"))
            own = {f.key for f in KINDS[name].fields}
            unknown = sorted(set(names) - own)
            if unknown:
                raise ValueError(said(f"{name} 没有字段 {'、'.join(unknown)}；它的字段有：{', '.join(sorted(own))}",
                                      f"{name} has no field {', '.join(unknown)}; its fields: {', '.join(sorted(own))}"))
        elif name not in every:  # [aliases] FIELD = [...]: every kind with that field
            raise ValueError(said(f"[aliases] 下没有字段「{name}」（拼写对吗？）；字段有：{', '.join(sorted(every))}",
                                  f"unknown field {name!r} under [aliases]; fields: {', '.join(sorted(every))}"))
    return v


def _rgb(cls, v: dict[str, str]) -> dict[str, str]:
    import re

    bad = [c for c in v.values() if not re.fullmatch(r"#?[0-9A-Fa-f]{6}", c)]
    if bad:
        raise ValueError(said(f"颜色要写成 RRGGBB 十六进制，如 FFC7CE，不能是 {'、'.join(bad)}",
                              f"colours must be RRGGBB hex like FFC7CE, not {', '.join(bad)}"))
    return {**DEFAULT_MARK_FILLS, **{k: c.lstrip("#").upper() for k, c in v.items()}}


def _sheet_name(cls, v: str) -> str:
    if any(ch in v for ch in "[]:*?/\\") or v.startswith("'") or v.endswith("'"):
        raise ValueError(said("工作表名不能含有 [ ] : * ? / \\，也不能以 ' 开头或结尾",
                              "a sheet name cannot contain [ ] : * ? / \\ or start/end with '"))
    return v


def _upper_levels(cls, v: dict[str, Level]) -> dict[str, Level]:
    if not v:
        raise ValueError(said("至少要有一个意向级别", "at least one intent level is needed"))
    return {k.strip().upper(): lv for k, lv in v.items()}

# what the BaseModel's decorated methods were
VALIDATORS = {
    "_merge_onto_defaults": model_validator(mode="before")(_merge_onto_defaults),
    "_as_of_range": field_validator("as_of")(_as_of_range),
    "_score_range": field_validator("score_words")(_score_range),
    "_known_items": field_validator("callback_items")(_known_items),
    "_known_rules": field_validator("severity")(_known_rules),
    "_known_fields": field_validator("aliases")(_known_fields),
    "_rgb": field_validator("mark_fills")(_rgb),
    "_sheet_name": field_validator("results_sheet")(_sheet_name),
    "_upper_levels": field_validator("levels")(_upper_levels),
}
