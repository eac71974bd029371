"""Classify a whole export file in chunks: memory stays flat whatever the number of rows.

`classify_file` checks the output may be written, reads chunks with
`exports.read.open_export`, classifies them with a model in this process or in `jobs`
worker processes (at most two chunks in flight per worker, results in input order), and
writes them with an atomic `exports.write.ExportWriter`, reporting each step to `progress`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import pandas as pd

from palauteluokitin.classify.loaded_model import LoadedModel, input_renames, load_model
from palauteluokitin.classify.progress import CLASSIFYING
from palauteluokitin.exports.columns import choose_columns
from palauteluokitin.exports.read import CHUNK_ROWS, Chunk, format_of, open_export
from palauteluokitin.exports.write import WRITE_FORMATS, ExportWriter
from palauteluokitin.labels import EMPTY_COMMENT, FLAG, RIGHTS_CATEGORIES
from palauteluokitin.output_paths import check_output, stop_signals

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
    without_comment: int = 0  # answers with no comment (a score only): not counted as problems
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
        empty = frame["problem"] == EMPTY_COMMENT
        self.without_comment += int(empty.sum())
        problems = (frame["problem"] != "") & ~empty
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
            f"Rows: {self.rows:,}; flagged ({FLAG}): {self.flagged:,}; "
            f"without a comment: {self.without_comment:,}; problems: {self.problems:,}",
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


_worker_model: LoadedModel | None = None  # set in each worker process by _start_worker


def _start_worker(model: LoadedModel) -> None:
    global _worker_model
    _worker_model = model
    for number in stop_signals():  # not the handlers a forked worker inherits: the parent cleans up
        signal.signal(number, signal.SIG_DFL)
    gc.set_threshold(COLLECTION_THRESHOLD, *gc.get_threshold()[1:])  # a spawned worker starts afresh
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with SIGKILL, say,
    it cannot stop its workers): it is then adopted by another process."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


PARENT_CHECK_SECONDS = 1.0


COLLECTION_THRESHOLD = 50_000
WARM_UP_ROWS = 500


@contextmanager
def fewer_collections():
    """Classifying allocates millions of short-lived lists and tuples that reference
    counting frees; the cyclic collector, by default run every 700 allocations, would
    spend a tenth of the time scanning the model's and the caches' objects for cycles
    that are not there. The model's objects are frozen out of its scans and it runs
    every 50,000 allocations, until the block ends."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COLLECTION_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _classify_in_worker(chunk: Chunk, text_column: str, redact: bool) -> pd.DataFrame:
    return _worker_model.classify_frame(chunk.frame, text_column, chunk.problems, redact)


def _in_order(
    model: LoadedModel,
    chunks: Iterator[Chunk],
    text_column: str,
    jobs: int,
    redact: bool,
    start_method: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Classified chunks in input order; with jobs > 1 worker processes share the work,
    at most 2 chunks per worker in flight so memory stays bounded. Each worker receives
    the model once, when it starts (copied on write under fork, pickled under spawn)."""
    if jobs <= 1:
        for chunk in chunks:
            yield model.classify_frame(chunk.frame, text_column, chunk.problems, redact)
        return
    context = multiprocessing.get_context(start_method)
    if context.get_start_method() == "fork":
        # Warm up here on the opening rows: the workers, forked after, start with the
        # model's lazy parts loaded and the commonest words' tokens, readings and n-grams
        # remembered, instead of each finding them on its own.
        first = next(chunks, None)
        if first is None:
            return
        model.warm_up(first.frame[text_column].head(WARM_UP_ROWS))
        chunks = chain([first], chunks)
        gc.freeze()  # the collector would otherwise write to, and so copy, every shared object
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(model,)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_classify_in_worker, chunk, text_column, redact))
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
    sheet: str | int | None = None,
    model: str | LoadedModel = "default",
    trust_model: bool = False,
    overwrite: bool = False,
    redact: bool = False,
    jobs: int = 1,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str, int, int | None], None] | None = None,
    models_dir: Path | None = None,
    start_method: str | None = None,
) -> Summary:
    """Classify every row of `source` into `output` (default: <stem>.classified.csv beside
    it); of an Excel workbook, `sheet` (a name or a 1-based number; default: the sheet with
    the text column, see `exports.read.open_export`). The output is checked before anything
    slow (`output_paths.check_output`). `progress(stage, rows, total)` hears each step:
    "counting rows", "loading model …", then "classifying" after each chunk; `total` is
    None where counting would cost a reading (Excel). `start_method` is the multiprocessing
    start method of the `jobs` workers (default: the platform's)."""
    started = time.perf_counter()
    source = Path(source)
    output = Path(output) if output else default_output(source)
    format_of(output, WRITE_FORMATS, "write")
    check_output(output, overwrite=overwrite, inputs=[source])
    report = progress or (lambda stage, rows, total: None)
    export = open_export(source, sheet=sheet, text_column=text_column)
    sample = next(export.chunks(min(chunk_rows, 500)), None)
    header = pd.DataFrame(columns=export.columns) if sample is None else sample.frame
    detected = text_column is None
    columns = choose_columns(header, text=text_column, id=id_column)
    text_column, id_column = columns.text, columns.id
    total = None
    if progress:
        report("counting rows", 0, None)
        total = export.count_rows()
    if not isinstance(model, LoadedModel):
        report(f"loading model {model!r}", 0, total)
        model = load_model(model, trusted=trust_model, models_dir=models_dir)
    renames = input_renames(export.columns)
    summary = Summary(
        output, text_column, detected, renames.get(id_column, id_column), notes=list(export.notes)
    )
    summary.notes += [f"input column {old!r} renamed {new!r} in the output" for old, new in renames.items()]
    export.text_column = text_column
    writer = ExportWriter(
        output,
        overwrite=overwrite,
        inputs=[source],
        # Cells of CSV and Excel are read as text: numbers again where a whole column is numbers.
        text_columns=[renames.get(column, column) for column in export.columns]
        if export.kind in ("csv", "xlsx")
        else (),
        comment_column=renames.get(text_column, text_column),
    )
    with writer, fewer_collections():
        report(CLASSIFYING, 0, total)
        if sample is None:  # the header, and the output columns with their types
            writer.commit(model.classify_frame(header, text_column))
        else:
            for frame in _in_order(model, export.chunks(chunk_rows), text_column, jobs, redact, start_method):
                summary.add(frame, summary.rows)
                writer.write(frame)
                report(CLASSIFYING, summary.rows, total)
            writer.commit()
    summary.seconds = time.perf_counter() - started
    return summary
