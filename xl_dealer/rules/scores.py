"""Satisfaction arithmetic in one place: scales, thresholds, items → departments, rates.

Rules (problem customers) and reports (満意率 per item, department, overall) both use it.
Scores are kept on the 5-point scale: words map through ``score_words``, a
10-point column is halved. Satisfied = ≥ ``score_satisfied_min`` (4);
problem = ≤ ``score_problem_max`` (2). Rate = satisfied answers ÷ answered items;
blank items don't count.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import Result, clean, fold

RATE_FORMULA = "满意率 = 满意及以上的回答数 ÷ 有效回答数（空白不计）"
# the two yes/no questions about the service staff (是否接待时主动报价，维修完毕后是否逐项讲解维修内容):
# 是 is a satisfied answer, 否 an unsatisfied one, for the department they speak for (服务接待)
STAFF_QUESTIONS = ("quoted", "explained")
STAFF_FORMULA = "主动报价、讲解维修项目：是 = 满意回答，否 = 不满意回答，计入服务接待。"


def score_items(kind_key: str = "service_callback") -> list[str]:
    """The score fields of a kind, in declaration order (a new list: the caller's to change)."""
    return list(_score_items(kind_key))


@functools.cache
def _score_items(kind_key: str) -> tuple[str, ...]:
    # the kinds are declared once: asked per call row by the reports (answer_items, problem_items),
    # the import and the walk over the fields were a quarter of 日报's time
    from xl_dealer.model.kinds import KINDS
    from xl_dealer.model.schema import FieldType

    return tuple(f.key for f in KINDS[kind_key].fields if f.type is FieldType.SCORE)


def answer_items(kind_key: str = "service_callback") -> list[str]:
    """Every answer of a call that counts toward satisfaction: the score items, then the staff questions."""
    return [*score_items(kind_key), *STAFF_QUESTIONS]


def _value(v: Any) -> float | None:
    """An answer as a 5-point score: a yes/no staff answer is 5 (是) or 1 (否); bool is an int in Python,
    so it is told apart here before any comparison."""
    if isinstance(v, bool):
        return 5.0 if v else 1.0
    return v


def is_ten_point(column: Iterable[Any], config: Config) -> bool:
    """Is this column on the 10-point scale? Fixed by config, else any number above 5."""
    if config.score_scale != "auto":
        return config.score_scale == "10"
    try:  # each distinct cell once: a 50k-row column of 满意 tried float() on every cell (0.9 s a log)
        distinct: Iterable[Any] = set(column)
    except TypeError:  # an unhashable cell (none comes from a reader): every cell
        distinct = column
    for raw in distinct:
        v = clean(raw)
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                continue
        if isinstance(v, int | float) and not isinstance(v, bool) and 5 < v <= 10:
            return True
    return False


def score_normaliser(config: Config, ten_point: bool = False) -> Callable[[Any], Result]:
    words = {fold(k): float(v) for k, v in config.score_words.items()}
    top = 10 if ten_point else 5

    def to_score(raw: Any) -> Result:
        v = clean(raw)
        if v is None:
            return None, None
        if isinstance(v, str):
            if v in words:
                return words[v], None
            s = v.rstrip("分").strip()
            try:
                v = float(s)
            except ValueError:
                return None, "enum"
        if isinstance(v, bool) or not isinstance(v, int | float):
            return None, "enum"
        if not 0 <= v <= top:
            return None, "format.number"
        return (v / 2 if ten_point else float(v)), None

    return to_score


def is_satisfied(score: float | bool | None, config: Config) -> bool:
    v = _value(score)
    return v is not None and v >= config.score_satisfied_min


def is_problem(score: float | bool | None, config: Config) -> bool:
    v = _value(score)
    return v is not None and v <= config.score_problem_max


def department_of(item: str, config: Config) -> str | None:
    """The department an item speaks for; None for one that speaks for none (总体评价)."""
    return config.departments.get(item)


@dataclass(frozen=True, slots=True)
class Rate:
    answered: int
    satisfied: int

    @property
    def rate(self) -> float | None:
        """None when nothing was answered: a report shows "—", never divides by zero."""
        return self.satisfied / self.answered if self.answered else None

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.answered + other.answered, self.satisfied + other.satisfied)


