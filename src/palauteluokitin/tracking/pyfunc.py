"""The classifier as an MLflow pyfunc model: texts in, labels and scores out.

Served by `mlflow models serve`, loaded by `mlflow.pyfunc.load_model`, and usable as
`mlflow.pyfunc.spark_udf`. The package itself travels with the model (`code_paths`),
the fitted bundle as an artifact; the bundle's checksums are verified when it loads.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import mlflow.models
import mlflow.pyfunc
import pandas as pd

from palauteluokitin.classify.loaded_model import OUTPUT_COLUMNS, LoadedModel
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES

REQUIREMENTS = (
    "scikit-learn",
    "pandas",
    "numpy",
    "scipy",
    "joblib",
    "spacy",
    "kfst",
    "kfst-rs",
    "simplemma",
    "py3langid",
    "pydantic",
    "click",
    "mlflow",
)
TEXT_COLUMNS = ("text", "palaute", "comment")


def pip_requirements() -> list[str]:
    pinned = []
    for name in REQUIREMENTS:
        try:
            pinned.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            pinned.append(name)
    return pinned


def conda_env() -> dict:
    """The model's environment, given whole: MLflow then neither infers it nor looks for an
    installed pip to pin (a uv environment has none, and MLflow would warn)."""
    python = f"python={platform.python_version()}"
    return {
        "name": "mlflow-env",
        "channels": ["conda-forge"],
        "dependencies": [python, "pip", {"pip": pip_requirements()}],
    }


class FeedbackPyfunc(mlflow.pyfunc.PythonModel):
    """Input: a DataFrame with a `text` column (else its first column) or a list of
    strings. Output: one row per input with the columns of `palauteluokitin classify`."""

    def load_context(self, context) -> None:
        from palauteluokitin.modeling.bundle import load_bundle

        # The bundle sits in the MLflow store, which is trusted like models/; checksums still apply.
        self.model = LoadedModel(*load_bundle(context.artifacts["bundle"], trusted=True))

    # A type hint MLflow infers no schema from (the logged signature describes the data); without
    # one, MLflow warns whenever the class is defined, which it is again when the model is logged.
    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return self.predict_with(self.model, model_input)

    @staticmethod
    def predict_with(model: LoadedModel, model_input) -> pd.DataFrame:
        if isinstance(model_input, pd.DataFrame):
            column = next(
                (name for name in TEXT_COLUMNS if name in model_input.columns), model_input.columns[0]
            )
            texts = model_input[column].tolist()
        else:
            texts = list(model_input)
        rows = [result.row() for result in model.classify(texts)]
        output = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
        numeric = [name for name in OUTPUT_COLUMNS if name.endswith("_score")] + [*RIGHTS_CATEGORIES, FLAG]
        output[numeric] = output[numeric].astype("float64")
        return output


# MLflow's "models from code": logging this file's path makes MLflow load the model from here.
mlflow.models.set_model(FeedbackPyfunc())
