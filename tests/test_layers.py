"""The house's layout: imports run one way, from the operations down to the declarations.

``model`` ← ``read`` ← ``rules`` ← ``reports`` ← ``render`` ← ``xlsx``/``samples`` ←
operations (``validate``, ``annotate``, ``report``, ``templates``, ``demo``) ← ``cli``/``excel``
← ``udfs``. Every import counts, also those inside functions and under TYPE_CHECKING: a lazy
import that runs upward is still an arrow back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("validate", "annotate", "report", "templates", "demo")
RANK = {
    "model": 0, "read": 1, "rules": 2, "reports": 3, "render": 4, "xlsx": 5, "samples": 5,
    **dict.fromkeys(OPERATIONS, 6), "cli": 7, "excel": 7, "udfs": 8,
}
# at the same rank only these groups may import each other (an operation may use another)
SAME_RANK_OK = {frozenset(OPERATIONS)}


def layer(module: str) -> str | None:
    """The layer of a dotted module name: ``xl_dealer.read.guard`` → ``read``; ``udfs.cells`` → ``udfs``."""
    parts = module.split(".")
    if parts[0] == "udfs":
        return "udfs"
    if parts[0] != "xl_dealer" or len(parts) < 2:
        return None  # the package's own __init__ (the lazy API) or a third-party module
    return parts[1] if parts[1] in RANK else None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file; ``from pkg import mod`` names the module when it is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                if (ROOT / Path(*sub.split("."))).with_suffix(".py").exists() or (ROOT / Path(*sub.split("."))).is_dir():
                    out.append((node.lineno, sub))
    return out


def sources() -> list[Path]:
    return sorted([*(ROOT / "xl_dealer").rglob("*.py"), *(ROOT / "udfs").rglob("*.py")])


def test_every_module_is_in_a_layer() -> None:
    stray = [module_name(p) for p in sources()
             if module_name(p) != "xl_dealer" and layer(module_name(p)) is None]
    assert stray == [], "a module outside the layers: add it to a package (or to RANK with a reason)"


def test_no_import_runs_upward() -> None:
    wrong = []
    for path in sources():
        here = layer(module_name(path))
        if here is None:
            continue
        for line, target in imports(path):
            there = layer(target)
            if there is None or there == here:
                continue
            same_ok = any({here, there} <= group for group in SAME_RANK_OK)
            if RANK[there] > RANK[here] or (RANK[there] == RANK[here] and not same_ok):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target} ({there})")
    assert wrong == []


def test_only_the_excel_side_imports_xlwings() -> None:
    """The core never imports xlwings (shared/DESIGN.md): only ``excel.scripts`` and ``udfs`` do."""
    users = sorted({module_name(p) for p in sources()
                    for _, target in imports(p) if target.split(".")[0] == "xlwings"})
    assert users == ["udfs.dealer_udfs", "xl_dealer.excel.scripts"]


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above could pass by seeing nothing: it must see a lazy import inside a function."""
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from xl_dealer.render.outputs import atomic_write\n    import xl_dealer.rules.scores\n")
    found = [t for _, t in imports(f)]
    assert "xl_dealer.render.outputs" in found and "xl_dealer.rules.scores" in found
    assert RANK[layer("xl_dealer.render.outputs")] > RANK[layer("xl_dealer.read.values")]
