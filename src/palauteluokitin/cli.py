"""Command line: thin wrappers over the library. Library errors become one clear message."""

from __future__ import annotations

import importlib
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import click

from palauteluokitin import __version__
from palauteluokitin.errors import MissingExtraError, PalauteluokitinError
from palauteluokitin.labels import FLAG
from palauteluokitin.text.lemmatizers import BACKENDS, DEFAULT_BACKEND


class Group(click.Group):
    """Turns library errors into `Error: …` and exit status 1, without a traceback, and
    loads the command groups of optional parts only when they are used."""

    LAZY = {"review": "palauteluokitin.review.cli"}

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PalauteluokitinError as error:
            raise click.ClickException(str(error)) from error

    def list_commands(self, ctx) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx, name: str):
        if name not in self.LAZY:
            return super().get_command(ctx, name)
        try:
            return getattr(importlib.import_module(self.LAZY[name]), name)
        except MissingExtraError as error:
            message = str(error)

            def unavailable() -> None:
                raise click.ClickException(message)

            return click.Command(
                name,
                callback=unavailable,
                help=message,
                short_help=message.split(":")[0] + ".",
                context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="palauteluokitin")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """palauteluokitin: text mining for Finnish social and health care feedback."""
    ctx.with_resource(stopped_cleanly())  # every command: SIGTERM/SIGHUP leave no file behind


@cli.command("lemmatize")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--backend",
    type=click.Choice(sorted(BACKENDS)),
    default=DEFAULT_BACKEND,
    show_default=True,
    help="Lemmatiser backend.",
)
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["text", "conllu"]),
    default="text",
    show_default=True,
    help="text: one comment per line, lemmas out per line. conllu: keep the gold "
    "tokens, fill the LEMMA column, leave every other column unchanged.",
)
@click.option(
    "--stats",
    is_flag=True,
    help="Print to stderr at the end how long loading took, and the words, time and (from at least "
    "1,000 words and 0.5 s) words/s of lemmatising.",
)
def lemmatize_cli(source, backend: str, input_format: str, stats: bool) -> None:
    """Lemmatise SOURCE (a file, or - for standard input) to standard output."""
    from palauteluokitin.text.lemmatize import lemmatize_conllu_stream, lemmatize_text_stream, timing
    from palauteluokitin.text.lemmatizers import get_lemmatizer

    lemmatizer = get_lemmatizer(backend)
    started = time.perf_counter()
    if stats:  # load now, so that the words/s is the lemmatiser's and not its start-up's
        lemmatizer.load()
        if input_format == "text":
            from palauteluokitin.text.tokenize import finnish_tokenizer

            finnish_tokenizer()
    loaded = time.perf_counter()
    run = lemmatize_conllu_stream if input_format == "conllu" else lemmatize_text_stream
    name = getattr(source, "name", "<input>")
    try:
        words = run(source, sys.stdout, lemmatizer, source=name)
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{name} is not UTF-8 ({error.reason} at byte {error.start}). Convert it first, "
            f"e.g. iconv -f cp1252 -t utf-8 {name} > converted.txt"
        ) from error
    if stats:
        done = time.perf_counter()
        click.echo(f"{backend} loaded in {loaded - started:.2f} s; {timing(words, done - loaded)}", err=True)


@cli.command("backends")
def backends_cli() -> None:
    """List the lemmatiser backends and whether each works on this machine."""
    from palauteluokitin.text.lemmatizers import available_backends

    for name, problem in available_backends().items():
        mark = "default" if name == DEFAULT_BACKEND else ""
        state = "available" if problem is None else f"unavailable: {problem}"
        click.echo(f"{name:10} {mark:8} {state}")


@cli.command("validate-corpus")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--shipped-minimums",
    is_flag=True,
    help="Also require the minimum label counts of the corpus that ships with the project.",
)
def validate_corpus_cli(path: Path, shipped_minimums: bool) -> None:
    """Check an annotated corpus (CSV) against the label scheme: ids, label values,
    duplicate openings, near-duplicates; print its label counts."""
    from palauteluokitin.training.corpus import (
        SHIPPED_CORPUS_REQUIREMENTS,
        CorpusRequirements,
        label_counts,
        read_corpus,
        validate_corpus,
    )

    rows = read_corpus(path)
    needs = SHIPPED_CORPUS_REQUIREMENTS if shipped_minimums else CorpusRequirements()
    problems = validate_corpus(rows, needs)
    for name, count in sorted(label_counts(rows).items()):
        click.echo(f"{name:45} {count:6}")
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {path}; see the lines above.")
    click.echo(f"{path}: {len(rows)} comments, no problems.")


