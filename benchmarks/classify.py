"""Throughput and peak memory of `palauteluokitin classify` on exports built from the corpus.

    uv run --extra all python benchmarks/classify.py [--rows 10000 100000 1000000] [--jobs 1 2]

Each run is a separate `palauteluokitin classify` process, timed from start to exit; peak
memory is the largest proportional set size (PSS) summed over the process and its
workers, sampled every second (RSS would count pages the forked workers share twice).
Start-up is `classify` of a one-row export.

The naive anchor is what a user would write by hand: spaCy-fi's pipeline for lemmas,
scikit-learn's TF-IDF and one logistic regression per label, trained on the corpus's
train split (not timed), saved, then loaded in a fresh process that classifies the same
export and writes a CSV, timed from its start like `classify`.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "annotated" / "palaute.csv"
UNITS = ("Terveysasema", "Päivystys", "Kotihoito", "Neuvola", "Vuodeosasto 3")


def build_export(path: Path, rows: int) -> None:
    """A semicolon-separated cp1252 export with id, date, unit, NPS and a corpus comment."""
    with open(CORPUS, encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    texts = [text for text in texts if text.encode("cp1252", errors="ignore").decode("cp1252") == text]
    with open(path, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(["id", "pvm", "yksikkö", "nps", "avoin palaute"])
        for number in range(rows):
            day = number % 28 + 1
            month = number % 12 + 1
            writer.writerow(
                [
                    number,
                    f"{day}.{month}.2026",
                    UNITS[number % len(UNITS)],
                    number % 11,
                    texts[number % len(texts)],
                ]
            )


def tree_pss(root: int) -> int:
    """Proportional set size in bytes of a process and all its descendants: pages that
    forked workers share with their parent are counted once, not once per process."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            pass
    return total


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds from start to exit and peak PSS of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    while True:
        peak = max(peak, tree_pss(process.pid))
        try:
            process.wait(timeout=1.0)  # returns the moment it exits: a sleep would add up to 1 s
            break
        except subprocess.TimeoutExpired:
            continue
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed with exit code {process.returncode}")
    return seconds, peak


def run_classify(source: Path, jobs: int) -> tuple[float, int]:
    output = source.with_suffix(".out.csv")
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(source), "-o", str(output)]
    result = timed([*command, "--overwrite", "--quiet", "--jobs", str(jobs)])
    output.unlink()
    return result


def run_anchor(model_path: Path, source: Path) -> tuple[float, int]:
    output = source.with_suffix(".anchor.csv")
    result = timed([sys.executable, __file__, "--anchor-classify", str(model_path), str(source), str(output)])
    output.unlink()
    return result


LABELS = ("kohtelu", "arvokkuus", "tiedonsaanti", "saumattomuus", "epaasiallinen_kohtelu")


def anchor_lemmas(texts):
    import spacy

    # Lemmas need the tagger and morphologizer; the parser and entities are not needed.
    nlp = spacy.load("spacy_fi_experimental_web_md", disable=["parser", "ner"])
    return [" ".join(token.lemma_ for token in doc) for doc in nlp.pipe(texts, batch_size=256)]


def anchor_train(model_path: Path) -> None:
    """The naive anchor: TF-IDF of spaCy-fi lemmas, a logistic regression per label."""
    import joblib
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    corpus = pd.read_csv(CORPUS)
    train = corpus[corpus["split"] == "train"]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(anchor_lemmas(train["text"].tolist()))
    heads = {label: LogisticRegression(max_iter=2000).fit(matrix, train[label]) for label in LABELS}
    heads["sentiment"] = LogisticRegression(max_iter=2000).fit(matrix, train["sentiment"])
    joblib.dump((vectorizer, heads), model_path)


def anchor_classify(model_path: Path, source: Path, output: Path) -> None:
    import joblib
    import pandas as pd

    vectorizer, heads = joblib.load(model_path)
    frame = pd.read_csv(source, sep=";", encoding="cp1252")
    matrix = vectorizer.transform(anchor_lemmas(frame["avoin palaute"].fillna("").astype(str).tolist()))
    for label, head in heads.items():
        frame[label] = head.predict(matrix)
    frame.to_csv(output, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--anchor-rows", type=int, default=10_000, help="0: no naive anchor")
    parser.add_argument("--anchor-classify", nargs=3, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.anchor_classify:
        anchor_classify(*arguments.anchor_classify)
        return
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        one_row = Path(scratch) / "one_row.csv"
        build_export(one_row, 1)
        startup = min(run_classify(one_row, 1)[0] for _ in range(3))
        print(f"start-up (classify of a one-row export, best of 3): {startup:.2f} s\n", flush=True)
        print("| what | rows | jobs | seconds | rows/s | peak PSS |\n|---|---:|---:|---:|---:|---:|")

        def line(what: str, rows: int, jobs: int, seconds: float, peak: int) -> None:
            rate = rows / seconds
            print(
                f"| {what} | {rows:,} | {jobs} | {seconds:.1f} | {rate:,.0f} | {peak / 2**20:,.0f} MB |",
                flush=True,
            )

        if arguments.anchor_rows:
            source = Path(scratch) / f"vienti_{arguments.anchor_rows}.csv"
            build_export(source, arguments.anchor_rows)
            model_path = Path(scratch) / "anchor.joblib"
            anchor_train(model_path)
            line(
                "naive anchor (spaCy-fi lemmas + TF-IDF + logistic)",
                arguments.anchor_rows,
                1,
                *run_anchor(model_path, source),
            )
        for rows in arguments.rows:
            source = Path(scratch) / f"vienti_{rows}.csv"
            build_export(source, rows)
            for jobs in arguments.jobs:
                line("palauteluokitin classify", rows, jobs, *run_classify(source, jobs))


if __name__ == "__main__":
    main()
