"""Rules of the customer file (客户信息卡 / 客户档案), and the ones that hold it against the
delivery register and the after-service log.

The seed asks the information clerk to keep every customer's repair history on the card and
to check that the card agrees with the vehicle sold and the long-term repair records
(客户信息卡是否与当时销售车辆、长期维修信息相吻合).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.values import phone_key
from xl_dealer.rules.base import Checked, Emitter, show_value
from xl_dealer.rules.cross import lacks, ready, usable
from xl_dealer.rules.delivery import duplicate_vins, where
from xl_dealer.rules.shared import shared

register("customer.mismatch", "{problem}", "{problem_en}")
register("customer.unknown",
         "售后回访记录中的车「{car}」不在客户信息卡中：请为这辆车建客户信息卡，并记上这次维修。",
         "The car '{car}' in the after-service log is not in the customer file: add it, with this repair.")

_TITLES = ("先生", "女士", "小姐", "总", "老师", "师傅", "经理", "太太")


def check_customer_file(c: Checked, config: Config, em: Emitter) -> None:
    duplicate_vins(c, em)


def same_person(a: str, b: str) -> bool:
    """Two ways of writing one owner: equal, or 王先生 beside 王伟 (a surname and a title)."""
    a, b = "".join(a.split()), "".join(b.split())
    if a == b:
        return True
    ta = next((t for t in _TITLES if a.endswith(t) and len(a) > len(t)), None)
    tb = next((t for t in _TITLES if b.endswith(t) and len(b) > len(t)), None)
    if ta or tb:
        return a[:1] == b[:1]
    return False


@dataclass(frozen=True, slots=True)
class _Record:
    day: dt.date
    customer: str | None
    phone: str | None
    source: Checked
    row: int


_SOURCE = {"delivery": ("交车登记表", "the delivery register"), "service_callback": ("售后回访记录", "the after-service log")}


@shared  # customer.mismatch and 客户流失
def _latest_records(sources: list[Checked]) -> dict[tuple[str, str], _Record]:
    """("v", VIN) / ("p", plate) → the latest record of that car in the deliveries and callbacks."""
    out: dict[tuple[str, str], _Record] = {}
    for c in sources:
        when = c.col("delivered") if c.kind == "delivery" else [
            called or delivered for called, delivered in zip(c.col("called"), c.col("delivered"), strict=True)]
        cols = zip(when, c.col("vin"), c.col("plate"), c.col("customer"), c.col("phone"), strict=True)
        for i, (d, vin, plate, name, phone) in enumerate(cols):
            if d is None or (name is None and phone is None):
                continue
            rec = _Record(d, name, phone, c, i)
            for key in (("v", vin), ("p", plate)):
                if key[1] and (key not in out or d >= out[key].day):
                    out[key] = rec
    return out


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A customer-file row whose car has another owner or phone in its latest record elsewhere."""

    file: Checked
    row: int
    car: str  # the VIN or plate the two records share
    customer: str | None  # the file's
    phone: str | None
    record: _Record  # the latest delivery or callback of that car
    by_phone: bool  # the phones differ (else the names do)


_NEEDS = (("vin", "plate"), ("customer", "phone"))


def mismatches(files: list[Checked], sources: list[Checked]) -> list[Mismatch]:
    """Every ``customer.mismatch`` of these sheets: the rule reports them, the churn list shows them
    beside the car (one definition). The same phone is the same customer (王先生 and 王伟); a name is
    compared only when the phones cannot be."""
    return _mismatches([*files, *sources], len(files))