@cli.command("audit-shortcuts")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", default="train", show_default=True, help="Audit this split ('all' for every row).")
@click.option("--lang", default="fi", show_default=True, help="Audit this language ('all' for every row).")
@click.option(
    "--limit",
    type=click.FloatRange(0.5, 1.0),
    default=0.70,
    show_default=True,
    help="Fail when an audited label's cross-validated ROC AUC is above this.",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    help="Audit this label (repeatable; e.g. kohtelu, sentiment=neutraali); "
    "default: epaasiallinen_kohtelu and sentiment=negatiivinen.",
)
@click.option(
    "--model",
    type=click.Choice(["logistic", "boosting"]),
    default="logistic",
    show_default=True,
    help="The surface-feature model; boosting also finds bands and interactions.",
)
def audit_shortcuts_cli(
    path: Path, split: str, lang: str, limit: float, labels: tuple[str, ...], model: str
) -> None:
    """Can a label of the corpus at PATH be predicted from the form of the comments alone
    (length, pronouns, reporting verbs, että/kun, quotes, spoken register, relatives)?
    Prints the cross-validated ROC AUC of a surface-feature model per label."""
    from palauteluokitin.training.corpus import read_corpus
    from palauteluokitin.training.shortcuts import AUDITED_LABELS, audit_shortcuts, shortcuts_over_limit

    rows = [
        row for row in read_corpus(path) if split in ("all", row["split"]) and lang in ("all", row["lang"])
    ]
    if not rows:
        raise click.ClickException(f"{path} has no rows with split={split} and lang={lang}.")
    audited = labels or AUDITED_LABELS
    scores = audit_shortcuts(rows, model)
    click.echo(
        f"{len(rows)} comments (split={split}, lang={lang}); surface-feature ROC AUC of {model}, 5-fold CV"
    )
    for score in scores:
        mark = "audited" if score.label in audited else ""
        click.echo(
            f"{score.label:26} {score.positives:6} {score.roc_auc:6.3f} {mark:8} {', '.join(score.leading)}"
        )
    unknown = sorted(set(audited) - {score.label for score in scores})
    if unknown and labels:
        raise click.ClickException(f"no such label with enough positives: {', '.join(unknown)}")
    for label in unknown:
        click.echo(f"{label}: too few positives or negatives to audit", err=True)
    over = shortcuts_over_limit(scores, limit, audited)
    if over:
        raise click.ClickException(
            f"form alone predicts {', '.join(score.label for score in over)} above ROC AUC {limit}: "
            "add contrasts (the same comment with and without what the label is about)."
        )
    click.echo(f"every audited label at or below ROC AUC {limit}.")


