"""The engine and the macros never need xlwings; only the entry points and UDFs import it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_and_macros_import_without_xlwings() -> None:
    code = (
        "import sys; sys.modules['xlwings'] = None\n"  # any `import xlwings` now fails
        "import xl_dealer.validate, xl_dealer.rules, xl_dealer.templates, xl_dealer.rules.cadence\n"
        "import xl_dealer.excel, xl_dealer.excel.reports, xl_dealer.excel.results\n"
        "try:\n    import xl_dealer.excel.scripts\nexcept ImportError:\n    print('scripts need xlwings')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "scripts need xlwings"