@shared  # the rule and 客户流失 (on the same sheets)
def _mismatches(tables: list[Checked], n_files: int) -> list[Mismatch]:
    files, sources = tables[:n_files], tables[n_files:]
    latest = _latest_records(sources)
    out = []
    for c in files:
        cols = zip(c.col("vin"), c.col("plate"), c.col("customer"), c.col("phone"), strict=True)
        for i, (vin, plate, name, phone) in enumerate(cols):
            rec = (latest.get(("v", vin)) if vin else None) or (latest.get(("p", plate)) if plate else None)
            if rec is None:
                continue
            phones_differ = phone is not None and rec.phone is not None and phone_key(phone) != phone_key(rec.phone)
            phones_same = phone is not None and rec.phone is not None and not phones_differ
            names_differ = (not phones_same and name is not None and rec.customer is not None
                            and not same_person(name, rec.customer))
            if not (phones_differ or names_differ):
                continue
            car = vin if vin and ("v", vin) in latest else plate
            out.append(Mismatch(c, i, car, name, phone, rec, phones_differ))
    return out


def mismatches_in(checked: list[Checked]) -> list[Mismatch]:
    """The mismatches of a run, on the sheets that have the columns to compare (for the reports)."""
    files = [c for c in checked if c.kind == "customer_file" and not lacks(c, _NEEDS)]
    sources = [c for c in checked if c.kind in ("delivery", "service_callback") and not lacks(c, _NEEDS)]
    return mismatches(files, sources) if files and sources else []


def check_customer_mismatch(checked: list[Checked], config: Config, em: Emitter) -> None:
    """The same car (VIN, else plate) with another owner or phone in the customer file than in
    its latest record in the delivery register or the after-service log: the card is to update.

    The latest record only: a car sold on, whose later callbacks agree with the file, is quiet
    even though its delivery named the first owner."""
    files = [c for c in checked if c.kind == "customer_file"]
    sources = [c for c in checked if c.kind in ("delivery", "service_callback")]
    if not files or not sources:
        return
    what, what_en = "客户信息卡的车主、电话是否与交车登记和回访记录一致", "whether the customer file agrees with the deliveries and callbacks"
    if not ready(em, "customer.mismatch", sources, _NEEDS, what, what_en):
        return
    for m in mismatches(usable(em, "customer.mismatch", files, _NEEDS, what, what_en), sources):
        rec = m.record
        ours = " ".join(show_value(x) for x in (m.customer, m.phone) if x)
        theirs = " ".join(show_value(x) for x in (rec.customer, rec.phone) if x)
        zh, en = _SOURCE[rec.source.kind]
        em.at(m.file.table, m.row, "phone" if m.by_phone else "customer", "customer.mismatch",
              m.phone if m.by_phone else m.customer,
              problem=f"客户信息卡上「{m.car}」的车主是「{ours}」，但{zh}（{where(rec.source, rec.row)}，"
                      f"{rec.day.isoformat()}）是「{theirs}」：请核实后更新客户信息卡。",
              problem_en=f"The customer file has '{ours}' for '{m.car}', but {en} ({where(rec.source, rec.row)}, "
                         f"{rec.day.isoformat()}) has '{theirs}': check and update the file.")


def check_customer_unknown(checked: list[Checked], config: Config, em: Emitter) -> None:
    """A car in the after-service log (by VIN or plate) that the customer file does not have;
    once per car, on its first row. Only when a customer file is in the run."""
    files = [c for c in checked if c.kind == "customer_file"]
    calls = [c for c in checked if c.kind == "service_callback"]
    if not files or not calls:
        return
    what, what_en = "回访记录中的车是否都在客户信息卡中", "whether every serviced car is in the customer file"
    needs = (("vin", "plate"),)
    if not ready(em, "customer.unknown", files, needs, what, what_en):
        return
    vins = {v for c in files for v in c.col("vin") if v}
    plates = {p for c in files for p in c.col("plate") if p}
    told: set[str] = set()
    for c in usable(em, "customer.unknown", calls, needs, what, what_en):
        t = c.table
        for i, (vin, plate) in enumerate(zip(c.col("vin"), c.col("plate"), strict=True)):
            if (vin and vin in vins) or (plate and plate in plates) or not (vin or plate):
                continue
            car = vin or plate
            if car in told or (vin and plate and plate in told):
                continue
            told.update(x for x in (vin, plate) if x)
            em.at(t, i, "plate" if plate else "vin", "customer.unknown", car, car=car)