@cli.command("train")
@click.option(
    "--config",
    "recipe_path",
    type=click.Path(path_type=Path),
    help="Training recipe (TOML); default pipelines/baseline.toml.",
)
@click.option(
    "--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Annotated corpus CSV."
)
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="Write the model bundle here."
)
@click.option("--overwrite", is_flag=True, help="Replace an existing bundle at --output.")
@click.option(
    "--tracking-uri",
    help="MLflow tracking URI (default: MLFLOW_TRACKING_URI, else the local store ./mlflow/mlflow.db).",
)
@click.option("--experiment", default="palauteluokitin", show_default=True, help="MLflow experiment name.")
@click.option(
    "--register",
    metavar="NAME",
    help="Register the model under NAME; the alias 'champion' moves to it only if it beats the "
    "current champion on dev.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --register: make the new model the champion even if the gate finds it worse.",
)
@click.option(
    "--no-tracking", is_flag=True, help="Do not log the run to MLflow (then --output keeps the model)."
)
def train_cli(
    recipe_path: Path,
    data: Path | None,
    output: Path | None,
    overwrite: bool,
    tracking_uri: str | None,
    experiment: str,
    register: str | None,
    force: bool,
    no_tracking: bool,
) -> None:
    """Train the classifier from a recipe; print dev and test metrics; save a bundle and
    log the run (params, metrics, plots, bundle, pyfunc model) to MLflow."""
    import tempfile

    from palauteluokitin.output_paths import check_output
    from palauteluokitin.training.card import save_trained
    from palauteluokitin.training.recipe import load_recipe
    from palauteluokitin.training.scorecard import scorecard, standard_sets
    from palauteluokitin.training.train import DEFAULT_CORPUS, DEFAULT_RECIPE, train

    if register and no_tracking:
        raise click.ClickException("--register needs MLflow tracking; drop --no-tracking.")
    if force and not register:
        raise click.ClickException("--force only applies with --register NAME.")
    if no_tracking and not output:
        raise click.ClickException(
            "--no-tracking without --output would train and then throw the model away: "
            "pass --output DIR to keep the bundle, or drop --no-tracking to log it to MLflow."
        )
    if output:
        check_output(output, overwrite=overwrite, folder=True)
    if not no_tracking:
        import palauteluokitin.tracking  # noqa: F401  (fails now, not after training, without the extra)
    result = train(load_recipe(recipe_path or DEFAULT_RECIPE), data or DEFAULT_CORPUS)
    for split in ("dev", "test"):
        metrics = result.metrics.get(split, {})
        click.echo(
            f"{split}: categories macro-F1 {metrics.get('categories_macro_f1')}, "
            f"sentiment accuracy {metrics.get('sentiment_accuracy')}, "
            f"flag recall {metrics.get('epaasiallinen_kohtelu_recall')} / "
            f"precision {metrics.get('epaasiallinen_kohtelu_precision')}"
        )
    click.echo(f"trained in {result.seconds} s")
    card = None
    try:
        card = scorecard(result.model, **standard_sets(data or DEFAULT_CORPUS))
    except (PalauteluokitinError, FileNotFoundError) as error:
        click.echo(f"No scorecard in the model card: {error}", err=True)
    with tempfile.TemporaryDirectory() as scratch:
        bundle = save_trained(result, output or Path(scratch) / "bundle", overwrite=overwrite, scorecard=card)
        if output:
            click.echo(f"saved {output}")
        if not no_tracking:
            from palauteluokitin.tracking.runs import default_tracking_uri, log_training

            uri = tracking_uri or default_tracking_uri()
            tracked = log_training(result, bundle, uri, experiment, register, force, data or DEFAULT_CORPUS)
            click.echo(f"MLflow run {tracked.run_id} in {uri} (experiment {experiment!r})")
            if register:
                for line in tracked.gate:
                    click.echo(f"gate: {line}")
                state = "now the champion" if tracked.champion else "the champion stays"
                click.echo(f"registered {register} version {tracked.registered_version}: {state}")
                if tracked.regressions:
                    worse = "; ".join(tracked.regressions)
                    if tracked.champion:
                        click.echo(f"Warning: promoted by --force although worse on: {worse}", err=True)
                    else:
                        click.echo(f"not promoted: worse than the champion on: {worse}")


def model_options(command):
    """--model, --models-dir and --trust-model, for every command that loads a model bundle."""
    command = click.option(
        "--trust-model",
        is_flag=True,
        help="Allow a model bundle from outside the models directory "
        "(loading a model runs code from its file: only for bundles you trust).",
    )(command)
    command = click.option(
        "--models-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of model bundles (default: $PALAUTELUOKITIN_MODELS_DIR, else the bundles "
        "installed with the package).",
    )(command)
    return click.option(
        "--model",
        "model_name",
        default="default",
        show_default=True,
        help="Model bundle: a name in the models directory or a path to a bundle folder.",
    )(command)


@cli.command("evaluate")
@click.argument("source", type=click.Path(path_type=Path))
@model_options
@click.option("--text-column", help="Column with the comments (default: detected).")
@click.option("--split", help="Score only the rows of this split (e.g. test) of a file with a split column.")
def evaluate_cli(
    source: Path,
    model_name: str,
    models_dir: Path | None,
    trust_model: bool,
    text_column: str | None,
    split: str | None,
) -> None:
    """Print the per-label report of a model on any labelled file (the corpus columns:
    the four categories, sentiment and epaasiallinen_kohtelu): the rows scored per split,
    a warning for rows the model was trained on, one headline (the categories' macro-F1,
    the macro avg of their table); with a pair column, also the share of contrast pairs
    right on both members. A classify output (labels that are a model's predictions) is refused."""
    from palauteluokitin.classify.loaded_model import load_model
    from palauteluokitin.training.evaluation import evaluate_file

    model = load_model(model_name, trusted=trust_model, models_dir=models_dir)
    click.echo(evaluate_file(source, model, text_column, split))


