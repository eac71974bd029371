"""Model bundles: a folder with the fitted pipeline, its metadata and checksums.

Loading a joblib file runs code, so a bundle is loaded only when every file matches
the checksums in SHA256SUMS, and only from the project's `models/` folder unless the
caller says `trusted=True` for a folder they vouch for.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import joblib

from palauteluokitin.errors import PalauteluokitinError
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.train import PROJECT_ROOT, TrainingResult

MODELS_DIR = PROJECT_ROOT / "models"
PIPELINE_FILE, METADATA_FILE, CARD_FILE, CHECKSUM_FILE = (
    "model.joblib",
    "model.json",
    "MODEL_CARD.md",
    "SHA256SUMS",
)
BUNDLE_FILES = (PIPELINE_FILE, METADATA_FILE, CARD_FILE)
PACKAGES = ("palauteluokitin", "scikit-learn", "numpy", "scipy", "pandas", "joblib", "spacy", "simplemma")


class BundleError(PalauteluokitinError):
    """A model bundle that is missing, incomplete, tampered with or not trusted."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def metadata(result: TrainingResult) -> dict:
    return {
        "name": result.recipe.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "label_scheme": {"rights_categories": RIGHTS_CATEGORIES, "sentiments": SENTIMENTS, "flag": FLAG},
        "thresholds": result.model.thresholds_,
        "recipe": result.recipe.model_dump(mode="json"),
        "training_data_sha256": result.data_sha256,
        "training_seconds": result.seconds,
        "metrics": result.metrics,
        "packages": {name: version(name) for name in PACKAGES} | {"python": platform.python_version()},
    }


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
  synthetic comments written for this project; see its data card.
- Thresholds: {json.dumps(meta["thresholds"])}
- Created {meta["created"]} with palauteluokitin {meta["packages"]["palauteluokitin"]}.

| label | F1 dev | F1 test |
|---|---:|---:|
{rows}

Sentiment accuracy: dev {dev.get("sentiment_accuracy", "–")}, test {test.get("sentiment_accuracy", "–")}.
Flag recall / precision at its threshold: dev {dev.get(f"{FLAG}_recall", "–")} /
{dev.get(f"{FLAG}_precision", "–")}, test {test.get(f"{FLAG}_recall", "–")} /
{test.get(f"{FLAG}_precision", "–")}.

## Known limits

Trained on synthetic comments: expect lower scores on real feedback, and check the
model on a sample of your own annotated comments. Swedish and English comments are
few in the training data. The flag is tuned for recall: expect false alarms.
"""


def save_bundle(result: TrainingResult, directory: Path, overwrite: bool = False) -> Path:
    """Write the bundle; refuse to replace an existing one unless `overwrite`."""
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise BundleError(f"{directory} exists and is not empty; pass overwrite to replace it.")
    directory.mkdir(parents=True, exist_ok=True)
    meta = metadata(result)
    joblib.dump(result.model, directory / PIPELINE_FILE, compress=3)
    (directory / METADATA_FILE).write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (directory / CARD_FILE).write_text(model_card(meta), encoding="utf-8")
    sums = "".join(f"{_sha256(directory / name)}  {name}\n" for name in BUNDLE_FILES)
    (directory / CHECKSUM_FILE).write_text(sums, encoding="utf-8")
    return directory


def verify_bundle(directory: Path) -> dict:
    """Check every file against SHA256SUMS; return the metadata with the model file's checksum."""
    sums_path = directory / CHECKSUM_FILE
    if not sums_path.is_file():
        raise BundleError(f"{directory} is not a model bundle: {CHECKSUM_FILE} is missing.")
    expected = dict(
        reversed(line.split("  ", 1)) for line in sums_path.read_text(encoding="utf-8").splitlines()
    )
    for name in BUNDLE_FILES:
        path = directory / name
        if not path.is_file():
            raise BundleError(f"{directory}: {name} is missing.")
        if expected.get(name) != _sha256(path):
            raise BundleError(
                f"{directory}: {name} does not match its checksum; the bundle was changed after it "
                "was made. Refusing to load it (loading a model file runs code)."
            )
    meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return meta | {"model_sha256": expected[PIPELINE_FILE]}


def resolve_bundle(name_or_path: str) -> Path:
    """A bundle name in models/ or a path to a bundle folder."""
    candidate = MODELS_DIR / name_or_path
    return candidate if candidate.is_dir() else Path(name_or_path)


def load_bundle(name_or_path: str, trusted: bool = False):
    """(model, metadata) of a verified bundle from models/, or from elsewhere if trusted."""
    directory = resolve_bundle(name_or_path).resolve()
    if not directory.is_dir():
        raise BundleError(f"No model bundle at {name_or_path!r} (looked in {MODELS_DIR} and as a path).")
    if not trusted and MODELS_DIR.resolve() not in directory.parents:
        raise BundleError(
            f"{directory} is outside {MODELS_DIR}. Loading a model runs code from its file: "
            "load bundles from elsewhere only if you trust where they came from (trusted=True)."
        )
    meta = verify_bundle(directory)
    return joblib.load(directory / PIPELINE_FILE), meta
