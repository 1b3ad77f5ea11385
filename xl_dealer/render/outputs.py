"""Writing outputs: atomically, so a crash or a full disk never leaves half a file behind,
with the permissions any file the user makes would have."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from xl_dealer.model.errors import InputError


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
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=folder)
    except OSError as e:
        raise InputError(str(folder), f"无法写入该文件夹 / cannot write to this folder ({e.strerror or e})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes 0600; a report on a shared folder must be readable like any file the user makes
        os.chmod(tmp, _DEFAULT_MODE)
        os.replace(tmp, target)
    except PermissionError as e:
        raise InputError(str(target), f"无法写入，文件可能正在 Excel 中打开 / cannot write, is it open in Excel? "
                                      f"({e.strerror or e})") from None
    except OSError as e:
        raise InputError(str(target), f"无法写入 / cannot write ({e.strerror or e})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
