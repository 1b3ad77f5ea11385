"""Time ``annotate`` against ``validate`` on a large visitor log (issue 7 wants annotate ≤ 3× validate).

    python benchmarks/annotate_100k.py [ROWS]

Prints seconds and the ratio; no assertion (timed assertions do not belong in the test suite).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from xl_dealer.annotate import annotate
from xl_dealer.config import load_config
from xl_dealer.samples import generate, write_workbook
from xl_dealer.validate import validate


def main(rows: int = 100_000) -> None:
    as_of = dt.date(2026, 11, 27)
    per_day = 100
    reg, _ = generate(days=rows // per_day, per_day=per_day, end=as_of, seed=7)
    cfg = load_config(None)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "log.xlsx"
        t = time.perf_counter()
        write_workbook(src, [reg], write_only=True)
        print(f"wrote {len(reg.rows)} rows in {time.perf_counter() - t:.1f}s ({src.stat().st_size / 1e6:.1f} MB)")
        t = time.perf_counter()
        v = validate([src], as_of=as_of, config=cfg)
        tv = time.perf_counter() - t
        t = time.perf_counter()
        a = annotate([src], out=Path(d) / "out", as_of=as_of, config=cfg)
        ta = time.perf_counter() - t
        f = a.files[0]
        print(f"validate {tv:.2f}s, {len(v.findings)} findings")
        print(f"annotate {ta:.2f}s (validate included), {f.cells} cells marked; ratio {ta / tv:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
