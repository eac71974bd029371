"""Classifying comments with a model bundle: the Python API behind `palauteluokitin classify`.

    model = load_model("default")
    model.classify(["Hoitaja huusi minulle."])          # -> [Result(...)]
    model.classify_frame(frame, text_column="palaute")   # -> frame + output columns

A value that is not a classifiable comment (empty, not text, huge, undecodable) gets
a `problem` and empty labels instead of an exception, so every row comes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from palauteluokitin.labels import EMPTY_COMMENT, FLAG, OUTPUT_COLUMNS, OUTPUT_DTYPES, RIGHTS_CATEGORIES
from palauteluokitin.modeling.compiled import CompiledClassifier
from palauteluokitin.modeling.explain import FlagExplainer
from palauteluokitin.text.language import detect_languages

MAX_TEXT_CHARS = 20_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WORDLIKE = re.compile(r"[^\W\d_]|[\u2600-\u27bf\U0001f300-\U0001faff]")
REASON_SEPARATOR = "; "
# Finnish, flagged, and Swedish (which takes the language model): every lazy part loads.
WARM_UP_TEXTS = ("Hoitaja huusi minulle ja nauroi kivuilleni.", "Personalen var vänlig och hjälpsam.")


@dataclass(frozen=True)
class Result:
    """The classification of one comment; labels are None when `problem` is set."""

    categories: dict[str, int | None] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    sentiment: str | None = None
    sentiment_score: float | None = None
    flag: int | None = None
    flag_score: float | None = None
    flag_reasons: tuple[str, ...] = ()
    lang: str = ""
    model_version: str = ""
    problem: str = ""

    def row(self) -> dict:
        """The output columns of `classify`, in order."""
        cells: dict = {}
        for label in RIGHTS_CATEGORIES:
            cells[label] = self.categories.get(label)
            cells[f"{label}_score"] = self.scores.get(label)
        cells |= {
            "sentiment": self.sentiment,
            "sentiment_score": self.sentiment_score,
            FLAG: self.flag,
            f"{FLAG}_score": self.flag_score,
            "flag_reasons": REASON_SEPARATOR.join(self.flag_reasons),
            "lang": self.lang,
            "model_version": self.model_version,
            "problem": self.problem,
        }
        return cells


def text_problem(value) -> tuple[str, str]:
    """(the text to classify, '') or ('', why the value is not a classifiable comment)."""
    if value is None or (isinstance(value, float) and value != value):
        return "", EMPTY_COMMENT
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return "", "not text: bytes that are not UTF-8"
    if isinstance(value, int | float):
        return "", "not text: a number"
    if not isinstance(value, str):
        return "", f"not text: a {type(value).__name__} value"
    text = CONTROL_CHARACTERS.sub(" ", value).strip()
    if not text:
        return "", EMPTY_COMMENT
    if len(text) > MAX_TEXT_CHARS:
        return "", f"too long: {len(text):,} characters (the limit is {MAX_TEXT_CHARS:,}); split the comment"
    if text.count("\ufffd") * 5 > len(text):
        return "", "undecodable: most characters could not be read in the file's encoding"
    # "-", "–" or "..." is how respondents leave an answer empty: a neutral remark by the
    # label scheme, classified as such; digits without letters are another column's data.
    if not WORDLIKE.search(text) and any(character.isdigit() for character in text):
        return "", "not text: digits and signs, no letters"
    return text, ""


class LoadedModel:
    """A model bundle ready to classify: the compiled classifier with its metadata; the
    scikit-learn estimator (`classifier`) loads only if asked for (evaluation)."""

    def __init__(self, model, metadata: dict, bundle: Path | None = None) -> None:
        """`model`: a `CompiledClassifier`, or a fitted `FeedbackClassifier` to compile;
        `bundle`: the folder it came from, where `classifier` is loaded from."""
        self.compiled = model if isinstance(model, CompiledClassifier) else CompiledClassifier(model)
        self.compiled.features.check_available()
        self.metadata = metadata
        self.bundle = bundle
        if not isinstance(model, CompiledClassifier):
            self.classifier = model
        self.version = f"{metadata.get('name', 'model')}-{metadata.get('created', '')[:10]}"
        if metadata.get("model_sha256"):
            self.version += f"-{metadata['model_sha256'][:8]}"

    @cached_property
    def classifier(self):
        """The fitted `FeedbackClassifier` of the bundle (imports scikit-learn)."""
        from palauteluokitin.modeling.bundle import load_bundle

        return load_bundle(str(self.bundle), trusted=True)[0]

    @cached_property
    def explainer(self) -> FlagExplainer:
        return FlagExplainer(self.compiled)

    def warm_up(self, texts: Iterable = ()) -> None:
        """Classify `texts` and a few of our own, for their side effects only: what
        classifying loads on first use (tokenizer, lexicon, language model, explainer) is
        loaded, and the words of `texts` remembered, so that worker processes forked
        afterwards share them instead of each finding them again."""
        self.classify([*WARM_UP_TEXTS, *texts])

    def classify(self, texts: Iterable, row_problems: Sequence[str] | None = None) -> list[Result]:
        """One Result per value, in order. `row_problems` (from a reader) mark rows that
        are kept but not classified."""
        values = list(texts)
        checked = [text_problem(value) for value in values]
        if row_problems is not None:
            checked = [
                (text, given or problem) for (text, problem), given in zip(checked, row_problems, strict=True)
            ]
        results: list[Result | None] = [
            Result(model_version=self.version, problem=problem) if problem else None for _, problem in checked
        ]
        valid = [index for index, result in enumerate(results) if result is None]
        if valid:
            texts_ = [checked[index][0] for index in valid]
            for index, result in zip(valid, self._classify_texts(texts_), strict=True):
                results[index] = result
        return results

    def _classify_texts(self, texts: list[str]) -> list[Result]:
        analysis = self.compiled.analyse(texts)
        scores, decided = analysis.scores, analysis.decisions
        labels = {label: decided[label].to_numpy() for label in (*RIGHTS_CATEGORIES, FLAG)}
        label_scores = {label: scores[label].to_numpy().round(4) for label in (*RIGHTS_CATEGORIES, FLAG)}
        sentiments = decided["sentiment"].to_numpy()
        sentiment_scores = decided["sentiment_score"].to_numpy().round(4)
        languages = detect_languages(texts)
        results = []
        for position, language in enumerate(languages):
            flag = int(labels[FLAG][position])
            reasons = tuple(self.explainer.reasons(analysis, position)) if flag else ()
            results.append(
                Result(
                    categories={label: int(labels[label][position]) for label in RIGHTS_CATEGORIES},
                    scores={label: float(label_scores[label][position]) for label in RIGHTS_CATEGORIES},
                    sentiment=str(sentiments[position]),
                    sentiment_score=float(sentiment_scores[position]),
                    flag=flag,
                    flag_score=float(label_scores[FLAG][position]),
                    flag_reasons=reasons,
                    lang=language,
                    model_version=self.version,
                )
            )
        return results

    def classify_frame(
        self,
        frame: pd.DataFrame,
        text_column: str | None = None,
        row_problems: Sequence[str] | None = None,
        redact: bool = False,
    ) -> pd.DataFrame:
        """`frame` with the output columns appended. Input columns that carry an output
        column's name are renamed `<name>_input` so that every name means one thing.
        With `redact`, personal data in the text column and the flag reasons is replaced
        by placeholders ([NIMI], [HETU]…) after classification."""
        from palauteluokitin.exports.columns import detect_text_column, given_column

        text_column = given_column(frame.columns, text_column, "text_column") or detect_text_column(frame)
        results = self.classify(frame[text_column].tolist(), row_problems)
        output = pd.DataFrame([result.row() for result in results], columns=OUTPUT_COLUMNS, index=frame.index)
        # Labels are integers and scores floats even in a chunk of problems only, where
        # every one is missing (Parquet takes each column's type from the first chunk).
        output = output.astype(OUTPUT_DTYPES)
        if redact:
            from palauteluokitin.privacy.redact import redact as redact_text

            frame = frame.copy()
            frame[text_column] = [redact_text(v) if isinstance(v, str) else v for v in frame[text_column]]
            output["flag_reasons"] = [redact_text(reasons) for reasons in output["flag_reasons"]]
        return pd.concat([frame.rename(columns=input_renames(frame.columns)), output], axis=1)


def input_renames(columns) -> dict[str, str]:
    """Each input column that carries an output column's name, mapped to a name no other
    column has: `<name>_input`, or `<name>_input2`… when a file is classified again."""
    taken = {str(column) for column in columns} | set(OUTPUT_COLUMNS)
    renames = {}
    for column in columns:
        if column in OUTPUT_COLUMNS:
            new, number = f"{column}_input", 1
            while new in taken:
                number += 1
                new = f"{column}_input{number}"
            renames[column] = new
            taken.add(new)
    return renames


def load_model(name_or_path: str = "default", trusted: bool = False, models_dir=None) -> LoadedModel:
    """A bundle by name from the models directory (see `modeling.bundle.models_dir`), or by
    path; a path outside it needs `trusted` (loading a model runs code from its file)."""
    from palauteluokitin.modeling.bundle import load_serving

    return LoadedModel(*load_serving(name_or_path, trusted=trusted, models_dir=models_dir))
