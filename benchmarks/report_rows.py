"""Each report's own CPU time on sets of workbooks each four times the rows of the one before:
``ratio NAME PAIR X`` lines, one per report and pair of consecutive sets (X near 4 is linear).
The workbooks are read and checked once per set, outside the timing: this is the reports' own
work.

All sets stay in memory and each report is timed on them in turn, several times over: a
pair's ratio is the median of those rounds'. Timing every small build first and every large
one after measured the machine's drift as much as the reports (one report's ratio went from
2.9 to 7.5 between two runs of the same code)."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROUNDS = 7


def _cpu(build: Callable[[], object]) -> float:
    t = time.process_time()
    build()
    return time.process_time() - t


def main(folders: list[str]) -> None:
    from benchmarks.data import AS_OF
    from xl_dealer.model.config import load_config
    from xl_dealer.reports import build_report, names
    from xl_dealer.validate import validate

    config = load_config()
    sets = [validate([Path(f)], as_of=AS_OF, config=config, jobs=1).checked for f in folders]
    for name in names("all"):
        builds = [lambda c=c, n=name: build_report(n, c, as_of=AS_OF, config=config) for c in sets]
        for b in builds:  # once each untimed: the first build imports its modules, makes the phone keys
            b()
        rounds = [[_cpu(b) for b in builds] for _ in range(ROUNDS)]
        cost = [statistics.median(r[i] for r in rounds) for i in range(len(sets))]
        print(f"report {name:<10} " + " ".join(f"{c * 1000:8.1f} ms" for c in cost))
        for i in range(1, len(sets)):
            # a report that costs next to nothing is linear whatever its ratio says
            ratio = statistics.median(r[i] / r[i - 1] for r in rounds) if cost[i - 1] > 0.005 else 1.0
            print(f"ratio {name} {i} {ratio:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
