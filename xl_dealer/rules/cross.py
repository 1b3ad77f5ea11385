"""Rules that span workbooks: they apply whenever both sides are in the same run."""

from __future__ import annotations

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.rules.base import Checked, Emitter


def check_test_drive_missing(checked: list[Checked], config: Config, em: Emitter) -> None:
    """是否试驾 = yes on the visitor log, but no drive that day for that phone (or name)."""
    registers = [c for c in checked if c.kind == "test_drive"]
    if not registers:
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
    for c in checked:
        if c.kind != "registration" or not c.has("test_drive"):
            continue
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
    if not cards:
        return
    phones = {phone_key(p) for c in cards for p in c.col("phone") if p}
    for c in checked:
        if c.kind != "registration":
            continue
        for i, p in enumerate(c.col("phone")):
            if p is not None and phone_key(p) not in phones:  # a phone in the cell was left
                em.at(c.table, i, "phone", "card.missing", p)
