"""Annotated feedback corpora: read one and check it against the label scheme.

`validate_corpus` finds every problem in one pass and reports each with the row's id,
so an analyst can fix their own annotated file before training on it. The quality
checks (unique openings, near-duplicates, minimum counts) are those the shipped
corpus must pass; `CorpusRequirements` holds the minimum counts.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from palauteluokitin.errors import InputFormatError
from palauteluokitin.labels import (
    FLAG,
    LANGUAGES,
    OBVIOUS_FLAG_STEMS,
    RIGHTS_CATEGORIES,
    SENTIMENTS,
    SPLITS,
)

REQUIRED_COLUMNS = (
    "id",
    "text",
    *RIGHTS_CATEGORIES,
    "sentiment",
    FLAG,
    "service",
    "question",
    "lang",
    "split",
)
NEAR_DUPLICATE_JACCARD = 0.5
_WORD = re.compile(r"\w+")
_OBVIOUS = re.compile(r"\b(?:" + "|".join(OBVIOUS_FLAG_STEMS) + r")", re.IGNORECASE)


@dataclass(frozen=True)
class CorpusRequirements:
    """Minimum counts a corpus must reach; zero turns a check off."""

    category_positives: int = 0
    flag_positives: int = 0
    implicit_flag_positives: int = 0
    sentiment_class: int = 0
    no_category: int = 0
    swedish_share: float = 0.0


SHIPPED_CORPUS_REQUIREMENTS = CorpusRequirements(
    category_positives=700,
    flag_positives=600,
    implicit_flag_positives=200,
    sentiment_class=300,
    no_category=300,
    swedish_share=0.05,
)


@dataclass(frozen=True)
class Problem:
    row_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.row_id}: {self.message}"


def read_corpus(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV corpus as dicts; a missing column is an InputFormatError."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise InputFormatError(
                f"{path}: missing column(s) {', '.join(missing)}; "
                f"a corpus needs {', '.join(REQUIRED_COLUMNS)}."
            )
        return list(reader)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def uses_obvious_flag_words(text: str) -> bool:
    return bool(_OBVIOUS.search(text))


def validate_rows(rows: list[dict[str, str]]) -> list[Problem]:
    """Per-row problems: ids, empty texts, label values."""
    problems = []
    ids = Counter(row["id"] for row in rows)
    allowed = {
        **{label: ("0", "1") for label in (*RIGHTS_CATEGORIES, FLAG)},
        "sentiment": SENTIMENTS,
        "lang": LANGUAGES,
        "split": SPLITS,
    }
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        row_id = row["id"] or f"line {number}"
        if not row["id"]:
            problems.append(Problem(row_id, "empty id"))
        elif ids[row["id"]] > 1:
            problems.append(Problem(row_id, f"id appears {ids[row['id']]} times"))
        if not row["text"].strip():
            problems.append(Problem(row_id, "empty text"))
        for column, values in allowed.items():
            if row[column] not in values:
                problems.append(
                    Problem(row_id, f"{column}={row[column]!r}, expected one of {', '.join(values)}")
                )
    return problems


def duplicate_openings(rows: list[dict[str, str]]) -> list[Problem]:
    """Comments that share their first four words with an earlier one."""
    first_seen: dict[tuple[str, ...], str] = {}
    problems = []
    for row in rows:
        opening = tuple(words(row["text"])[:4])
        if len(opening) < 4:
            continue
        if opening in first_seen:
            problems.append(Problem(row["id"], f"opens like {first_seen[opening]}: {' '.join(opening)!r}"))
        else:
            first_seen[opening] = row["id"]
    return problems


def near_duplicates(rows: list[dict[str, str]], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[Problem]:
    """Pairs whose word 3-gram sets have a Jaccard similarity above `threshold`, and
    identical texts (for texts too short to have 3-grams)."""
    grams = []
    for row in rows:
        tokens = words(row["text"])
        grams.append(set(zip(tokens, tokens[1:], tokens[2:], strict=False)))
    index: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    problems = []
    for i, gram_set in enumerate(grams):
        shared: Counter = Counter()
        for gram in gram_set:
            for j in index[gram]:
                shared[j] += 1
            index[gram].append(i)
        for j, count in shared.items():
            similarity = count / len(gram_set | grams[j])
            if similarity > threshold:
                problems.append(
                    Problem(rows[i]["id"], f"near-duplicate of {rows[j]['id']} (Jaccard {similarity:.2f})")
                )
    seen: dict[str, str] = {}
    for row in rows:
        key = " ".join(words(row["text"]))
        if key and key in seen:
            problems.append(Problem(row["id"], f"same text as {seen[key]}"))
        seen.setdefault(key, row["id"])
    return problems


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON Lines file (annotation drafts), blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def labelling_agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    """Raw agreement and Cohen's kappa per label of two labellings of the comments in
    `second` (both keyed by comment id)."""
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(second)
    result = {"comments": len(ids)}
    for label in (*RIGHTS_CATEGORIES, "sentiment", FLAG):
        a = [str(first[i][label]) for i in ids]
        b = [str(second[i][label]) for i in ids]
        result[label] = {
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(ids), 3),
            "cohen_kappa": round(cohen_kappa_score(a, b), 3),
        }
    return result


def label_counts(rows: list[dict[str, str]]) -> dict[str, int]:
    counts: Counter = Counter()
    for row in rows:
        for label in RIGHTS_CATEGORIES:
            counts[label] += row[label] == "1"
        counts["no_category"] += not any(row[label] == "1" for label in RIGHTS_CATEGORIES)
        counts[f"sentiment={row['sentiment']}"] += 1
        counts[FLAG] += row[FLAG] == "1"
        counts[f"{FLAG} without obvious words"] += row[FLAG] == "1" and not uses_obvious_flag_words(
            row["text"]
        )
        counts[f"lang={row['lang']}"] += 1
        counts[f"split={row['split']}"] += 1
    return dict(counts)


def count_shortfalls(rows: list[dict[str, str]], needs: CorpusRequirements) -> list[Problem]:
    counts = label_counts(rows)
    wanted = {
        **{label: needs.category_positives for label in RIGHTS_CATEGORIES},
        FLAG: needs.flag_positives,
        f"{FLAG} without obvious words": needs.implicit_flag_positives,
        **{f"sentiment={s}": needs.sentiment_class for s in SENTIMENTS},
        "no_category": needs.no_category,
    }
    problems = [
        Problem("corpus", f"{name}: {counts.get(name, 0)}, needs at least {minimum}")
        for name, minimum in wanted.items()
        if counts.get(name, 0) < minimum
    ]
    swedish = counts.get("lang=sv", 0) / max(len(rows), 1)
    if swedish < needs.swedish_share:
        problems.append(Problem("corpus", f"Swedish share {swedish:.1%}, needs {needs.swedish_share:.0%}"))
    return problems


def validate_corpus(
    rows: list[dict[str, str]], needs: CorpusRequirements = CorpusRequirements()
) -> list[Problem]:
    """Every problem found in the corpus; an empty list means it is valid."""
    return [
        *validate_rows(rows),
        *duplicate_openings(rows),
        *near_duplicates(rows),
        *count_shortfalls(rows, needs),
    ]
