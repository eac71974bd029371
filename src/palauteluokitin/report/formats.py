"""How the report's pages write things: Finnish percentages and NPS values (a dash where
undefined; the forms themselves are `exports.values`'), category names, and the page file
itself (a hidden temporary file renamed into place)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from palauteluokitin.exports.values import percent_text, signed_text
from palauteluokitin.labels import RIGHTS_CATEGORIES
from palauteluokitin.output_paths import current_umask

CATEGORY_NAMES = {c: c.capitalize() for c in RIGHTS_CATEGORIES}


def fi_percent(share: float | None) -> str:
    """A share (0–1) as Finnish percent text: "35 %"; a dash when undefined."""
    return percent_text(share) or "–"


def fi_signed(value: float | None) -> str:
    """An NPS value as Finnish text: "+40", "−12", "0"; a dash when undefined."""
    return signed_text(value) or "–"


@contextmanager
def html_file(path_out: Path) -> Iterator:
    """A text file to write a page to: a hidden temporary file beside `path_out`, made at once
    (an unwritable folder is refused before any work) and renamed into place when the block
    ends without an error; an error, Ctrl-C or a stop signal leaves no file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path_out.name}.", suffix=".part", dir=path_out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as target:
            yield target
        # mkstemp made it 0600; the finished page is as readable as any new file
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path_out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
