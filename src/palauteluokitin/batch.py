"""Classify a whole export file in chunks: memory stays flat whatever the number of rows.

`classify_file` reads chunks with `exports.open_export`, classifies them with a model
in this process or in `jobs` worker processes (at most two chunks in flight per worker,
results in input order), and writes them with an atomic `writers.ExportWriter`.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from palauteluokitin.classify import OUTPUT_COLUMNS, Model, input_renames, load_model
from palauteluokitin.exports import (
    CHUNK_ROWS,
    Chunk,
    ExportError,
    detect_id_column,
    detect_text_column,
    open_export,
)
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.writers import ExportWriter

MAX_LISTED_PROBLEMS = 10


@dataclass
class Summary:
    """What a classification run did, for the closing message and for scripts."""

    output: Path
    text_column: str
    text_column_detected: bool
    id_column: str | None
    rows: int = 0
    categories: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    flagged: int = 0
    problems: int = 0
    problem_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def add(self, frame: pd.DataFrame, first_row: int) -> None:
        self.rows += len(frame)
        self.flagged += int(frame[FLAG].fillna(0).sum())
        for label in RIGHTS_CATEGORIES:
            self.categories[label] += int(frame[label].fillna(0).sum())
        self.sentiments.update(frame["sentiment"].dropna())
        self.languages.update(language for language in frame["lang"] if language)
        problems = frame["problem"] != ""
        self.problems += int(problems.sum())
        for position in problems[problems].index[: MAX_LISTED_PROBLEMS - len(self.problem_rows)]:
            where = (
                f"id {frame[self.id_column].loc[position]}"
                if self.id_column
                else f"row {first_row + frame.index.get_loc(position) + 1}"
            )
            self.problem_rows.append(f"{where}: {frame['problem'].loc[position]}")

    def lines(self) -> list[str]:
        categories = ", ".join(f"{label} {self.categories[label]:,}" for label in RIGHTS_CATEGORIES)
        sentiments = ", ".join(f"{name} {count:,}" for name, count in self.sentiments.most_common())
        languages = ", ".join(f"{name} {count:,}" for name, count in self.languages.most_common())
        how = "detected" if self.text_column_detected else "given"
        lines = [
            f"Text column: {self.text_column!r} ({how}); id column: {self.id_column or 'none'}",
            *(f"Note: {note}" for note in self.notes),
            f"Rows: {self.rows:,}; flagged ({FLAG}): {self.flagged:,}; problems: {self.problems:,}",
            f"Categories: {categories}",
            f"Sentiment: {sentiments or '-'}",
            f"Languages: {languages or '-'}",
            *(f"Problem at {row}" for row in self.problem_rows),
            f"Wrote {self.output} in {self.seconds:.1f} s ({self.rows_per_second:,.0f} rows/s)",
        ]
        if self.problems > len(self.problem_rows):
            lines.insert(
                -1, f"… {self.problems - len(self.problem_rows):,} more problem rows: see the problem column"
            )
        return lines


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.classified.csv")


_worker_model: Model | None = None


def _classify_chunk(chunk: Chunk, text_column: str, redact: bool) -> pd.DataFrame:
    return _worker_model.classify_frame(chunk.frame, text_column, chunk.problems, redact)


def _in_order(chunks: Iterator[Chunk], text_column: str, jobs: int, redact: bool) -> Iterator[pd.DataFrame]:
    """Classified chunks in input order; with jobs > 1 worker processes share the work,
    at most 2 chunks per worker in flight so memory stays bounded."""
    if jobs <= 1:
        for chunk in chunks:
            yield _classify_chunk(chunk, text_column, redact)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    if method is None:
        raise ExportError("--jobs needs the fork start method (Linux, macOS); use --jobs 1 here.")
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_classify_chunk, chunk, text_column, redact))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def classify_file(
    source: Path,
    output: Path | None = None,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    model: str | Model = "default",
    trust_model: bool = False,
    overwrite: bool = False,
    redact: bool = False,
    jobs: int = 1,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Classify every row of `source` into `output` (default: <stem>.classified.csv beside it)."""
    global _worker_model
    started = time.perf_counter()
    source = Path(source)
    output = Path(output) if output else default_output(source)
    if output.resolve() == source.resolve():
        raise ExportError(f"The output {output} is the input file; choose another -o.")
    export = open_export(source)
    sample = next(export.chunks(min(chunk_rows, 500)), None)
    header = pd.DataFrame(columns=export.columns) if sample is None else sample.frame
    detected = text_column is None
    text_column = detect_text_column(header) if detected else text_column
    id_column = id_column or detect_id_column(header)
    for option, column in (("--text-column", text_column), ("--id-column", id_column)):
        if column is not None and column not in export.columns:
            raise ExportError(
                f"{source.name} has no column {column!r} ({option}); its columns are: "
                f"{', '.join(export.columns)}."
            )
    _worker_model = model if isinstance(model, Model) else load_model(model, trusted=trust_model)
    renames = input_renames(export.columns)
    summary = Summary(
        output, text_column, detected, renames.get(id_column, id_column), notes=list(export.notes)
    )
    summary.notes += [f"input column {old!r} renamed {new!r} in the output" for old, new in renames.items()]
    export.text_column = text_column
    writer = ExportWriter(output, overwrite=overwrite)
    with writer:
        if sample is None:
            empty = header.rename(columns=renames)
            writer.commit(empty.reindex(columns=[*empty.columns, *OUTPUT_COLUMNS]))
        else:
            for frame in _in_order(export.chunks(chunk_rows), text_column, jobs, redact):
                summary.add(frame, summary.rows)
                writer.write(frame)
                if progress:
                    progress(summary.rows)
            writer.commit()
    summary.seconds = time.perf_counter() - started
    return summary
