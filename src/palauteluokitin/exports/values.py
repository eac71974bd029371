"""Free-form values of feedback exports: answer dates, 0–10 recommendation scores, and the
net promoter score of a set of scores; and the Finnish text forms of the figures made of
them (the report, the review app and the public page write them alike)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime

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


def percent_text(share: float | None) -> str | None:
    """A share (0–1) as Finnish percent text, "35 %"; None when undefined."""
    return None if share is None or math.isnan(share) else f"{round(share * 100)}\u00a0%"


def signed_text(value: float | None) -> str | None:
    """An NPS value as Finnish text: "+40", "−12", "0"; None when undefined."""
    if value is None:
        return None
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else f"\u2212{-rounded}" if rounded < 0 else "0"


def date_text(value: date) -> str:
    """A date the Finnish way: 1.3.2026."""
    return f"{value.day}.{value.month}.{value.year}"


def month_key(value: date) -> str:
    """The month of a date as stored and compared: YYYY-MM."""
    return f"{value.year:04d}-{value.month:02d}"


def month_text(month: str) -> str:
    """A YYYY-MM month as 3/2026 (the same in Finnish and Swedish)."""
    return f"{int(month[5:7])}/{month[:4]}"