@cli.command("scorecard")
@model_options
@click.option(
    "--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Annotated corpus CSV."
)
def scorecard_cli(model_name: str, models_dir: Path | None, trust_model: bool, data: Path | None) -> None:
    """Score a model on every set the project judges models by: the corpus's test split and
    its contrast pairs, the challenge set, the real-text development set and the
    behavioural suite (needs the real texts in ../shared/realtext or
    PALAUTELUOKITIN_REALTEXT_DIR)."""
    from palauteluokitin.classify.loaded_model import load_model
    from palauteluokitin.training.scorecard import precision_at_prevalence, scorecard, standard_sets

    model = load_model(model_name, trusted=trust_model, models_dir=models_dir)
    card = scorecard(model.classifier, **standard_sets(data))
    click.echo(f"Model {model.version}")
    for part, scores in card.items():
        click.echo(f"{part}:")
        for name, value in scores.items():
            click.echo(f"  {name:44} {value}")
    real = card["realtext_dev"]
    implied = precision_at_prevalence(card["test"][f"{FLAG}_recall"], real["false_flag_rate"])
    click.echo(f"flag precision implied at 3 % prevalence (test recall, real-text false flags): {implied}")


@contextmanager
def stopped_cleanly():
    """SIGTERM and SIGHUP stop the block as Ctrl-C does, by an exception: the output's
    temporary .part file is removed on the way out. The exit status is 128 + the signal's
    number, after one line saying so. (SIGKILL cannot be caught: its .part file stays.)
    The `cli` group applies it to every command; handlers can only be set in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from palauteluokitin.output_paths import stop_signals

    numbers = stop_signals()

    def stop(number, frame) -> None:
        for each in numbers:  # a second signal must not cut the clean-up short
            signal.signal(each, signal.SIG_IGN)
        click.echo(f"Error: stopped by {signal.Signals(number).name}; no output written.", err=True)
        raise SystemExit(128 + number)

    previous = {number: signal.signal(number, stop) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@cli.command("classify")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output file; its extension sets "
    "the format (.csv .tsv .xlsx .parquet .jsonl). Default: <input>.classified.csv beside the input.",
)
@click.option("--text-column", help="Column with the comments (default: detected from names and lengths).")
@click.option("--id-column", help="Column with row ids, used in problem reports (default: detected).")
@click.option(
    "--sheet",
    metavar="NAME|N",
    help="Excel: the sheet to read, by name or by number (1 = the first; a sheet named '2' wins over "
    "the second). Default: the only sheet, else the one sheet with the text column (--text-column, or "
    "one named like palaute/kommentti/comment); none or several is an error listing the sheets.",
)
@model_options
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the output file if it exists (never the input). Checked before the model loads.",
)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--redact",
    is_flag=True,
    help="Replace personal data (names, identity codes, phone numbers, emails, addresses, "
    "account numbers) in the comment column and flag reasons of the output.",
)
@click.option("--quiet", is_flag=True, help="No progress and no summary; errors only.")
def classify_cli(
    source: Path,
    output: Path | None,
    text_column: str | None,
    id_column: str | None,
    sheet: str | None,
    model_name: str,
    models_dir: Path | None,
    trust_model: bool,
    overwrite: bool,
    jobs: int,
    redact: bool,
    quiet: bool,
) -> None:
    """Classify every comment of a feedback export (CSV/TSV/TXT, Excel, Parquet, JSONL):
    rights categories, sentiment, the mistreatment flag with its reasons, and language.
    On a terminal a progress line shows each step, then rows, rows/s and the time left."""
    from palauteluokitin.classify.progress import ProgressLine

    progress = ProgressLine(sys.stderr) if not quiet and sys.stderr.isatty() else None
    if progress:
        progress(f"reading {source.name}", 0, None)  # shown while the classifier's modules load
    from palauteluokitin.classify.batch import classify_file

    try:
        summary = classify_file(
            source,
            output,
            text_column=text_column,
            id_column=id_column,
            sheet=sheet,
            model=model_name,
            models_dir=models_dir,
            trust_model=trust_model,
            overwrite=overwrite,
            redact=redact,
            jobs=jobs,
            progress=progress,
        )
    finally:
        if progress:
            progress.close()
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)


@cli.command("classify-spark")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--master",
    default="local[*]",
    show_default=True,
    help="Spark master: local[N] on this machine, spark://host:7077, yarn… (needs Java 17+).",
)
@click.option("--text-column", help="Column with the comments (default: detected from the first rows).")
@click.option("--id-column", help="Column with row ids (checked to exist).")
@model_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="Output format: a folder of Parquet or CSV part files, as Spark writes them.",
)
@click.option(
    "--input-format",
    type=click.Choice(["parquet", "csv"]),
    help="Input format (default: from the file extensions).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the output folder if it is not empty. Checked before Spark starts.",
)
@click.option("--quiet", is_flag=True, help="No summary; errors only.")
def classify_spark_cli(
    source: Path,
    output: Path,
    master: str,
    text_column: str | None,
    id_column: str | None,
    model_name: str,
    models_dir: Path | None,
    trust_model: bool,
    output_format: str,
    input_format: str | None,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Classify a Parquet or CSV file or folder with Apache Spark (the `spark` extra) into
    the folder OUTPUT: the same columns and rows as `classify`, for collections that
    outgrow one machine or live in a data lake."""
    from palauteluokitin.output_paths import check_output

    check_output(output, overwrite=overwrite, inputs=[source], folder=True)
    from palauteluokitin.spark import classify_files

    summary = classify_files(
        source,
        output,
        master=master,
        text_column=text_column,
        id_column=id_column,
        model=model_name,
        models_dir=models_dir,
        trusted=trust_model,
        output_format=output_format,
        input_format=input_format,
        overwrite=overwrite,
    )
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)


