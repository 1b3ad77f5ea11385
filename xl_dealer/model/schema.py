"""Workbook kinds declared as data.

A kind is a list of fields (key, Chinese header, aliases, type, when required).
Reading, rules, templates, the UDFs and the README's rule catalogue all come
from these declarations, so adding a column is one line in ``kinds.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def requirement(self) -> str:
        if self.required:
            return "R"
        if self.required_when is not None:
            return f"R when {self.required_when.text_en or self.required_when.text}"
        return "O"


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    title: str  # Chinese name clerks use for the workbook
    fields: tuple[Field, ...]
    doc: str = ""
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