def rate_of(scores: Iterable[float | None], config: Config) -> Rate:
    answered = satisfied = 0
    for s, n in _tally(scores):
        if s is None:
            continue
        answered += n
        satisfied += n * (_value(s) >= config.score_satisfied_min)
    return Rate(answered, satisfied)


def problem_count(scores: Iterable[float | bool | None], config: Config) -> int:
    """How many of these answers are problem answers (:func:`is_problem`)."""
    return sum(n for s, n in _tally(scores) if is_problem(s, config))


def _tally(scores: Iterable[Any]) -> list[tuple[Any, int]]:
    """Each distinct answer and how often it was given (an item's answers are a handful of scores;
    by type too: True, a 是, is not the score 1)."""
    values = list(scores)
    return [(s, n) for (_, s), n in Counter(zip(map(type, values), values, strict=True)).items()]


def problem_customers(values: Mapping[str, list[Any]], config: Config) -> dict[int, str]:
    """Rows of a callback sheet whose customer is a problem customer (SPEC §2.4), with the reason.

    A problem customer gave any problem answer (≤ ``score_problem_max`` on the 5-point scale)
    or said yes to 是否投诉. The reason is the first problem item's key in declaration order,
    else ``"complaint"``. Column-wise: ``values[key]`` holds the normalised (5-point) scores.
    """
    out: dict[int, str] = {}
    limit = config.score_problem_max
    for item in score_items():
        col = values.get(item)
        if col is None:
            continue
        for i, s in enumerate(col):
            if s is not None and s <= limit and i not in out:
                out[i] = item
    for i, yes in enumerate(values.get("complaint") or ()):
        if yes is True and i not in out:
            out[i] = "complaint"
    return out


def item_header(item: str, kind_key: str = "service_callback") -> str:
    from xl_dealer.model.kinds import KINDS

    return KINDS[kind_key].field(item).header


def item_rates(rows: Iterable[dict[str, Any]], config: Config, items: list[str] | None = None) -> dict[str, Rate]:
    """满意率 per answer item over rows of normalised answers (``{item: float | bool | None}``)."""
    items = items if items is not None else answer_items()
    rows = list(rows)
    return {it: rate_of((r.get(it) for r in rows), config) for it in items}


def department_rates(by_item: dict[str, Rate], config: Config) -> dict[str, Rate]:
    """Item rates pooled by the department each item speaks for (config ``departments``), in item order;
    an item mapped to none (总体评价) is left out here and counted in :func:`overall_rate`."""
    out: dict[str, Rate] = {}
    for it, r in by_item.items():
        d = department_of(it, config)
        if d is not None:  # 总体评价 is no department: it counts in the overall rate only
            out[d] = out.get(d, Rate(0, 0)) + r
    return out


def overall_rate(by_item: dict[str, Rate]) -> Rate:
    """Every answered item of every call pooled: the overall 满意率."""
    total = Rate(0, 0)
    for r in by_item.values():
        total = total + r
    return total


def score_text(raw: Any, score: float | None) -> str:
    """A score as the customer gave it, for a report line: "不满意", "2分", "3/10分".

    ``score`` is the normalised (5-point) value of ``raw``; a number that was halved
    came from a 10-point column, so it is shown with its scale rather than as a
    5-point value the customer never said.
    """
    if isinstance(score, bool):  # a staff question: as asked
        return "是" if score else "否"
    v = clean(raw)
    if isinstance(v, str):
        number = v.rstrip("分").strip()
        try:
            v = float(number)
        except ValueError:
            return v  # a word: as said
    if isinstance(v, int | float) and not isinstance(v, bool):
        if score is not None and v != score:
            return f"{v:g}/10分"
        return f"{v:g}分"
    return f"{score:g}分" if score is not None else ""


def problem_items(row: dict[str, Any], config: Config, items: list[str] | None = None) -> list[str]:
    """The answers of one call at or below the problem threshold, 否 to a staff question included
    (the problem lists show them; a quick-handling row is asked only of the score problems and
    complaints: :func:`problem_customers`)."""
    return [it for it in (items if items is not None else answer_items()) if is_problem(row.get(it), config)]