def main() -> None:
    cli(prog_name="palauteluokitin")


def _month(_ctx, param, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value!r} is not a month YYYY-MM.", param=param)
    return value


@cli.command("report")
@click.argument(
    "classified_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML report here.",
)
@click.option("--unit-column", help="Column naming the unit (default: detected, e.g. yksikkö).")
@click.option("--date-column", help="Column with the answer date (default: detected, e.g. pvm).")
@click.option("--nps-column", help="Column with the 0–10 recommendation score (default: detected).")
@click.option("--text-column", help="Column with the comment text (default: detected).")
@click.option(
    "--review-db",
    help="Review database URL: adds the review state of flagged comments and the development actions.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Instead of the analyst report, write the public page (Mitä palautteesi sai aikaan) from "
    "--review-db alone: figures of all answers, no comment text, none from fewer than 5 answers.",
)
@click.option("--unit", help="With --public: the page of this unit (default: the whole organisation).")
@click.option("--start", callback=_month, help="With --public: the first month, YYYY-MM.")
@click.option("--end", callback=_month, help="With --public: the last month, YYYY-MM.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
def report_cli(
    classified_file: Path | None,
    output: Path,
    unit_column: str | None,
    date_column: str | None,
    nps_column: str | None,
    text_column: str | None,
    review_db: str | None,
    public: bool,
    unit: str | None,
    start: str | None,
    end: str | None,
    overwrite: bool,
) -> None:
    """Write an analyst report (one self-contained HTML page, in Finnish) of CLASSIFIED_FILE,
    the output of `palauteluokitin classify`; or, with --public, the public page of what
    feedback led to, from the review database only (no CLASSIFIED_FILE)."""
    if public:
        if classified_file is not None:
            raise click.UsageError(
                "give CLASSIFIED_FILE (the analyst report) or --public (the public page), not both."
            )
        if any([unit_column, date_column, nps_column, text_column]):
            raise click.UsageError(
                "--unit-column, --date-column, --nps-column and --text-column are for CLASSIFIED_FILE, "
                "not --public."
            )
        if not review_db:
            raise click.UsageError("--public needs --review-db.")
        from palauteluokitin.report.actions import write_public_page

        view = write_public_page(review_db, output, unit=unit, start=start, end=end, overwrite=overwrite)
        click.echo(
            f"Wrote {output}: the public page of {view['unit'] or 'the organisation'}, "
            f"months {view['period'] or 'all'}, {len(view['actions'])} completed actions."
        )
        return
    if classified_file is None:
        raise click.UsageError(
            "give CLASSIFIED_FILE for the analyst report, or --public for the public page."
        )
    if unit or start or end:
        raise click.UsageError("--unit, --start and --end go with --public.")
    from palauteluokitin.report.build import write_report

    written = write_report(
        classified_file,
        output,
        overwrite=overwrite,
        unit_column=unit_column,
        date_column=date_column,
        nps_column=nps_column,
        text_column=text_column,
        review_db=review_db,
    )
    click.echo(
        f"Wrote {written.path}: {written.comments} comments reported, {written.without_comment} answers "
        f"without a comment, {written.problems} rows could not be classified."
    )
