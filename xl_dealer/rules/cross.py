"""Rules that span workbooks: they apply whenever both sides are in the same run.

No cascades: a rule across workbooks runs only where both sides have the columns it
compares. A sheet that lacks them gets one ``cross.skipped`` finding saying which rule did
not run and why (``ready``), never a finding on each of the other side's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.values import phone_key
from xl_dealer.rules.base import Checked, Emitter, display_header

register("cross.skipped",
         "本表没有「{missing}」列，所以没有检查{what}：请在表头行加上这一列后再检查。",
         "The sheet has no '{missing}' column, so {what_en} was not checked: add the column.")

Need = str | tuple[str, ...]  # a field, or any one of several (维修单号 or 联系电话)


def lacks(c: Checked, needs: Iterable[Need]) -> list[Need]:
    """The needs the sheet does not meet: no column (nor a value from outside the table) for them."""
    return [n for n in needs if not any(c.table.has(k) for k in ((n,) if isinstance(n, str) else n))]


def ready(em: Emitter, rule: str, sheets: Iterable[Checked], needs: tuple[Need, ...], what: str,
          what_en: str) -> bool:
    """Whether every sheet has the columns ``rule`` compares; on each that lacks them, one
    ``cross.skipped`` finding (so a side that cannot be matched never floods the other)."""
    ok = True
    for c in sheets:
        missing = lacks(c, needs)
        if not missing:
            continue
        ok = False
        kind = c.table.kind
        first = (missing[0],) if isinstance(missing[0], str) else missing[0]
        names = display_header("」或「".join(kind.field(k).header for k in first if kind.has(k)))
        _, rules = em.skipped.setdefault((id(c.table), names), (c.table, []))
        if all(r != rule for r, _, _ in rules):
            rules.append((rule, what, what_en))
    return ok


def tell_skipped(em: Emitter) -> None:
    """One ``cross.skipped`` finding per sheet and missing column, naming every rule it kept from
    running (after all run rules, so a sheet lacking its phone column hears it once)."""
    for (_, names), (t, rules) in em.skipped.items():
        what = "、".join(f"{w}（{r}）" for r, w, _ in rules)
        what_en = "; ".join(f"{w} ({r})" for r, _, w in rules)
        em.sheet(t, None, "cross.skipped", missing=names, what=what, what_en=what_en,
                 skipped=", ".join(r for r, _, _ in rules))
    em.skipped.clear()


def usable(em: Emitter, rule: str, sheets: Iterable[Checked], needs: tuple[Need, ...], what: str,
           what_en: str) -> list[Checked]:
    """The sheets that have the columns ``rule`` compares (the others told, once each)."""
    sheets = list(sheets)
    return [c for c in sheets if ready(em, rule, [c], needs, what, what_en)]


def check_test_drive_missing(checked: list[Checked], config: Config, em: Emitter) -> None:
    """是否试驾 = yes on the visitor log, but no drive that day for that phone (or name)."""
    registers = [c for c in checked if c.kind == "test_drive"]
    visits = [c for c in checked if c.kind == "registration" and c.has("test_drive")]
    if not registers or not visits:
        return
    what, what_en = "登记为已试驾的客户是否都在试驾登记表中", "whether every visitor marked as test-driven is in the register"
    needs = ("date", ("phone", "customer"))
    if not ready(em, "testdrive.missing", registers, needs, what, what_en):
        return
    drives: set[tuple] = set()
    for c in registers:
        for d, p, name in zip(c.col("date"), c.col("phone"), c.col("customer"), strict=True):
            if d is None:
                continue
            if p:
                drives.add((d, "p", phone_key(p)))
            if name:
                drives.add((d, "n", name))
    for c in usable(em, "testdrive.missing", visits, needs, what, what_en):
        for i, (yes, d, p, name) in enumerate(zip(c.col("test_drive"), c.col("date"), c.col("phone"),
                                                 c.col("customer"), strict=True)):
            if yes is not True or d is None:
                continue
            if (p and (d, "p", phone_key(p)) in drives) or (name and (d, "n", name) in drives):
                continue
            em.at(c.table, i, "test_drive", "testdrive.missing", yes, when=f"（{d.isoformat()}）")


def check_card_missing(checked: list[Checked], config: Config, em: Emitter) -> None:
    """A visitor who left a phone has no follow-up card with that phone (when cards are in the run).

    Rows whose customer declined to leave a phone have no phone to match and are exempt.
    """
    cards = [c for c in checked if c.kind == "followup_card"]
    visits = [c for c in checked if c.kind == "registration"]
    if not cards or not visits:
        return
    what, what_en = "留了电话的来店客户是否都已建跟进卡", "whether every visitor who left a phone has a follow-up card"
    if not ready(em, "card.missing", cards, ("phone",), what, what_en):
        return
    phones = {phone_key(p) for c in cards for p in c.col("phone") if p}
    for c in usable(em, "card.missing", visits, ("phone",), what, what_en):
        for i, p in enumerate(c.col("phone")):
            if p is not None and phone_key(p) not in phones:  # a phone in the cell was left
                em.at(c.table, i, "phone", "card.missing", p)


@dataclass(frozen=True, slots=True)
class Across:
    """A rule across workbooks as data: found on the rows of ``on`` against any sheet of
    ``partners``; a run without a partner cannot check it (``not_run``)."""

    rule: str
    on: str
    partners: tuple[str, ...]
    column: str | None = None  # only a sheet with this column takes part (是否试驾)


ACROSS = (
    Across("card.missing", "registration", ("followup_card",)),
    Across("testdrive.missing", "registration", ("test_drive",), column="test_drive"),
    Across("complaint.unhandled", "service_callback", ("complaint",)),
    Across("delivery.new_car_call", "delivery", ("service_callback",)),
    Across("card.not_closed", "followup_card", ("delivery",)),
    Across("customer.mismatch", "customer_file", ("delivery", "service_callback")),
    Across("customer.unknown", "service_callback", ("customer_file",)),
)


def not_run(checked: Iterable[Checked]) -> list[Across]:
    """The rules across workbooks this run could not check: a sheet is there for them to look at,
    but no sheet of the other side is (a workbook checked alone: nothing says its visitors have
    cards). Not a finding: the sheet is not wrong, the run was partial."""
    return not_run_among((c.kind, c.has) for c in checked)


def not_run_among(sheets: Iterable[tuple[str, Callable[[str], bool]]]) -> list[Across]:
    """``not_run`` of sheets given as (kind key, does it give this field): the tables of an open
    book have no Checked."""
    kinds: dict[str, list[Callable[[str], bool]]] = {}
    for kind, has in sheets:
        kinds.setdefault(kind, []).append(has)
    return [a for a in ACROSS
            if any(a.column is None or has(a.column) for has in kinds.get(a.on, ()))
            and not any(p in kinds for p in a.partners)]
