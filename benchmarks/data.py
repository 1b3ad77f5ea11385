"""Benchmark workbooks from the package's own generator, cached by their parameters.

Writing 500k rows with openpyxl (write-only) takes a minute or two, so each file is
kept in a cache folder under a name made of its parameters and a hash of the
generator's source: a rerun reuses it, a changed generator makes a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

AS_OF = dt.date(2026, 11, 27)
PER_DAY = 100  # visitors a day: 100k rows are about 1,000 days of a busy showroom


def cache_dir() -> Path:
    d = Path(os.environ.get("XL_DEALER_BENCH_CACHE") or Path(tempfile.gettempdir()) / "xl-dealer-bench")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _generator_hash() -> str:
    from xl_dealer import samples

    h = hashlib.sha1()
    for f in sorted(Path(samples.__file__).parent.glob("*.py")):  # any change to a generator makes new data
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def visitor_log(rows: int, seed: int = 7, mistakes: float = 0.05) -> Path:
    """A visitor log (登记表, 18 columns) of about ``rows`` rows with ``mistakes`` planted."""
    path = cache_dir() / f"visitors_{rows}_s{seed}_m{mistakes}_{_generator_hash()}.xlsx"
    if not path.exists():
        # in a child process: Linux hands a parent's peak memory down to the children it forks
        # later, so generating 500k rows here would inflate every measured peak
        with ProcessPoolExecutor(1) as pool:
            pool.submit(_write_log, path, rows, seed, mistakes, False).result()
    return path


def folder(books: int = 200, rows: int = 1_000) -> Path:
    """``books`` workbooks of about ``rows`` visitor rows each, with their test-drive registers."""
    d = cache_dir() / f"folder_{books}x{rows}_{_generator_hash()}"
    done = d / ".complete"
    if not done.exists():
        d.mkdir(parents=True, exist_ok=True)
        jobs = [(d / f"store{i:03d}.xlsx", rows, 100 + i, 0.05, True) for i in range(books)]
        with ProcessPoolExecutor() as pool:
            list(pool.map(_write_log_args, jobs))
        done.touch()
    return d


def _write_log_args(args: tuple[Path, int, int, float, bool]) -> None:
    _write_log(*args)


def _write_log(path: Path, rows: int, seed: int, mistakes: float, with_register: bool) -> None:
    from xl_dealer.samples import generate, write_workbook

    per_day = min(PER_DAY, rows)  # a 10-row log is one day of 10 visitors
    days = max(1, round(rows / per_day))
    reg, td = generate(days=days, per_day=per_day, end=AS_OF, seed=seed, mistakes=mistakes)
    tmp = path.with_suffix(".tmp.xlsx")
    write_workbook(tmp, [reg, td] if with_register else [reg], write_only=True)
    tmp.replace(path)  # a run killed while writing leaves no half file in the cache


def report_set(rows: int, seed: int = 7) -> Path:
    """A store's workbooks for ``report all``: a visitor log of about ``rows`` rows over two months, its follow-up
    cards (about half as many) and ten days of the follow-up log (about as many again), a month
    of after-service calls (about ``rows`` / 2, with the history churn needs), the delivery
    register and customer file the delivery step ties them with."""
    d = cache_dir() / f"reports2m_{rows}_s{seed}_{_generator_hash()}"
    done = d / ".complete"
    if not done.exists():
        d.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(1) as pool:  # a child: see visitor_log
            pool.submit(_write_report_set, d, rows, seed).result()
        done.touch()
    return d


def _write_report_set(d: Path, rows: int, seed: int) -> None:
    from xl_dealer.samples import generate, write_workbook
    from xl_dealer.samples.delivery import generate_delivery
    from xl_dealer.samples.followup import generate_followup
    from xl_dealer.samples.service import generate_after_service, generate_service_history

    # two months whatever the size, as the demo: the reports count a period (a month, the one
    # before) and 4x the rows is 4x the rows in each of them
    reg, td = generate(days=61, per_day=max(1, rows // 61), end=AS_OF, seed=seed)
    cards, log = generate_followup(reg, AS_OF, seed=seed + 4, log_days=10)
    callbacks, cases = generate_after_service(AS_OF, days=30, per_day=max(8, rows // 60), seed=seed + 6)
    history = generate_service_history(AS_OF, customers=max(150, rows // 20), seed=seed + 22)
    deliveries, customer_file = generate_delivery(AS_OF, cards, callbacks, history, seed=seed + 10)
    for name, sheets in (("showroom_log", [reg]), ("test_drives", [td]), ("followups", [cards, log]),
                         ("after_service", [callbacks, history, cases]), ("deliveries", [deliveries]),
                         ("customer_file", [customer_file])):
        tmp = d / f"{name}.tmp.xlsx"
        write_workbook(tmp, sheets, write_only=True)
        tmp.replace(d / f"{name}.xlsx")
