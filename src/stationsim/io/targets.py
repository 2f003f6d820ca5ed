"""Checks that an output can be written, made before the work that produces it.

A long run that fails at its very end because its picture cannot be written (a folder in the
file's place, a read-only file system, a missing folder) wastes the run: these checks make the
same mistakes fail at once, with the option and the path named. They try what the writers will
do (a temporary file in the target's folder, later renamed into place), so a check that passes
leaves nothing behind and a write that follows it fails only if the disk changes meanwhile.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from stationsim.errors import InputError

__all__ = ["check_output_file", "check_output_folder"]


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _refusal(message: str, option: str | None, target: Path) -> InputError:
    """The error naming the option (and the path), or the path alone without an option."""
    if option is None:
        return InputError(message, source=str(target))
    return InputError(message, source=option, found=str(target))


def _try_write_in(folder: Path, option: str | None, target: Path) -> None:
    """Make and remove a temporary file in ``folder`` (what an atomic write does)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".stationsim-check-", dir=folder)
    except OSError as exc:
        raise _refusal(f"cannot write into the folder {folder}: {_reason(exc)}", option,
                       target) from None
    os.close(fd)
    os.unlink(name)


def check_output_file(path: str | Path, option: str | None = None) -> Path:
    """``path`` as a :class:`Path` if a file can be written there: its folder exists and takes
    new files, and ``path`` is not a folder. Raises :class:`InputError` naming ``option`` (the
    command-line option the path came from), or the path without one."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise _refusal("the folder to write into does not exist", option, target)
    if target.is_dir():
        raise _refusal("a folder is in the way of the file to write", option, target)
    _try_write_in(folder, option, target)
    return target


def check_output_folder(path: str | Path, option: str, names: Iterable[str] = ()) -> Path:
    """``path`` as a :class:`Path` if the files ``names`` can be written into it: it is a folder
    that takes new files, or it does not exist yet and its nearest existing parent is one (the
    folder is not made here); none of ``names`` is a folder inside it."""
    folder = Path(path)
    if os.path.lexists(folder) and not folder.is_dir():
        raise InputError("a file is in the way of the folder to write into", source=option,
                         found=str(folder))
    existing = folder
    while not os.path.lexists(existing):  # a dangling link is something in the way
        existing = existing.parent
    if not existing.is_dir():
        raise InputError("the folder cannot be made: a file is in its way", source=option,
                         found=str(existing))
    if existing == folder:
        for name in names:
            if (folder / name).is_dir():
                raise InputError(f"a folder is in the way of the file {name}", source=option,
                                 found=str(folder / name))
    _try_write_in(existing, option, folder)
    return folder
