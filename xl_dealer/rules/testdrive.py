"""Rules of the test-drive register (试乘试驾登记表): licence and age."""

from __future__ import annotations

from xl_dealer.model.config import Config
from xl_dealer.read.values import age_on, id_birth_date
from xl_dealer.rules.base import Checked, Emitter, show_value


def check_test_drive(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    raw_lic = t.raw.get("license_no")
    lic, ages, dates = c.col("license_no"), c.col("age"), c.col("date")
    has_licence = "license_no" in t.columns  # else column.missing has said it once for the sheet
    for i in range(len(t.rows)):
        if lic[i] is None and has_licence:
            # blank or invalid: a drive that must never happen, beside the cell's own finding
            raw = raw_lic[i] if raw_lic else None
            blank = raw is None or str(raw).strip() == ""
            em.at(t, i, "license_no", "testdrive.license", raw,
                  licence="没有填写驾照号" if blank else f"的驾照号「{show_value(raw)}」无效",
                  licence_en="with no licence number" if blank else f"with an invalid licence number '{show_value(raw)}'")
            continue
        birth = id_birth_date(lic[i]) if lic[i] else None
        day = dates[i] or em.as_of
        id_age = age_on(birth, day) if birth else None
        age = ages[i]
        if id_age is not None and id_age < 18:
            em.at(t, i, "license_no", "testdrive.age", lic[i],
                  problem=f"按驾照号的出生日期，试驾时只有{id_age}岁，未满18岁不得试驾。",
                  problem_en=f"By the licence number's birth date the driver was {id_age}, under 18: may not drive.")
        elif age is not None and age < 18:
            em.at(t, i, "age", "testdrive.age", age,
                  problem=f"年龄{age}岁未满18岁，不得试驾。", problem_en=f"Age {age} is under 18: may not drive.")
        elif age is not None and id_age is not None and abs(age - id_age) > 1:
            em.at(t, i, "age", "testdrive.age", age,
                  problem=f"年龄{age}岁与驾照号的出生日期（{birth.isoformat()}，即{id_age}岁）不符，请核对。",
                  problem_en=f"Age {age} disagrees with the licence number's birth date ({birth.isoformat()}, age {id_age}).")
