"""Model bundles: a folder with the fitted pipeline, its metadata and checksums.

The pipeline is a gzip-compressed pickle (`model.pkl.gz`): Python's own unpickler reads
it in a quarter of a second, where joblib's (written in Python) took a second. Beside it,
`serving.pkl.gz` holds the same model compiled (`modeling.compiled`): classifying loads
only that, without importing scikit-learn. Bundles made before hold `model.joblib` and
no serving file, and load as they did (compiled when loaded).

Loading a pickle runs code, so a bundle is loaded only when every file matches the
checksums in SHA256SUMS, and only from the models directory (`models_dir`) unless the
caller says `trusted=True` for a folder they vouch for. The shipped bundles are package
data of the wheel; in a source checkout they are its `models/` folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from palauteluokitin.errors import BundleError
from palauteluokitin.locations import PACKAGE_DIR, checkout_root
from palauteluokitin.output_paths import current_umask

MODELS_ENV = "PALAUTELUOKITIN_MODELS_DIR"
PIPELINE_FILE, SERVING_FILE, METADATA_FILE, CARD_FILE, CHECKSUM_FILE = (
    "model.pkl.gz",
    "serving.pkl.gz",
    "model.json",
    "MODEL_CARD.md",
    "SHA256SUMS",
)
OLD_PIPELINE_FILE = "model.joblib"
BUNDLE_FILES = (PIPELINE_FILE, SERVING_FILE, METADATA_FILE, CARD_FILE)


def models_directory(given: Path | str | None = None) -> Path:
    """Where bundles are found by name: `given`, else $PALAUTELUOKITIN_MODELS_DIR, else the
    bundles inside the installed package, else the checkout's models/ folder."""
    if given is not None:
        return Path(given)
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    packaged = PACKAGE_DIR / "models"
    root = checkout_root()
    return root / "models" if root is not None and not packaged.is_dir() else packaged


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_bundle(classifier, meta: dict, card: str, directory: Path, overwrite: bool = False) -> Path:
    """Write the bundle (the fitted classifier, its metadata and model card) with its
    checksums; refuse to replace an existing one unless `overwrite`. The files are written
    to a hidden folder beside it, renamed into place when complete, so an error or a stop
    signal leaves no half bundle (and an existing one as it was)."""
    if directory.exists() and any(directory.iterdir()) and not overwrite:
        raise BundleError(f"{directory} exists and is not empty; pass overwrite to replace it.")
    directory.parent.mkdir(parents=True, exist_ok=True)
    from palauteluokitin.modeling.compiled import CompiledClassifier

    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".part", dir=directory.parent))
    try:
        _write_pickle(classifier, staging / PIPELINE_FILE)
        _write_pickle(CompiledClassifier(classifier), staging / SERVING_FILE)
        (staging / METADATA_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (staging / CARD_FILE).write_text(card, encoding="utf-8")
        sums = "".join(f"{_sha256(staging / name)}  {name}\n" for name in BUNDLE_FILES)
        (staging / CHECKSUM_FILE).write_text(sums, encoding="utf-8")
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp made it private; a bundle is no secret
        if directory.exists():
            replaced = staging.with_suffix(".old")
            os.replace(directory, replaced)
            os.replace(staging, directory)
            shutil.rmtree(replaced)
        else:
            os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _write_pickle(value, path: Path) -> None:
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) as handle,
    ):  # no name or time in the header: the same model gives the same bytes
        pickle.dump(value, handle, protocol=5)


def _read_pickle(path: Path):
    with gzip.open(path, "rb") as handle:
        return pickle.load(handle)


def verify_bundle(directory: Path) -> dict:
    """Check every file against SHA256SUMS; return the metadata with the model file's name
    and checksum."""
    sums_path = directory / CHECKSUM_FILE
    if not sums_path.is_file():
        raise BundleError(f"{directory} is not a model bundle: {CHECKSUM_FILE} is missing.")
    expected = dict(
        reversed(line.split("  ", 1)) for line in sums_path.read_text(encoding="utf-8").splitlines()
    )
    pipeline = pipeline_file(expected)
    serving = [SERVING_FILE] if SERVING_FILE in expected else []
    for name in (pipeline, *serving, METADATA_FILE, CARD_FILE):
        path = directory / name
        if not path.is_file():
            raise BundleError(f"{directory}: {name} is missing.")
        if expected.get(name) != _sha256(path):
            raise BundleError(
                f"{directory}: {name} does not match its checksum; the bundle was changed after it "
                "was made. Refusing to load it (loading a model file runs code)."
            )
    meta = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return meta | {
        "model_sha256": expected[pipeline],
        "model_file": pipeline,
        "serving_file": SERVING_FILE if serving else None,
    }


def pipeline_file(checksums: dict[str, str]) -> str:
    """The pipeline's file name in a bundle with these checksums (older bundles: joblib)."""
    if OLD_PIPELINE_FILE in checksums and PIPELINE_FILE not in checksums:
        return OLD_PIPELINE_FILE
    return PIPELINE_FILE


def find_bundle(name_or_path: str, trusted: bool = False, models_dir: Path | str | None = None) -> Path:
    """The folder of a bundle: by name from the models directory, or by path; a path
    outside the models directory only if `trusted`."""
    folder = models_directory(models_dir)
    candidate = folder / name_or_path
    directory = (candidate if candidate.is_dir() else Path(name_or_path)).resolve()
    if not directory.is_dir():
        raise BundleError(
            f"No model bundle at {name_or_path!r} (looked in {folder} and as a path). "
            f"Name a bundle folder, or set --models-dir or {MODELS_ENV}."
        )
    if not trusted and folder.resolve() not in directory.parents:
        raise BundleError(
            f"{directory} is outside {folder}. Loading a model runs code from its file: "
            "load bundles from elsewhere only if you trust where they came from (trusted=True)."
        )
    return directory


def load_bundle(name_or_path: str, trusted: bool = False, models_dir: Path | str | None = None):
    """(classifier, metadata) of a verified bundle: the fitted `FeedbackClassifier`, for
    training, evaluation and tracking."""
    directory = find_bundle(name_or_path, trusted, models_dir)
    meta = verify_bundle(directory)
    return _load_classifier(directory, meta), meta


def load_serving(name_or_path: str, trusted: bool = False, models_dir: Path | str | None = None):
    """(compiled classifier, metadata, folder) of a verified bundle: what classifying
    needs, read from the serving file where the bundle has one (no scikit-learn import)."""
    from palauteluokitin.modeling.compiled import CompiledClassifier

    directory = find_bundle(name_or_path, trusted, models_dir)
    meta = verify_bundle(directory)
    if meta["serving_file"]:
        return _read_pickle(directory / SERVING_FILE), meta, directory
    return CompiledClassifier(_load_classifier(directory, meta)), meta, directory


def _load_classifier(directory: Path, meta: dict):
    if meta["model_file"] == PIPELINE_FILE:
        return _read_pickle(directory / PIPELINE_FILE)
    import joblib

    return joblib.load(directory / OLD_PIPELINE_FILE)
