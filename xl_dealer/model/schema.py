"""Workbook kinds declared as data.

A kind is a list of fields (key, Chinese header, aliases, type, when required).
A field several kinds share is declared once in ``vocabulary.py`` and taken into
each kind with :meth:`Field.but` (a kind adds only what is its own). Reading, rules,
templates, the UDFs and the README's rule catalogue all come from these
declarations, so adding a column is one line in ``kinds.py`` and adding an alias
to a shared field is one line in ``vocabulary.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    DATE = "date"
    TIME = "time"
    PHONE = "phone"
    ENUM = "enum"
    BOOL = "bool"
    INT = "int"
    NUMBER = "number"
    ID = "id"
    PLATE = "plate"
    SCORE = "score"
    SIGN = "sign"  # a signature cell: yes/no or a name
    VIN = "vin"  # a vehicle identification number (车架号), ISO 3779 / GB 16735
    MOMENT = "moment"  # a time of day, or a date and a time (感谢电话时间)


@dataclass(frozen=True, slots=True)
class Condition:
    """When a conditional field is required: ``field`` normalised value is in ``values``.

    ``values`` of ``None`` means "when ``field`` is filled"; ``negate`` flips it
    (required *unless* the condition holds).
    """

    field: str
    values: frozenset[object] | None = None
    negate: bool = False
    text: str = ""  # the condition in words for clerks (Chinese), in messages and templates
    text_en: str = ""  # the same in English, for --lang en and the docs
    also: Condition | None = None  # both must hold (喷漆质量: reached AND 钣喷)
    # and the row's 维修类型 asks this score item (config ``callback_items``: a 新车交付 call has its own questions)
    asked: bool = False
    # a setting of the store's config (a bool) that switches this requirement off (客户意见: callback_comment_required)
    setting: str | None = None

    def holds(self, value: object, also_value: object = None) -> bool:
        hit = value is not None if self.values is None else value in self.values
        if hit == self.negate:
            return False
        return self.also is None or self.also.holds(also_value)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    type: FieldType = FieldType.TEXT
    required: bool = False
    required_when: Condition | None = None
    enum: str | None = None  # name of the config list for ENUM fields
    min: float | None = None
    max: float | None = None
    past: bool = False  # a date that records the past: date.future applies
    doc: str = ""
    shared: str | None = None  # the vocabulary entry this field was taken from (vocabulary.py)
    # a person's own words (备注, 客户意见, 问题描述): kept as typed, only trimmed, since reports show
    # them; whoever matches words in them folds them first (values.fold)
    as_typed: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    def but(self, header: str | None = None, more: tuple[str, ...] = (), without: tuple[str, ...] = (),
            **changes: object) -> Field:
        """This shared field as one kind uses it: its own header (the shared one stays an
        alias), its own extra aliases, and any other attribute changed (required, past…).
        The shared names come along, so an alias added to the vocabulary works on every kind
        at once; ``without`` drops one that means another field of this kind (接待顾问 on a
        delivery is the sales consultant, not the after-sales advisor)."""
        head = header or self.header
        names = tuple(a for a in (self.header, *self.aliases, *more) if a != head and a not in without)
        return replace(self, header=head, aliases=tuple(dict.fromkeys(names)),
                       shared=self.shared or self.key, **changes)  # type: ignore[arg-type]

    @property
    def requirement(self) -> str:
        if self.required and self.required_when is not None:  # the column always, a cell when …
            return f"R (a cell when {self.required_when.text_en or self.required_when.text})"
        if self.required:
            return "R"
        if self.required_when is not None:
            return f"R when {self.required_when.text_en or self.required_when.text}"
        return "O"


@dataclass(frozen=True, slots=True)
class Span:
    """One header that holds a range: 在店时段 "9:30-10:15" fills ``start`` and ``end``."""

    names: tuple[str, ...]
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class SheetDefault:
    """A value a kind's forms leave out because the form itself says it: a 来店顾客登记表
    has no 来店/来电 column, every row is a walk-in.

    Used only when the sheet has no column for ``field``, its title, name or headers say
    one of ``words`` and none of ``against`` (a 来店(来电) form without the column stays
    ``column.missing``: it could be either)."""

    field: str
    value: str
    words: tuple[str, ...]
    against: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    title: str  # Chinese name clerks use for the workbook
    fields: tuple[Field, ...]
    doc: str = ""
    spans: tuple[Span, ...] = ()  # range headers (在店时段 → arrive_time and leave_time)
    # (date field, time field): one column of dates with times (回访时间 2026-11-20 10:30) fills both
    moments: tuple[tuple[str, str], ...] = ()
    sheet_date: str | None = None  # the field a day-per-sheet form's title or sheet name gives (日期：…)
    defaults: tuple[SheetDefault, ...] = ()
    # field -> the kind's rule that reports its blank cell instead of `required` (服务顾问 blank on a
    # delivery is delivery.service_intro: one finding that says what is wrong, not two)
    blank_told_by: tuple[tuple[str, str], ...] = ()
    _by_key: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({f.key: f for f in self.fields})

    def field(self, key: str) -> Field:
        return self._by_key[key]

    def has(self, key: str) -> bool:
        return key in self._by_key

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)
