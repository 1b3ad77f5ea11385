"""One command as a whole process: wall time and peak resident memory (from ``wait4``)."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class Runs:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds: less moved by other programs
    outputs: list[bytes] = field(default_factory=list)

    @property
    def time(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_time(self) -> float:
        return statistics.median(self.cpu)

    @property
    def memory(self) -> float:
        return statistics.median(self.peak_mib)


def run(cmd: list[str], keep_output: bool = False,
        ok_codes: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None) -> tuple[float, float, float, bytes]:
    """(seconds, peak MiB, CPU seconds, stdout). ``wait4`` gives this child's own ru_maxrss, so one
    process's peak is not mixed up with the earlier children's, as RUSAGE_CHILDREN would."""
    # files, not pipes: communicate() would reap the child before wait4 could read its usage
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out if keep_output else subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        data = out.read()
        if p.returncode not in ok_codes:
            raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {err.read().decode(errors='replace')[-2000:]}")
    # the child's own usage: with its threads and the worker processes it waited for
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, data


def alternate(cases: dict[str, list[str]], repeat: int, keep_output: bool = False,
              echo=print) -> dict[str, Runs]:
    """Each case ``repeat`` times, interleaved (a, b, a, b …) so drift in the machine hits all alike."""
    results = {name: Runs(name) for name in cases}
    for i in range(repeat):
        for name, cmd in cases.items():
            s, m, cpu, data = run(cmd, keep_output)
            r = results[name]
            r.seconds.append(s)
            r.peak_mib.append(m)
            r.cpu.append(cpu)
            if keep_output:
                r.outputs.append(data)
            echo(f"  [{i + 1}/{repeat}] {name:<28} {s:7.2f} s {m:8.0f} MiB {cpu:7.2f} s CPU")
    return results
