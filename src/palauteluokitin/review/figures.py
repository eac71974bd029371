"""Figures of every imported answer, by unit and month: numbers only, small cells hidden.

`review import` keeps each answer of a classified export as a row of `review_answers`
(unit, month, the four category labels, sentiment, flag, 0–10 score; no text, and the
comment id only as a keyed hash, so a re-import counts each answer once). From those
rows come the figures of a unit or the organisation over a period, the effect of a
development action (the share of negative comments in its categories before and after
it was completed, with Wilson intervals), and the public page. A figure based on fewer
than `MIN_CELL` answers is not shown (None).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.exports.values import month_key, net_promoter_score, parse_date, parse_nps
from palauteluokitin.labels import EMPTY_COMMENT, FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.review.db import SECRET_KEY, Answer, get_setting

MIN_CELL = 5
NEGATIVE = "negatiivinen"
TRUE = ("1", "1.0", "true")


def answer_key(secret: str, comment_id: str) -> str:
    """The stored key of an answer: a keyed hash of its comment id, not the id itself."""
    return hmac.new(secret.encode(), comment_id.encode(), hashlib.sha256).hexdigest()


def month_of(value) -> str:
    """YYYY-MM of an answer date in any format the report reads; "" when there is none."""
    when = parse_date(value)
    return month_key(when) if when else ""


def record_answers(
    session: Session,
    frame: pd.DataFrame,
    *,
    id_column: str,
    unit_column: str | None,
    date_column: str | None,
    nps_column: str | None,
) -> int:
    """Keep every classified answer and every answer without a comment of `frame` (rows
    with another problem carry no labels and are left out); return how many were new."""
    secret = get_setting(session, SECRET_KEY) or ""
    known = set(session.scalars(sa.select(Answer.key)))
    new = 0
    for row in frame.to_dict(orient="records"):
        problem = str(row["problem"]).strip()
        comment_id = str(row[id_column]).strip()
        if (problem and problem != EMPTY_COMMENT) or not comment_id:
            continue
        key = answer_key(secret, comment_id)
        if key in known:
            continue
        labels = {label: int(str(row[label]).strip().lower() in TRUE) for label in RIGHTS_CATEGORIES}
        session.add(
            Answer(
                key=key,
                unit=str(row[unit_column]).strip() if unit_column else "",
                month=month_of(row[date_column]) if date_column else "",
                commented=not problem,
                **labels,
                sentiment=str(row["sentiment"]).strip()
                if str(row["sentiment"]).strip() in SENTIMENTS
                else "",
                flag=int(str(row[FLAG]).strip().lower() in TRUE),
                nps=parse_nps(row[nps_column]) if nps_column else None,
            )
        )
        known.add(key)
        new += 1
    return new


@dataclass
class Figures:
    """Counts of a set of answers; shares and NPS are None where a cell is too small."""

    answers: int = 0  # with or without a comment
    comments: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    sentiments: dict[str, int] = field(default_factory=dict)
    scores: list[int] = field(default_factory=list)

    def share(self, count: int) -> float | None:
        """count / the comments; None when there are fewer than MIN_CELL comments."""
        return count / self.comments if self.comments >= MIN_CELL else None

    @property
    def nps(self) -> float | None:
        return net_promoter_score(self.scores) if len(self.scores) >= MIN_CELL else None


def _in_period(query, start: str | None, end: str | None):
    if start:
        query = query.where(Answer.month >= start)
    if end:
        query = query.where(Answer.month <= end)
    return query


def figures(
    session: Session, *, unit: str | None = None, start: str | None = None, end: str | None = None
) -> Figures:
    """The figures of the answers of `unit` (None: every unit) in months start..end (YYYY-MM, inclusive)."""
    query = sa.select(Answer)
    if unit is not None:
        query = query.where(Answer.unit == unit)
    result = Figures()
    for answer in session.scalars(_in_period(query, start, end)):
        result.answers += 1
        if answer.nps is not None:
            result.scores.append(answer.nps)
        if not answer.commented:
            continue
        result.comments += 1
        for label in RIGHTS_CATEGORIES:
            result.categories[label] = result.categories.get(label, 0) + getattr(answer, label)
        if answer.sentiment:
            result.sentiments[answer.sentiment] = result.sentiments.get(answer.sentiment, 0) + 1
    return result


def answer_units(session: Session) -> list[str]:
    return sorted(unit for unit in session.scalars(sa.select(Answer.unit).distinct()) if unit)


@dataclass(frozen=True)
class Share:
    """Negative comments among `total`, with a 95 % Wilson interval; None values when suppressed."""

    negative: int
    total: int

    @property
    def shown(self) -> bool:
        return self.total >= MIN_CELL

    @property
    def value(self) -> float | None:
        return self.negative / self.total if self.shown else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.negative, self.total) if self.shown else None


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default)."""
    share = successes / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def shift_month(month: str, months: int) -> str:
    year, number = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + months, 12)
    return f"{year:04d}-{number + 1:02d}"


def negative_share(session: Session, unit: str, categories: list[str], start: str, end: str) -> Share:
    """Negative comments among the unit's comments on any of `categories` in months start..end."""
    concerns = sa.or_(*(getattr(Answer, label) == 1 for label in categories)) if categories else sa.true()
    query = sa.select(Answer.sentiment).where(
        Answer.unit == unit, Answer.commented, concerns, Answer.month != ""
    )
    sentiments = list(session.scalars(_in_period(query, start, end)))
    return Share(sum(sentiment == NEGATIVE for sentiment in sentiments), len(sentiments))


@dataclass(frozen=True)
class Effect:
    """The share of negative comments in an action's categories in its unit, in the
    `months` months before the month it was completed and the `months` after it."""

    months: int
    before: Share
    after: Share
    before_period: tuple[str, str]
    after_period: tuple[str, str]


def effect(session: Session, unit: str, categories: list[str], completed_on: date, months: int = 6) -> Effect:
    month = month_key(completed_on)
    before = (shift_month(month, -months), shift_month(month, -1))
    after = (shift_month(month, 1), shift_month(month, months))
    return Effect(
        months,
        negative_share(session, unit, categories, *before),
        negative_share(session, unit, categories, *after),
        before,
        after,
    )
