"""Errors that reach a user as one clear line, never as a traceback."""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be used: names the file (and sheet/cell when known) and what to do."""

    def __init__(self, path: str, reason: str, sheet: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.sheet = sheet
        where = f"{path} [{sheet}]" if sheet else path
        super().__init__(f"{where}: {reason}")
