"""``python -m benchmarks [--quick] [--repeat N]``: the figures and targets of issue 7.

Every case is a whole process (interpreter start, imports, reading, output), run
several times, alternating with the case it is compared with; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.measure import Runs, alternate


@dataclass(slots=True)
class Target:
    name: str
    value: float
    limit: float
    at_least: bool = False  # a speedup must reach the limit; a ratio must stay under it

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self) -> str:
        op = "≥" if self.at_least else "≤"
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name:<44} {self.value:6.2f}  (target {op} {self.limit})"


def xl_dealer() -> list[str]:
    exe = shutil.which("xl-dealer", path=str(Path(sys.executable).parent)) or shutil.which("xl-dealer")
    return [exe] if exe else [sys.executable, "-m", "xl_dealer.cli"]


def has_annotate() -> bool:
    return subprocess.run([*xl_dealer(), "annotate", "--help"], capture_output=True).returncode == 0


def _load_warning() -> None:
    """Timings (the folder's speedup most) mean little while something else uses the cores."""
    load = os.getloadavg()[0]
    print(f"load average {load:.2f}" + ("  (another program is busy: figures will be noisy)" if load > 0.7 else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100k rows, the folder and --help only, 3 repetitions")
    ap.add_argument("--repeat", type=int, default=None, help="repetitions per case (default 5, quick 3)")
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the small log (default 100000)")
    args = ap.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    cli = xl_dealer()
    as_of = ["--as-of", data.AS_OF.isoformat()]
    targets: list[Target] = []
    table: list[tuple[str, Runs]] = []

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, cache {data.cache_dir()}")
    _load_warning()
    t0 = time.perf_counter()
    small = data.visitor_log(args.rows)
    big = None if args.quick else data.visitor_log(args.rows * 5)
    folder = data.folder()
    print(f"workbooks ready in {time.perf_counter() - t0:.1f} s")

    def validate(path: Path, *extra: str) -> list[str]:
        return [*cli, "validate", str(path), "--format", "json", *as_of, *extra]

    # 1. the small log: bare read vs validate (vs annotate)
    cases = {"read 100k (calamine)": [sys.executable, str(Path(__file__).with_name("bare_read.py")), str(small)],
             "validate 100k": validate(small)}
    out_dir = Path(tempfile.mkdtemp(prefix="xl-dealer-bench-"))
    annotate = has_annotate()
    if annotate:
        cases["annotate 100k"] = [*cli, "annotate", str(small), "--out", str(out_dir), *as_of]
    print(f"\n{small.name}")
    r = alternate(cases, repeat)
    table += [(k, v) for k, v in r.items()]
    read, val = r["read 100k (calamine)"], r["validate 100k"]
    targets.append(Target("validate / read, time (100k)", val.time / read.time, 1.5))
    targets.append(Target("validate / read, peak memory (100k)", val.memory / read.memory, 1.5))
    print(f"validate / read, CPU time (100k): {val.cpu_time / read.cpu_time:.2f} (for reference: less moved by load)")
    if annotate:
        targets.append(Target("annotate / validate, time (100k)", r["annotate 100k"].time / val.time, 3.0))
    else:
        print("annotate: not available")

    # 2. five times the rows: linear, no cliff
    if big is not None:
        print(f"\n{big.name}")
        r5 = alternate({"validate 500k": validate(big), "validate 100k ": validate(small)}, max(2, repeat - 2))
        table.append(("validate 500k", r5["validate 500k"]))
        targets.append(Target("500k / 100k, validate time", r5["validate 500k"].time / r5["validate 100k "].time, 5.5))

    # 3. a folder of 200 workbooks: the default job count vs one process
    print(f"\n{folder.name}")
    rf = alternate({"folder, default jobs": validate(folder), "folder, --jobs 1": validate(folder, "--jobs", "1")},
                   repeat, keep_output=True)
    table += [(k, v) for k, v in rf.items()]
    same = len({o for v in rf.values() for o in v.outputs}) == 1
    targets.append(Target("folder: --jobs 1 / default, speedup", rf["folder, --jobs 1"].time / rf["folder, default jobs"].time,
                          1.6, at_least=True))
    print(f"folder JSON identical across job counts: {'yes' if same else 'NO'}")

    # 4. start-up
    print("\n--help")
    rh = alternate({"xl-dealer --help": [*cli, "--help"]}, max(repeat, 5))
    table += [(k, v) for k, v in rh.items()]
    targets.append(Target("xl-dealer --help, seconds", rh["xl-dealer --help"].time, 0.3))
    shutil.rmtree(out_dir, ignore_errors=True)

    _load_warning()
    print("\n| case | median s | CPU s | peak MiB |\n| --- | ---: | ---: | ---: |")
    for name, runs in table:
        print(f"| {name.strip()} | {runs.time:.2f} | {runs.cpu_time:.2f} | {runs.memory:.0f} |")
    print()
    for t in targets:
        print(t.line())
    print(f"{'PASS' if same else 'FAIL'}  folder JSON identical, default jobs vs --jobs 1")
    return 0 if same and all(t.passed for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
