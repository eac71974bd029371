"""MLflow tracking of training runs: params, metrics, plots, the bundle and a pyfunc model.

The default store is embedded: a SQLite database and an artifact folder under
`./mlflow/` in the working directory (or PALAUTELUOKITIN_MLFLOW_DIR); any tracking
server works through `tracking_uri` or MLFLOW_TRACKING_URI. MLflow's usage telemetry
is switched off by the package's `__init__`; its INFO logs are kept out of our output.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from palauteluokitin.locations import checkout_root
from palauteluokitin.training.train import TrainingResult

DEFAULT_EXPERIMENT = "palauteluokitin"
CHAMPION = "champion"
SELECTION_METRIC = "dev_selection_score"
# Warnings MLflow gives whatever we pass, filtered around our calls only: its SQL store makes
# SQLAlchemy (>= 2.1) warn when it maps its tables, and importing mlflow.pyfunc infers schemas
# of MLflow's own agent types, with a warning (in colour) that MLflow drops unless warnings are errors.
MLFLOW_UNAVOIDABLE_WARNINGS = (
    (r"The ``noload`` loader strategy is deprecated", DeprecationWarning),
    (r".*Any type hint is inferred as AnyType", UserWarning),
)


def default_store() -> Path:
    return Path(os.environ.get("PALAUTELUOKITIN_MLFLOW_DIR", "mlflow")).resolve()


def default_tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{default_store() / 'mlflow.db'}"


@dataclass
class TrackedRun:
    run_id: str
    experiment_id: str
    model_uri: str
    registered_version: str | None = None
    champion: bool = False
    # the retraining gate against the previous champion: its table, and where the new model is worse
    gate: list[str] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)


def git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=checkout_root() or Path.cwd(),
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def flat_params(recipe: dict, prefix: str = "") -> dict[str, str]:
    params = {}
    for key, value in recipe.items():
        if isinstance(value, dict):
            params |= flat_params(value, f"{prefix}{key}.")
        else:
            params[f"{prefix}{key}"] = str(value)
    return params


def selection_score(dev: dict) -> float:
    """One number to compare models on dev: the mean of categories macro-F1, sentiment
    macro-F1 and the flag's PR-AUC."""
    return round(
        (dev["categories_macro_f1"] + dev["sentiment_macro_f1"] + dev["epaasiallinen_kohtelu_pr_auc"]) / 3, 4
    )


@contextmanager
def quiet_mlflow() -> Iterator[None]:
    """MLflow's own INFO logs (database set-up, uv project detection, input-example checks)
    and the warnings it cannot be kept from giving stay out of our output; its
    WARNING and ERROR logs still show, and MLFLOW_LOGGING_LEVEL, when set, is obeyed.
    Call after importing mlflow, which sets its logger up on import."""
    mlflow_logger = logging.getLogger("mlflow")
    level = mlflow_logger.level
    if not os.environ.get("MLFLOW_LOGGING_LEVEL"):
        mlflow_logger.setLevel(max(level, logging.WARNING))
    try:
        with warnings.catch_warnings():
            for message, category in MLFLOW_UNAVOIDABLE_WARNINGS:
                warnings.filterwarnings("ignore", message=message, category=category)
            yield
    finally:
        mlflow_logger.setLevel(level)


def _experiment(mlflow, name: str, tracking_uri: str) -> str:
    """The experiment's id; a new one in a SQLite store keeps its artifacts beside the database."""
    found = mlflow.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    artifacts = None
    if tracking_uri.startswith("sqlite:///"):
        artifacts = (Path(tracking_uri.removeprefix("sqlite:///")).parent / "artifacts").resolve().as_uri()
    return mlflow.create_experiment(name, artifact_location=artifacts)


def log_training(
    result: TrainingResult,
    bundle: Path,
    tracking_uri: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
    register: str | None = None,
    force: bool = False,
    corpus: Path | None = None,
) -> TrackedRun:
    """Log one training run with its saved bundle; register it under `register` and move
    the champion alias to it when it beats the current champion on dev and is no worse
    than it on the retraining gate's sets (the real-text development set, the
    behavioural suite and flag recall on `corpus`'s test split); `force` moves it anyway."""
    import mlflow  # noqa: F401  (sets its loggers up when first imported: before quiet_mlflow)

    with quiet_mlflow():
        return _log_training(result, bundle, tracking_uri, experiment, register, force, corpus)


