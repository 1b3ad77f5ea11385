"""``validate --jobs``: worker processes give the same result as one process, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from xl_dealer.read import parallel
from xl_dealer.read.parallel import default_jobs, free_jobs, run_ordered
from xl_dealer.samples import generate, write_workbook
from xl_dealer.samples.followup import generate_followup
from xl_dealer.validate import validate

END = dt.date(2026, 11, 27)


def _folder(tmp_path):
    """Stores' visitor logs, one store's cards and drives apart: the rules across workbooks
    (card.missing, testdrive.missing, followup.quota) need tables from different workers."""
    d = tmp_path / "books"
    for i in range(5):
        reg, td = generate(days=6, per_day=12, end=END, seed=20 + i)
        write_workbook(d / f"store{i}" / "登记.xlsx", [reg])
        write_workbook(d / f"store{i}" / "试驾.xlsx", [td])
        if i == 0:
            write_workbook(d / "store0" / "跟进.xlsx", list(generate_followup(reg, END)))
    (d / "store1" / "坏文件.xlsx").write_bytes(b"not a zip")  # an unreadable file keeps its place
    return d


def _cli(*args):
    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", *map(str, args)],
                       capture_output=True, timeout=300)
    return p.returncode, p.stdout


def test_jobs_2_and_jobs_1_print_the_same_json(tmp_path):
    d = _folder(tmp_path)
    code1, out1 = _cli(d, "--format", "json", "--as-of", END.isoformat(), "--jobs", "1")
    code2, out2 = _cli(d, "--format", "json", "--as-of", END.isoformat(), "--jobs", "2")
    assert out1 == out2 and code1 == code2 == 2
    data = json.loads(out1)
    rules = {f["rule"] for f in data["findings"]}
    assert {"card.missing", "testdrive.missing", "followup.quota"} <= rules
    assert [f["path"] for f in data["files"]] == sorted(f["path"] for f in data["files"])


def test_the_api_takes_jobs_and_keeps_the_one_kind_declaration(tmp_path):
    d = _folder(tmp_path)
    one, two = validate([d], as_of=END, jobs=1), validate([d], as_of=END, jobs=2)
    assert one.to_json() == two.to_json()
    from xl_dealer.model.kinds import KINDS

    assert all(c.table.kind is KINDS[c.table.kind.key] for c in two.checked)


def test_run_ordered_keeps_the_order_and_bad_jobs_are_refused(tmp_path):
    assert list(run_ordered(abs, [-3, 1, -2, 5, -4], 2)) == [3, 1, 2, 5, 4]
    assert default_jobs() >= 1
    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "validate", str(tmp_path), "--jobs", "0"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--jobs" in p.stderr


def _dies_on_b(path):
    import faulthandler
    import os

    if path == "b":
        faulthandler.disable()  # pytest's dump of the dying worker is noise in the test log
        os.abort()  # what python-calamine does when it cannot allocate a grid
    return path.upper()


def test_a_worker_that_dies_costs_only_its_file():
    """A reader aborting its process took the whole --jobs run down (BrokenProcessPool, no JSON):
    the other files are read again on their own and the one that kills its process again is
    ``crashed``."""
    out = list(run_ordered(_dies_on_b, ["a", "b", "c", "d"], 2, crashed=lambda p: f"crashed {p}"))
    assert out == ["A", "crashed b", "C", "D"]


@pytest.mark.parametrize("busy, idle, own, free", [
    (20, 10, 10, 2),  # we worked through the window, the other core was idle: both are ours
    (20, 0, 10, 1),   # we worked, another program took the other core
    (20, 10, 0, 1),   # we waited, another program took a core
    (20, 10, 7, 2),   # something else took a third of a core: a core two thirds free counts
    (20, 9, 6, 1),    # … half of one: it does not
    (20, 0, 0, 1),    # both cores taken by others: one job still
])
def test_idle_cores_leave_out_our_own_work(monkeypatch, busy, idle, own, free):
    """Ticks of a 2-core machine over the window: all, idle, and this process's own."""
    stats = iter([(1000, 500, 2), (1000 + busy, 500 + idle, 2)])
    ours = iter([300.0, 300.0 + own])
    monkeypatch.setattr(parallel, "_cpu_times", lambda: next(stats))
    monkeypatch.setattr(parallel, "_own_ticks", lambda: next(ours))
    assert parallel.Idle(2).count() == free


def test_the_window_is_spent_on_the_work_given_not_on_top_of_it(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(parallel.time, "sleep", slept.append)
    done = []
    free_jobs(2, window=0.05, meanwhile=lambda: done.append(1))
    assert done == [1] and len(slept) == 1 and slept[0] < 0.05
    assert free_jobs(1, meanwhile=lambda: done.append(2)) == 1 and done == [1]  # one CPU: nothing to measure
