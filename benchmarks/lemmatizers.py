"""Score every lemmatiser backend that works here on Universal Dependencies treebanks.

Each backend runs as the CLI does, in its own process:
`palauteluokitin lemmatize --format conllu --backend B FILE`. Reported per treebank:
lemma accuracy over all words (case-insensitive, '#' compound marks removed from the
gold lemma), words per second from process start to exit, and the peak resident memory.

    uv run python benchmarks/lemmatizers.py [--ud-dir ../shared/ud] [--backend NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from palauteluokitin.text.lemmatizers import BACKENDS

AVAILABILITY = (
    "import json; from palauteluokitin.text.lemmatizers import available_backends; "
    "print(json.dumps(available_backends()))"
)


def backend_problems() -> dict[str, str | None]:
    """Which backends work here, asked in a child process: loading them here would
    inflate the peak memory measured for the children forked from this process."""
    result = subprocess.run([sys.executable, "-c", AVAILABILITY], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def gold_and_predicted_lemmas(gold_path: Path, predicted_path: Path) -> tuple[int, int]:
    """(correct, total) over syntactic words, comparing the LEMMA columns."""
    correct = total = 0
    with gold_path.open(encoding="utf-8") as gold, predicted_path.open(encoding="utf-8") as pred:
        for gold_line, pred_line in zip(gold, pred, strict=True):
            gold_cols = gold_line.rstrip("\n").split("\t")
            if len(gold_cols) != 10 or not gold_cols[0].isdigit():
                continue
            pred_cols = pred_line.rstrip("\n").split("\t")
            if pred_cols[:2] != gold_cols[:2]:
                raise SystemExit(f"{predicted_path}: tokens differ from {gold_path}")
            total += 1
            correct += pred_cols[2].lower() == gold_cols[2].replace("#", "").lower()
    return correct, total


def run_backend(backend: str, treebank: Path, out_path: Path) -> tuple[float, int]:
    """Run the CLI on one treebank; return (seconds, peak RSS in KiB)."""
    command = [
        sys.executable,
        "-m",
        "palauteluokitin",
        "lemmatize",
        "--format",
        "conllu",
        "--backend",
        backend,
        str(treebank),
    ]
    with out_path.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{backend} failed on {treebank}: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ud-dir", type=Path, default=Path(__file__).parents[2] / "shared" / "ud")
    parser.add_argument("--backend", action="append", choices=sorted(BACKENDS))
    args = parser.parse_args()
    treebanks = sorted(args.ud_dir.glob("*.conllu"))
    if not treebanks:
        raise SystemExit(f"No .conllu files in {args.ud_dir}")
    status = backend_problems()
    backends = args.backend or list(BACKENDS)
    print("| backend | treebank | words | lemma accuracy | words/s | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if status[backend] is not None:
                print(f"| {backend} | – | – | not available here | – | – |")
                continue
            for treebank in treebanks:
                out_path = Path(tmp) / f"{backend}-{treebank.name}"
                seconds, peak_kib = run_backend(backend, treebank, out_path)
                correct, total = gold_and_predicted_lemmas(treebank, out_path)
                print(
                    f"| {backend} | {treebank.stem} | {total} | {correct / total:.2%} "
                    f"| {total / seconds:,.0f} | {peak_kib / 1024:,.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
