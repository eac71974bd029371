"""Command line: thin wrappers over the library. Library errors become one clear message."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from palauteluokitin import __version__
from palauteluokitin.errors import PalauteluokitinError
from palauteluokitin.lemmatizers import BACKENDS, DEFAULT_BACKEND


class Group(click.Group):
    """Turns library errors into `Error: …` and exit status 1, without a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PalauteluokitinError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="palauteluokitin")
def cli() -> None:
    """palauteluokitin: text mining for Finnish social and health care feedback."""


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
@click.option("--stats", is_flag=True, help="Print words and words/s to stderr at the end.")
def lemmatize_cli(source, backend: str, input_format: str, stats: bool) -> None:
    """Lemmatise SOURCE (a file, or - for standard input) to standard output."""
    from palauteluokitin.lemmatize import lemmatize_conllu_stream, lemmatize_text_stream
    from palauteluokitin.lemmatizers import get_lemmatizer

    lemmatizer = get_lemmatizer(backend)
    started = time.perf_counter()
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
        seconds = time.perf_counter() - started
        click.echo(f"{words} words in {seconds:.2f} s ({words / max(seconds, 1e-9):,.0f} words/s)", err=True)


@cli.command("backends")
def backends_cli() -> None:
    """List the lemmatiser backends and whether each works on this machine."""
    from palauteluokitin.lemmatizers import available_backends

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
    from palauteluokitin.corpus import (
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
def train_cli(recipe_path: Path, data: Path | None, output: Path | None, overwrite: bool) -> None:
    """Train the classifier from a recipe; print dev and test metrics; save a bundle."""
    from palauteluokitin.bundle import save_bundle
    from palauteluokitin.config import load_recipe
    from palauteluokitin.train import DEFAULT_CORPUS, DEFAULT_RECIPE, train

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
    if output:
        save_bundle(result, output, overwrite=overwrite)
        click.echo(f"saved {output}")


def main() -> None:
    cli(prog_name="palauteluokitin")
