"""The one rule for every command that writes a file or a folder, checked before any slow
work: never the input itself, never an existing file (or a non-empty folder) unless
`overwrite`, and only into a folder that exists."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from pathlib import Path

from palauteluokitin.errors import OutputError


def check_output(
    path: Path, *, overwrite: bool = False, inputs: Iterable[Path] = (), folder: bool = False
) -> Path:
    """`path` if it may be written; OutputError saying what to do otherwise. `inputs` are
    the files the command reads; `folder`: the output is a folder (a model bundle)."""
    path = Path(path)
    target = path.resolve()
    for source in inputs:
        if Path(source).resolve() == target:
            raise OutputError(f"{path} is the input; write the output to another file.")
    if folder:
        if path.is_file():
            raise OutputError(f"{path} is a file; give a folder for the output.")
        occupied = path.is_dir() and any(path.iterdir())
    else:
        if path.is_dir():
            raise OutputError(f"{path} is a folder; give a file name for the output.")
        occupied = path.exists()
    if occupied and not overwrite:
        what = "exists and is not empty" if folder else "exists"
        raise OutputError(f"{path} {what}; pass --overwrite to replace it.")
    if not path.parent.is_dir():
        raise OutputError(f"Cannot write {path}: folder {path.parent} does not exist.")
    return path


def stop_signals() -> list[int]:
    """The signals that stop a run and that the CLI turns into a clean exit, removing the
    output's temporary file: SIGTERM, and SIGHUP (the terminal closed) where there is one.
    SIGINT is Ctrl-C's KeyboardInterrupt."""
    return [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


def current_umask() -> int:
    """The process's umask, for giving a finished file the mode a new file would have."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
