"""Writing outputs: atomically, so a crash or a full disk never leaves half a file behind,
with the permissions any file the user makes would have."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from xl_dealer.model.errors import InputError
from xl_dealer.model.language import said


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_DEFAULT_MODE = _umask_mode()


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    An unwritable folder is an InputError naming the folder, not a traceback.
    """
    target = Path(path)
    publish(_stage(target, write), target)
    return target


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def same_file(a: Path, b: Path) -> bool:
    """Are these the same file (a link, another spelling of the path, a case-folding disk)?"""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(outputs: dict[str, Path], inputs: list[Path]) -> None:
    """An output that is one of the run's inputs would overwrite a clerk's workbook: refused
    before anything is read or written (``outputs``: option name → path)."""
    resolved = {_resolved(p) for p in inputs}
    for option, out in outputs.items():
        if _resolved(out) in resolved or any(same_file(out, p) for p in inputs):
            raise InputError(str(out), said(f"{option} 指向一个输入的工作簿，写入会覆盖它：请换一个文件名", f"{option} is one of the inputs: writing it would overwrite that workbook; choose another name"))
    seen: dict[Path, str] = {}
    for option, out in outputs.items():
        key = _resolved(out)
        if key in seen:
            raise InputError(str(out), said(f"{seen[key]} 和 {option} 是同一个文件", f"{seen[key]} and {option} are the same file"))
        seen[key] = option


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except (OSError, RuntimeError):  # a link loop: compared as written
        return p.absolute()


def atomic_write_all(items: list[tuple[Path, Callable[[Path], None]]]) -> list[Path]:
    """Every output of a run, or none: each is written to a temporary file beside its target
    first; only when all are written are they moved into place (a folder that cannot be
    written, a full disk, leaves no half of a result published)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, write in items:
            tmp = _stage(target, write)
            staged.append((tmp, target))
        for tmp, target in staged:
            publish(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [t for t, _ in items]


def stage(target: Path, write: Callable[[Path], None]) -> Path:
    """``write`` a temporary file beside ``target``; :func:`publish` moves it into place (the two
    halves of :func:`atomic_write`, for a writer that must close its source in between)."""
    return _stage(target, write)


def publish(tmp: Path, target: Path) -> None:
    """Move a staged file over ``target`` (the temporary file is gone afterwards either way)."""
    try:
        os.replace(tmp, target)
    except PermissionError as e:
        raise InputError(str(target), said(f"无法写入，文件可能正在 Excel 中打开（{e.strerror or e}）", f"cannot write, is it open in Excel? ({e.strerror or e})")) from None
    except OSError as e:
        raise InputError(str(target), said(f"无法写入（{e.strerror or e}）", f"cannot write ({e.strerror or e})")) from None
    finally:
        tmp.unlink(missing_ok=True)


def _stage(target: Path, write: Callable[[Path], None]) -> Path:
    """A temporary file beside ``target`` holding what ``write`` wrote, readable like any file the user
    makes (removed again when writing it fails)."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=folder)
    except OSError as e:
        raise InputError(str(folder), said(f"无法写入该文件夹（{e.strerror or e}）", f"cannot write to this folder ({e.strerror or e})")) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes 0600; a report on a shared folder must be readable like any file the user makes
        os.chmod(tmp, _DEFAULT_MODE)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InputError(str(target), said(f"无法写入（{e.strerror or e}）", f"cannot write ({e.strerror or e})")) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def ours(path: Path, kinds: tuple[str, ...]) -> bool:
    """Did we write this file (as one of ``kinds``: report, template, demo)? An existing file we
    did not write is never replaced by an output."""
    from xl_dealer.read.inputs import generated_by_us

    if path.suffix.lower() == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and ("findings" in data or "report" in data or "reports" in data)
    return generated_by_us(path) in kinds
