"""Run ``xl-dealer`` in this process, as a test needs it: exit code, stdout, stderr."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from xl_dealer.cli import run
from xl_dealer.model import language


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: list[str]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    before = language.current()  # the command line sets the process's language; a test run is not the process
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run([str(a) for a in args])
    finally:
        language.set_language(before)
    return Result(code, out.getvalue(), err.getvalue())
