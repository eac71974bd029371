"""Free-form values of feedback exports: answer dates, 0–10 recommendation scores, and the
net promoter score of a set of scores."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime

import pandas as pd

_FI_DATE = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
)
_NPS_VALUE = re.compile(r"\s*(\d{1,2})(?:[.,]0+)?(?!\d)")


def parse_date(value) -> datetime | None:
    """A date in a Finnish (1.3.2026, 01.03.2026 14:05) or ISO format; None if it is neither."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    if match := _FI_DATE.fullmatch(text):
        day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
        try:
            return datetime(year + 2000 if year < 100 else year, month, day, hour, minute, second)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def parse_nps(value) -> int | None:
    """A 0–10 recommendation score ("9", "9.0", "10 - erittäin todennäköisesti"); None otherwise."""
    match = _NPS_VALUE.match("" if value is None else str(value))
    return int(match[1]) if match and int(match[1]) <= 10 else None


def net_promoter_score(scores: Iterable) -> float | None:
    """% promoters (9–10) minus % detractors (0–6) of the valid scores; None when there are none."""
    valid = pd.Series(list(scores), dtype="Float64").dropna()
    if valid.empty:
        return None
    return 100.0 * int((valid >= 9).sum() - (valid <= 6).sum()) / len(valid)
