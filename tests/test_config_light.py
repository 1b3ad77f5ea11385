"""``Config()`` without pydantic: the declared defaults are what pydantic's check makes of
them, and a run with nothing set never imports it (0.15 s of every start)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REG_HEADER, reg_row, write_xlsx
from xl_dealer.model.config import BadSettings, Config, Level, Limits, Targets, load_config, to_toml
from xl_dealer.model.config_check import check


def test_the_declared_defaults_are_the_checked_ones():
    """Same values, same types (5.0, not 5; tuples of times), same order: a default that drifts
    from what its validator makes of it shows here, not in a store's report."""
    light, checked = vars(Config()), check({})
    assert list(light) == list(checked)
    for key, value in checked.items():
        assert repr(light[key]) == repr(value), key


def test_a_language_alone_needs_no_check_and_a_wrong_one_is_refused():
    assert Config(lang="en").lang == "en"
    with pytest.raises(BadSettings) as e:
        Config(lang="fr")
    assert [err["loc"] for err in e.value.errors] == [("lang",)]


def test_given_settings_are_checked_and_converted():
    c = Config(levels={"h": {"meaning": "热", "cadence_days": "2"}}, limits={"split_mb": 0},
               targets={"orders": 10, "per_consultant": {"王强": {"orders": 4}}},
               campaigns=[{"start": "2026-12-01", "end": "2026-12-07"}], score_words={"超赞": 5})
    assert c.levels == {"H": Level(meaning="热", cadence_days=2)}  # keys upper-cased by the validator
    assert c.limits == Limits(split_mb=0) and isinstance(c.targets, Targets)
    assert c.targets.of("王强").orders == 4 and c.targets.of("李娜").orders == 10
    assert c.campaigns[0].start == dt.date(2026, 12, 1)
    assert c.score_words["超赞"] == 5.0 and c.score_words["非常满意"] == 5.0  # merged onto the defaults
    with pytest.raises(BadSettings):
        Config(limits=Limits(split_mb=-1))  # a table given as the dataclass is checked too


def test_but_changes_a_copy():
    base = Config()
    en = base.but(lang="en")
    assert (base.lang, en.lang) == ("zh", "en") and en.limits is base.limits


def test_the_printed_settings_load_back(tmp_path: Path):
    c = Config(followup_daily_target=8, campaigns=[{"name": "冬检", "start": "2026-12-01", "end": "2026-12-07"}])
    (tmp_path / "dealer.toml").write_text(to_toml(c), encoding="utf-8")
    again = load_config(tmp_path / "dealer.toml")
    assert dataclasses.asdict(again) == dataclasses.asdict(c)


def test_a_plain_run_never_imports_pydantic(tmp_path: Path):
    book = tmp_path / "登记.xlsx"
    write_xlsx(book, {"登记": [REG_HEADER, reg_row()]})
    code = ("import sys; from xl_dealer.cli import run\n"
            f"rc = run(['validate', {str(book)!r}, '--format', 'json', '--lang', 'en'])\n"
            "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
            "sys.exit(0 if rc in (0, 1) else rc)")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("XL_DEALER_")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    # and a dealer.toml is checked by it, as before
    (tmp_path / "dealer.toml").write_text("followup_daily_target = -1\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", str(book)], capture_output=True,
                       text=True, cwd=tmp_path, env=env)
    assert r.returncode == 2 and "followup_daily_target：不能小于 0" in r.stderr
