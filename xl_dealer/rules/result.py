"""The result of checking workbooks together: every file's outcome, every finding, the exit code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xl_dealer.model.catalogue import SEVERITIES
from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding, count_by_severity
from xl_dealer.read.workbook import FileResult
from xl_dealer.rules.base import Checked
from xl_dealer.rules.cross import Across, not_run

FAIL_ON = ("error", "warning", "info", "never")


@dataclass(slots=True)
class ValidationResult:
    as_of: dt.date
    files: list[FileResult]
    findings: list[Finding]
    checked: list[Checked] = field(default_factory=list, repr=False)
    config: Config | None = field(default=None, repr=False)

    def summary(self) -> dict[str, int]:
        sheets = [s for f in self.files for s in f.sheets if s.get("kind")]
        return {
            "files": len(self.files),
            "sheets": len(sheets),
            "rows": sum(s["rows"] for s in sheets),
            **count_by_severity(self.findings),
        }

    def not_run(self) -> list[Across]:
        """The rules across workbooks this run could not check for want of the other workbook."""
        return not_run(self.checked)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    def exit_code(self, fail_on: str = "error") -> int:
        """0 nothing at or above ``fail_on``, 1 findings at or above it, 2 an unreadable input."""
        if self.errors:
            return 2
        if fail_on == "never":
            return 0
        threshold = SEVERITIES.index(fail_on)
        return 1 if any(SEVERITIES.index(f.severity) <= threshold for f in self.findings) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "as_of": self.as_of.isoformat(),
            "files": [f.to_json() for f in self.files],
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
        }
