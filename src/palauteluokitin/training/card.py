"""What a trained bundle says about itself: its metadata (model.json) and model card."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.modeling.bundle import save_bundle
from palauteluokitin.training.scorecard import precision_at_prevalence
from palauteluokitin.training.train import TrainingResult

PACKAGES = ("palauteluokitin", "scikit-learn", "numpy", "scipy", "pandas", "joblib", "spacy", "simplemma")


def metadata(result: TrainingResult) -> dict:
    return {
        "name": result.recipe.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "label_scheme": {"rights_categories": RIGHTS_CATEGORIES, "sentiments": SENTIMENTS, "flag": FLAG},
        "thresholds": {label: result.model.threshold(label) for label in (*RIGHTS_CATEGORIES, FLAG)},
        "recipe": result.recipe.model_dump(mode="json"),
        "training_data_sha256": result.data_sha256,
        "training_seconds": result.seconds,
        "metrics": result.metrics,
        "packages": {name: version(name) for name in PACKAGES} | {"python": platform.python_version()},
    }


def auxiliary_lines(recipe: dict) -> str:
    """The auxiliary training rows of a recipe, with their sources and licences."""
    auxiliary = recipe.get("auxiliary", {})
    lines = ""
    if auxiliary.get("realtext_train"):
        lines += (
            "\n- Plus the train part of the real-text set (`data/realtext/labels.csv`: tweets from"
            "\n  TurkuNLP/korona-tweets labelled by this project; texts not shipped), weight"
            f" {auxiliary.get('realtext_weight', 1.0)}."
        )
    if auxiliary.get("xed_lines"):
        lines += (
            f"\n- Plus {auxiliary['xed_lines']} XED Finnish subtitle lines as sentiment examples"
            f"\n  (Öhman et al., COLING 2020, CC BY 4.0), weight {auxiliary.get('xed_weight', 1.0)}."
        )
    return lines


def operating_point_line(recipe: dict) -> str:
    """How the flag's threshold was chosen."""
    settings = recipe.get("thresholds", {})
    pooled = ["dev"]
    if settings.get("flag_pool_train_out_of_fold"):
        pooled.append("out-of-fold scores of the train split")
    if settings.get("flag_pool_realtext_dev"):
        pooled.append("the real-text development set")
    confidence = settings.get("flag_recall_confidence")
    how = f"with {confidence:.0%} confidence (a lower bound)" if confidence else "as a point estimate"
    return (
        f"\n- Flag threshold: the highest at which recall on {', '.join(pooled)} pooled reaches"
        f" {settings.get('flag_min_recall', 0.95)} {how}."
    )


def scorecard_lines(card: dict | None) -> str:
    """The model's scorecard (`training.scorecard`) as markdown, if it was added to the metadata."""
    if not card:
        return ""
    lines = ["## Scorecard", ""]
    for part, scores in card.items():
        shown = ", ".join(f"{name} {value}" for name, value in scores.items())
        lines.append(f"- **{part}**: {shown}")
    recall = card.get("test", {}).get(f"{FLAG}_recall")
    false_flags = card.get("realtext_dev", {}).get("false_flag_rate")
    if recall is not None and false_flags is not None:
        lines.append(
            f"\nFlag recall {recall} on the test split with {false_flags:.1%} false flags on real"
            f" unflagged texts: precision {precision_at_prevalence(recall, false_flags)} where 3 %"
            " of comments report mistreatment."
        )
    return "\n".join(lines) + "\n\n"


def model_card(meta: dict) -> str:
    dev, test = meta["metrics"].get("dev", {}), meta["metrics"].get("test", {})
    rows = "\n".join(
        f"| {label} | {dev.get(f'{label}_f1', '–')} | {test.get(f'{label}_f1', '–')} |"
        for label in (*RIGHTS_CATEGORIES, FLAG)
    )
    return f"""# Model card: {meta["name"]}

Classifies Finnish social and health care feedback comments by the client's and
patient's rights categories, sentiment, and a mistreatment flag tuned for recall.

- Recipe: {meta["recipe"]["description"] or meta["recipe"]["name"]}
- Training data: `data/annotated/palaute.csv` (sha256 {meta["training_data_sha256"][:12]}…),
  synthetic comments written for this project; see its data card.{auxiliary_lines(meta["recipe"])}
- Thresholds: {json.dumps(meta["thresholds"])}{operating_point_line(meta["recipe"])}
- Created {meta["created"]} with palauteluokitin {meta["packages"]["palauteluokitin"]}.

| label | F1 dev | F1 test |
|---|---:|---:|
{rows}

Sentiment accuracy: dev {dev.get("sentiment_accuracy", "–")}, test {test.get("sentiment_accuracy", "–")}.
Flag recall / precision at its threshold: dev {dev.get(f"{FLAG}_recall", "–")} /
{dev.get(f"{FLAG}_precision", "–")}, test {test.get(f"{FLAG}_recall", "–")} /
{test.get(f"{FLAG}_precision", "–")}.

{scorecard_lines(meta.get("scorecard"))}## Known limits

Trained on synthetic comments: expect lower scores on real feedback, and check the
model on a sample of your own annotated comments. Swedish and English comments are
few in the training data. The flag is tuned for recall: expect false alarms.
"""


def save_trained(
    result: TrainingResult, directory: Path, overwrite: bool = False, scorecard: dict | None = None
) -> Path:
    """Save a training result as a bundle with its metadata and model card (with the
    model's `scorecard` on the project's other sets, when given)."""
    meta = metadata(result) | ({"scorecard": scorecard} if scorecard else {})
    return save_bundle(result.model, meta, model_card(meta), directory, overwrite=overwrite)
