"""Measure the personal-data redactor: precision, recall and F1 per kind over the case
table (tests/assets/redaction_cases.tsv), rule-based and, where spaCy-fi is installed, with
its named-entity recogniser; then throughput on the annotated corpus and the time on a
10 MB string and on 1,000,000-character lines.

A finding counts as right only when its kind and both ends match the hand-redacted case.

    uv run --extra spacy-fi python benchmarks/redaction.py [--no-ner] [--cases FILE]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.privacy.redact import KINDS, find_personal_data, findings_from_redacted, redact

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "assets" / "redaction_cases.tsv"
CORPUS = ROOT / "data" / "annotated" / "palaute.csv"
BIG_BYTES = 10_000_000
LONG_LINE = 1_000_000


def read_cases(path: Path = CASES) -> list[dict[str, str]]:
    """The case table: id, split (dev: written while building the rules; heldout: written
    afterwards and run once), text, expected (the text redacted by hand), known."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def count_matches(cases: list[dict[str, str]], ner: bool = False) -> dict[str, Counter]:
    """Per kind: true positives, false positives and false negatives (exact spans)."""
    counts = {kind: Counter() for kind in KINDS}
    for case in cases:
        gold = set(findings_from_redacted(case["text"], case["expected"]))
        found = set(find_personal_data(case["text"], ner=ner))
        for finding in found | gold:
            outcome = "tp" if finding in found and finding in gold else "fp" if finding in found else "fn"
            counts[finding.kind][outcome] += 1
    return counts


def scores(count: Counter) -> tuple[float, float, float]:
    """Precision, recall and F1 from a Counter of tp, fp and fn."""
    tp, fp, fn = count["tp"], count["fp"], count["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def print_scores(title: str, counts: dict[str, Counter]) -> None:
    print(f"\n{title}\n")
    print("| kind | expected | found | right | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = Counter()
    for kind in KINDS:
        count = counts[kind]
        total += count
        print(_score_row(kind, count))
    print(_score_row("all", total))


def _score_row(kind: str, count: Counter) -> str:
    precision, recall, f1 = scores(count)
    expected, found = count["tp"] + count["fn"], count["tp"] + count["fp"]
    return f"| {kind} | {expected} | {found} | {count['tp']} | {precision:.3f} | {recall:.3f} | {f1:.3f} |"


def print_errors(cases: list[dict[str, str]], ner: bool) -> None:
    for case in cases:
        got = redact(case["text"], ner=ner)
        if got != case["expected"]:
            print(f"- {case['id']} ({case['split']}): expected {case['expected']!r}, got {got!r}")


def corpus_texts() -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def print_throughput(texts: list[str], ner: bool) -> None:
    def run_all(batch):
        for text in batch:
            redact(text, ner=ner)

    label = "with NER" if ner else "rule-based"
    first = timed(run_all, texts)
    again = timed(run_all, texts)
    mean = sum(map(len, texts)) / len(texts)
    print(
        f"- {label}: {len(texts):,} corpus comments (mean {mean:.0f} characters): "
        f"first pass {len(texts) / first:,.0f} comments/s, "
        f"second pass {len(texts) / again:,.0f} comments/s"
    )


def print_long_inputs(texts: list[str]) -> None:
    joined = "\n".join(texts) + "\n"
    big = (joined * (BIG_BYTES // len(joined.encode()) + 1)).encode()[:BIG_BYTES].decode(errors="ignore")
    line = " ".join(texts).replace("\n", " ")[:LONG_LINE]
    inputs = {
        "10 MB of corpus comments (one string, newlines)": big,
        "1,000,000-character line of corpus comments": line,
        "1,000,000 × 'a'": "a" * LONG_LINE,
        "1,000,000 × '0'": "0" * LONG_LINE,
        "1,000,000 × '@'": "@" * LONG_LINE,
        "'a@' × 500,000": "a@" * (LONG_LINE // 2),
        "'Anna ' × 200,000": "Anna " * (LONG_LINE // 5),
        "'hoitaja Anna ' × 76,923": "hoitaja Anna " * (LONG_LINE // 13),
        "'Kotikatu 5 ' × 90,909": "Kotikatu 5 " * (LONG_LINE // 11),
        "'010190-' × 142,857": "010190-" * (LONG_LINE // 7),
        "'Toivo ja ' × 111,111": "Toivo ja " * (LONG_LINE // 9),
        "'Mikko, ' × 142,857": "Mikko, " * (LONG_LINE // 7),
        "'t. ' × 333,333": "t. " * (LONG_LINE // 3),
        "1,000,000 spaces, then a name": " " * LONG_LINE + "Mikko",
        "'040 ' × 250,000": "040 " * (LONG_LINE // 4),
    }
    for label, text in inputs.items():
        print(f"- {label}: {timed(redact, text):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--no-ner", action="store_true", help="skip the spaCy-fi runs")
    args = parser.parse_args()
    texts = corpus_texts()
    print("Throughput (one process, this machine; the first pass starts with empty caches):")
    print_throughput(texts, ner=False)
    print("\nLong inputs, rule-based:")
    print_long_inputs(texts)
    cases = read_cases(args.cases)
    splits = Counter(case["split"] for case in cases)
    print(f"\n{len(cases)} cases ({', '.join(f'{n} {split}' for split, n in splits.items())})")
    for ner in [False] if args.no_ner else [False, True]:
        label = "rule-based + spaCy-fi NER" if ner else "rule-based"
        try:
            for split in ("dev", "heldout"):
                chosen = [case for case in cases if case["split"] == split]
                print_scores(f"{label}, {split} cases ({len(chosen)})", count_matches(chosen, ner=ner))
            print_scores(f"{label}, all cases ({len(cases)})", count_matches(cases, ner=ner))
        except BackendUnavailableError as error:
            print(f"\n{label}: not available here ({error})")
            continue
        print(f"\nCases {label} gets wrong:")
        print_errors(cases, ner)
        if ner:
            print("\nThroughput with NER (recogniser already loaded):")
            print_throughput(texts[:500], ner=True)


if __name__ == "__main__":
    main()