def _log_training(
    result: TrainingResult,
    bundle: Path,
    tracking_uri: str | None,
    experiment: str,
    register: str | None,
    force: bool,
    corpus: Path | None,
) -> TrackedRun:
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature

    from palauteluokitin.classify.loaded_model import LoadedModel
    from palauteluokitin.modeling.bundle import verify_bundle
    from palauteluokitin.tracking import pyfunc
    from palauteluokitin.training.plots import write_evaluation

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    tracking_uri = tracking_uri or default_tracking_uri()
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(tracking_uri)
    experiment_id = _experiment(mlflow, experiment, tracking_uri)
    recipe = result.recipe.model_dump(mode="json")
    commit = git_commit()
    with mlflow.start_run(experiment_id=experiment_id, run_name=result.recipe.name) as run:
        mlflow.log_params(flat_params(recipe) | {"data_sha256": result.data_sha256, "git_commit": commit})
        mlflow.set_tags(
            {"git_commit": commit, "data_sha256": result.data_sha256, "recipe": result.recipe.name}
        )
        metrics = {
            f"{split}_{name}": value
            for split in ("dev", "test")
            for name, value in result.metrics.get(split, {}).items()
        }
        metrics |= {
            f"{split}_{name}": value
            for split, values in result.metrics.get("baselines", {}).items()
            for name, value in values.items()
        }
        metrics |= {
            "training_seconds": result.seconds,
            SELECTION_METRIC: selection_score(result.metrics["dev"]),
        }
        mlflow.log_metrics(metrics)
        mlflow.log_dict(recipe, "recipe.json")
        with tempfile.TemporaryDirectory() as scratch:
            for path in write_evaluation(result.model, result.evaluated, Path(scratch)):
                mlflow.log_artifact(str(path), "evaluation")
        mlflow.log_artifact(str(bundle / "MODEL_CARD.md"))
        mlflow.log_artifacts(str(bundle), "bundle")
        example = [
            "Hoitaja oli ystävällinen ja selitti kaiken.",
            "Odotin kolme tuntia eikä kukaan kertonut mitään.",
        ]
        # object-typed labels: MLflow compares the columns with a range, which pandas'
        # string-typed Index warns about
        frame = pd.DataFrame({"text": example}, columns=pd.Index(["text"], dtype=object))
        output = pyfunc.FeedbackPyfunc.predict_with(LoadedModel(result.model, verify_bundle(bundle)), frame)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=pyfunc.__file__,
            artifacts={"bundle": str(bundle)},
            code_paths=[str(Path(__file__).parents[1])],
            conda_env=pyfunc.conda_env(),
            signature=infer_signature(frame, output),
            input_example=frame,
        )
        tracked = TrackedRun(run.info.run_id, experiment_id, info.model_uri)
        if register:
            tracked.gate, tracked.regressions = _gate(mlflow, register, result.model, corpus)
    if register:
        tracked.registered_version, tracked.champion = _register(
            mlflow, register, tracked, metrics[SELECTION_METRIC], tracked.regressions, force
        )
    return tracked


def _gate(mlflow, name: str, classifier, corpus: Path | None) -> tuple[list[str], list[str]]:
    """The new model and the current champion of `name` scored on the gate's sets (logged
    to the active run); ([], []) when there is no champion yet."""
    from palauteluokitin.errors import PalauteluokitinError
    from palauteluokitin.modeling.bundle import load_bundle
    from palauteluokitin.training.scorecard import gate_regressions, gate_table, scorecard, standard_sets

    try:
        current = mlflow.MlflowClient().get_model_version_by_alias(name, CHAMPION)
    except mlflow.exceptions.MlflowException:
        return [], []
    folder = mlflow.artifacts.download_artifacts(run_id=current.run_id, artifact_path="bundle")
    champion, _ = load_bundle(folder, trusted=True)
    try:
        sets = standard_sets(corpus)
    except (PalauteluokitinError, FileNotFoundError) as error:
        return [f"not run: {error}"], ["the gate's sets, which are missing here (promote with --force)"]
    new_card, champion_card = scorecard(classifier, **sets), scorecard(champion, **sets)
    mlflow.log_metrics(
        {
            f"gate_{who}_{part}_{score}": card[part][score]
            for who, card in (("new", new_card), ("champion", champion_card))
            for part, values in card.items()
            for score in values
            if isinstance(card[part][score], int | float)
        }
    )
    return gate_table(new_card, champion_card), gate_regressions(new_card, champion_card)


def _register(
    mlflow, name: str, tracked: TrackedRun, score: float, regressions=(), force: bool = False
) -> tuple[str, bool]:
    """Register the run's model; move the champion alias to it when it beats the champion's
    dev selection score and has no regressions on the gate, or when `force`d."""
    client = mlflow.MlflowClient()
    # MLflow prints "Successfully registered model …" and "Created version …" past its loggers;
    # the train command says what was registered.
    stream = mlflow.utils.logging_utils.MLFLOW_LOGGING_STREAM
    enabled, stream.enabled = stream.enabled, False
    try:
        version = mlflow.register_model(tracked.model_uri, name).version
    finally:
        stream.enabled = enabled
    client.set_model_version_tag(name, version, SELECTION_METRIC, str(score))
    try:
        current = client.get_model_version_by_alias(name, CHAMPION)
    except mlflow.exceptions.MlflowException:
        current = None
    best = float(current.tags.get(SELECTION_METRIC, "-inf")) if current is not None else float("-inf")
    if force or (score > best and not regressions):
        client.set_registered_model_alias(name, CHAMPION, version)
        return str(version), True
    return str(version), False
