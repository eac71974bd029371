"""The progress of `classify_file` on one terminal line: what it is doing (counting rows,
loading the model), then rows of the total, rows/s and the time left.

`classify_file` reports each step as `progress(stage, rows, total)`; `ProgressLine` draws
it, `format_progress` is the text.
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

CLASSIFYING = "classifying"


def format_progress(stage: str, rows: int, total: int | None, seconds: float) -> str:
    """The line for a step; `seconds` since classifying began (the rate and the time left
    need some). Without a total (an Excel sheet is not counted first): rows and rows/s."""
    if stage != CLASSIFYING:
        return f"{stage[:1].upper()}{stage[1:]}…"
    done = (
        f"{rows:,} / {total:,} rows ({min(rows / total, 1) if total else 1:.0%})"
        if total
        else f"{rows:,} rows"
    )
    if not rows or seconds <= 0:
        return f"Classifying: {done}"
    rate = rows / seconds
    line = f"Classifying: {done} · {rate:,.0f} rows/s"
    if total:
        left = round(max(total - rows, 0) / rate)
        line += f" · {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d} left"
    return line


class ProgressLine:
    """A `progress` callback for `classify_file` that redraws one line of `stream` (a
    terminal); `close` clears it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = 0
        self.started: float | None = None

    def __call__(self, stage: str, rows: int, total: int | None) -> None:
        if stage == CLASSIFYING and self.started is None:
            self.started = time.monotonic()
        seconds = time.monotonic() - self.started if self.started is not None else 0.0
        text = format_progress(stage, rows, total, seconds)[: shutil.get_terminal_size().columns - 1]
        self.stream.write("\r" + text.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(text)

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0
