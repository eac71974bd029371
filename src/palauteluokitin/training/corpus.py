"""Annotated feedback corpora: read one and check it against the label scheme.

`validate_corpus` finds every problem in one pass and reports each with the row's id,
so an analyst can fix their own annotated file before training on it. The quality
checks (unique openings, near-duplicates, minimum counts) are those the shipped
corpus must pass; `CorpusRequirements` holds the minimum counts.

A corpus may have a `pair` column: contrast pairs (the same comment with and without
what a label is about) share the id of their original there. The members of a pair are
meant to be near-duplicates of each other, so the duplicate checks compare only
comments of different pairs, and a pair must stay within one split.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from palauteluokitin.errors import InputFormatError
from palauteluokitin.exports.write import restore_formula
from palauteluokitin.labels import (
    FLAG,
    LABEL_COLUMNS,
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
# The shipped corpus's columns: the required ones, then how each comment was made and
# its contrast pair (see the data card).
CORPUS_COLUMNS = (*REQUIRED_COLUMNS, "writer", "register", "hard_case", "annotators", "pair")
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
    """Rows of a UTF-8 CSV corpus as dicts; a missing column is an InputFormatError. A cell
    neutralised against spreadsheet formulas (`review export-annotations`) is read as it was."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise InputFormatError(
                f"{path}: missing column(s) {', '.join(missing)}; "
                f"a corpus needs {', '.join(REQUIRED_COLUMNS)}."
            )
        return [
            {key: restore_formula(value) if isinstance(value, str) else value for key, value in row.items()}
            for row in reader
        ]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def uses_obvious_flag_words(text: str) -> bool:
    return bool(_OBVIOUS.search(text))


def pair_of(row: dict[str, str]) -> str:
    """The pair a comment belongs to (the id of the pair's original), or ""."""
    return row.get("pair") or ""


def _same_pair(a: dict[str, str], b: dict[str, str]) -> bool:
    return bool(pair_of(a)) and pair_of(a) == pair_of(b)


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


def validate_pairs(rows: list[dict[str, str]]) -> list[Problem]:
    """Each pair names a comment of the corpus as its original, has at least two
    comments and stays within one split."""
    by_id = {row["id"]: row for row in rows}
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if pair_of(row):
            members[pair_of(row)].append(row)
    problems = []
    for pair, group in members.items():
        original = by_id.get(pair)
        if original is None or pair_of(original) != pair:
            problems.append(Problem(group[0]["id"], f"pair {pair!r}: no comment with that id in the pair"))
        if len(group) < 2:
            problems.append(Problem(group[0]["id"], f"pair {pair!r} has only one comment"))
        splits = sorted({row["split"] for row in group})
        if len(splits) > 1:
            problems.append(Problem(pair, f"pair {pair!r} straddles splits: {', '.join(splits)}"))
    return problems


def duplicate_openings(rows: list[dict[str, str]]) -> list[Problem]:
    """Comments that share their first four words with an earlier one of another pair."""
    seen: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    problems = []
    for row in rows:
        opening = tuple(words(row["text"])[:4])
        if len(opening) < 4:
            continue
        earlier = next((other for other in seen[opening] if not _same_pair(row, other)), None)
        if earlier is not None:
            problems.append(Problem(row["id"], f"opens like {earlier['id']}: {' '.join(opening)!r}"))
        seen[opening].append(row)
    return problems


def near_duplicates(rows: list[dict[str, str]], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[Problem]:
    """Comments of different pairs whose word 3-gram sets have a Jaccard similarity
    above `threshold`, and identical texts (within a pair too: a counterpart must
    change something)."""
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
            if _same_pair(rows[i], rows[j]):
                continue
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
    `second` (both keyed by comment id); kappa is None where both gave one value only."""
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(second)
    result = {"comments": len(ids)}
    for label in LABEL_COLUMNS:
        a = [str(first[i][label]) for i in ids]
        b = [str(second[i][label]) for i in ids]
        result[label] = {
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(ids), 3),
            "cohen_kappa": round(cohen_kappa_score(a, b), 3) if len(set(a) | set(b)) > 1 else None,
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
        counts["in a contrast pair"] += bool(pair_of(row))
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
        *validate_pairs(rows),
        *duplicate_openings(rows),
        *near_duplicates(rows),
        *count_shortfalls(rows, needs),
    ]
