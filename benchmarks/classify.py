"""Throughput and peak memory of `palauteluokitin classify` on exports built from the corpus.

    uv run --extra spacy-fi python benchmarks/classify.py [--rows 10000 100000 1000000] [--jobs 1 2]

Each run is a separate `palauteluokitin classify` process, timed from start to exit; peak
memory is the largest proportional set size (PSS) summed over the process and its
workers, sampled every second (RSS would count pages the forked workers share twice). The naive
baseline runs spaCy-fi's full pipeline per comment (what a first attempt would do) on
1,000 comments in this process.
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
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


def run_classify(source: Path, jobs: int) -> tuple[float, int]:
    output = source.with_suffix(".out.csv")
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(source), "-o", str(output)]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--overwrite", "--quiet", "--jobs", str(jobs)])
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_pss(process.pid))
        time.sleep(1.0)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"classify failed with exit code {process.returncode}")
    output.unlink()
    return seconds, peak


def naive_baseline(count: int = 1000) -> float:
    import spacy

    with open(CORPUS, encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][:count]
    nlp = spacy.load("spacy_fi_experimental_web_md")
    started = time.perf_counter()
    for text in texts:
        nlp(text)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-baseline", action="store_true")
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    if not arguments.no_baseline:
        print(f"naive baseline (spaCy-fi full pipeline per comment): {naive_baseline():,.0f} comments/s")
    print("| rows | jobs | seconds | rows/s | peak PSS |\n|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for rows in arguments.rows:
            source = Path(scratch) / f"vienti_{rows}.csv"
            build_export(source, rows)
            for jobs in arguments.jobs:
                seconds, peak = run_classify(source, jobs)
                print(
                    f"| {rows:,} | {jobs} | {seconds:.1f} | {rows / seconds:,.0f} | {peak / 2**20:,.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
