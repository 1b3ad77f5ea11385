"""Each report's own CPU time on two sets of workbooks, the second four times the rows of the
first: ``ratio NAME X`` lines (X near 4 is linear). The workbooks are read and checked once
per set, outside the timing: this is the reports' own work."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(small: str, large: str) -> None:
    from benchmarks.data import AS_OF
    from xl_dealer.model.config import load_config
    from xl_dealer.reports import build_report, names
    from xl_dealer.validate import validate

    config = load_config()
    spent: dict[str, list[float]] = {}
    for folder in (small, large):
        checked = validate([Path(folder)], as_of=AS_OF, config=config, jobs=1).checked
        for name in names("all"):
            best = float("inf")
            for _ in range(3):
                t = time.process_time()
                build_report(name, checked, as_of=AS_OF, config=config)
                best = min(best, time.process_time() - t)
            spent.setdefault(name, []).append(best)
    for name, (a, b) in spent.items():
        print(f"report {name:<10} {a * 1000:8.1f} ms {b * 1000:8.1f} ms")
    for name, (a, b) in spent.items():
        # a report that costs next to nothing is linear whatever its ratio says
        print(f"ratio {name} {b / a if a > 0.005 else 1.0:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
