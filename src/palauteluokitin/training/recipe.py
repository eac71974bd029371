"""Training recipes: typed, strict (unknown keys are errors), read from TOML in pipelines/."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from palauteluokitin.errors import RecipeError
from palauteluokitin.text.lemmatizers import BACKENDS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureConfig(Strict):
    lemmatizer: str = "lexicon"
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    negation: bool = False
    compound_parts: bool = False
    min_df: int = Field(2, ge=1)
    max_features: int | None = Field(200_000, ge=1)
    # Learn vocabularies from redacted text: no personal data in model files.
    redact_vocabulary: bool = True
    # Weight of the e5 sentence vectors beside the TF-IDF (0: none; needs the `accurate` extra).
    sentence_vectors: float = Field(0.0, ge=0)

    @field_validator("lemmatizer")
    @classmethod
    def known_backend(cls, name: str) -> str:
        if name not in BACKENDS:
            raise ValueError(f"unknown lemmatiser {name!r}; choose one of {', '.join(sorted(BACKENDS))}")
        return name


class ModelConfig(Strict):
    learner: Literal["logistic_regression"] = "logistic_regression"
    C: float = Field(8.0, gt=0)
    class_weight: Literal["balanced"] | None = "balanced"
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    calibration_folds: int = Field(5, ge=2)


class ThresholdConfig(Strict):
    flag_min_recall: float = Field(0.95, gt=0, le=1)
    # Reach flag_min_recall with this confidence (a lower bound, not the point estimate).
    flag_recall_confidence: float | None = Field(0.95, ge=0.5, lt=1)
    # Choose the flag's threshold on dev pooled with out-of-fold scores of the training
    # split: hundreds of flagged comments instead of dev's hundred or so.
    flag_pool_train_out_of_fold: bool = True
    # Pool the real-text development set too (data/realtext, texts from the shared folder):
    # its few flagged tweets are real register, which written comments are not.
    flag_pool_realtext_dev: bool = False


class AuxiliaryConfig(Strict):
    # The train part of data/realtext/labels.csv (texts from the shared real-text folder).
    realtext_train: bool = False
    # XED Finnish subtitle lines as sentiment examples without categories or flag (0: none).
    xed_lines: int = Field(0, ge=0)
    # Weight of each auxiliary row in training, against 1 for a corpus comment.
    realtext_weight: float = Field(1.0, gt=0)
    xed_weight: float = Field(1.0, gt=0)


class Recipe(Strict):
    name: str
    description: str = ""
    seed: int = 20261122
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    auxiliary: AuxiliaryConfig = AuxiliaryConfig()


def load_recipe(path: Path) -> Recipe:
    """Read and validate a recipe; every problem is reported with its key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RecipeError(f"Recipe {path} not found.") from error
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"Recipe {path} is not valid TOML: {error}") from error
    try:
        return Recipe.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise RecipeError(f"Recipe {path} is invalid: {problems}") from error
