"""Training: strict recipes, the estimator contract, the overfit test, bundles."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import beta
from sklearn.base import clone

from palauteluokitin.classify.loaded_model import OUTPUT_COLUMNS
from palauteluokitin.cli import cli
from palauteluokitin.errors import BundleError, RecipeError
from palauteluokitin.modeling.bundle import load_bundle, verify_bundle
from palauteluokitin.modeling.classifier import FeedbackClassifier
from palauteluokitin.modeling.features import CharNgrams, FeedbackFeatures, mark_negation
from palauteluokitin.training.card import save_trained
from palauteluokitin.training.corpus import REQUIRED_COLUMNS
from palauteluokitin.training.recipe import AuxiliaryConfig, load_recipe
from palauteluokitin.training.thresholds import flag_threshold
from palauteluokitin.training.train import train

ROOT = Path(__file__).resolve().parents[1]

# a tiny corpus the model must fit: (text, kohtelu, arvokkuus, tiedonsaanti, saumattomuus, sentiment, flag)
TINY = [
    ("Hoitaja oli ystävällinen ja kuunteli", 1, 0, 0, 0, "positiivinen", 0),
    ("Lääkäri oli tyly ja huusi minulle", 1, 0, 0, 0, "negatiivinen", 1),
    ("Jonotin puhelimessa tunnin", 0, 0, 0, 1, "negatiivinen", 0),
    ("Kukaan ei kertonut tuloksista", 0, 0, 1, 0, "negatiivinen", 0),
    ("Äiti jätettiin märkään vaippaan koko aamuksi", 0, 1, 0, 1, "negatiivinen", 1),
    ("Parkkipaikkoja on liian vähän", 0, 0, 0, 0, "negatiivinen", 0),
    ("Voisiko aulaan saada lisää tuoleja", 0, 0, 0, 0, "neutraali", 0),
    ("Selkeät ohjeet ja ystävällinen vastaanotto", 1, 0, 1, 0, "positiivinen", 0),
    ("Hoitaja Kolehmainen oli tyly, hetuni on 240387-172W", 1, 0, 0, 0, "negatiivinen", 1),
]


def tiny_frame(copies: int = 6) -> pd.DataFrame:
    columns = [
        "text",
        "kohtelu",
        "arvokkuus",
        "tiedonsaanti",
        "saumattomuus",
        "sentiment",
        "epaasiallinen_kohtelu",
    ]
    rows = [dict(zip(columns, row, strict=True)) for row in TINY for _ in range(copies)]
    frame = pd.DataFrame(rows)
    frame["text"] = [f"{text} {i % copies}" for i, text in enumerate(frame["text"])]
    return frame


def small_model() -> FeedbackClassifier:
    return FeedbackClassifier(FeedbackFeatures(min_df=1), C=50.0, calibration_folds=2)


@pytest.fixture(scope="module")
def fitted() -> FeedbackClassifier:
    frame = tiny_frame()
    return small_model().fit(frame["text"], frame)


def test_sample_weights_weigh_rows(fitted):
    frame = tiny_frame()
    texts = frame["text"].tolist()
    ones = small_model().fit(frame["text"], frame, sample_weight=np.ones(len(frame)))
    np.testing.assert_allclose(ones.predict_scores(texts).to_numpy(), fitted.predict_scores(texts).to_numpy())
    # The same texts labelled twice: the more weight the second labelling has, the likelier it is.
    disputed = frame[frame["text"].str.startswith("Parkkipaikkoja")]
    both = pd.concat([frame, disputed.assign(sentiment="neutraali")], ignore_index=True)
    relabelled = np.arange(len(both)) >= len(frame)
    neutral = [
        small_model()
        .fit(both["text"], both, sample_weight=np.where(relabelled, weight, 1.0))
        .predict_scores(disputed["text"])["sentiment=neutraali"]
        .mean()
        for weight in (0.1, 1.0, 10.0)
    ]
    assert neutral[0] + 0.05 < neutral[1] < neutral[2] - 0.05


@pytest.mark.parametrize(
    ("lemmas", "marked"),
    [
        (["kukaan", "ei", "olla", "tyly"], ["kukaan", "ei", "NEG_olla", "NEG_tyly"]),
        (["ei", "olla", ",", "tyly"], ["ei", "NEG_olla", ",", "tyly"]),
        (["ei", "a", "b", "c", "d"], ["ei", "NEG_a", "NEG_b", "NEG_c", "d"]),
    ],
)
def test_negation_scope(lemmas, marked):
    assert mark_negation(lemmas) == marked


def test_overfit_predicts_its_training_data(fitted):
    frame = tiny_frame()
    predicted = fitted.predict(frame["text"])
    for label in ["kohtelu", "saumattomuus", "epaasiallinen_kohtelu"]:
        assert (predicted[label] == frame[label]).mean() >= 0.9, label
    assert (predicted["sentiment"] == frame["sentiment"]).mean() >= 0.9


def test_pickle_round_trip_gives_same_scores_and_batch_equals_single(fitted):
    texts = ["Hoitaja huusi ja oli tyly", "Kiitos selkeistä ohjeista"]
    restored = pickle.loads(pickle.dumps(fitted))
    pd.testing.assert_frame_equal(restored.predict_scores(texts), fitted.predict_scores(texts))
    single = pd.concat([fitted.predict_scores([t]) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(single, fitted.predict_scores(texts))


def test_clone_keeps_parameters_and_thresholds_and_drops_fitted_state(fitted):
    tuned = clone(fitted).set_params(thresholds={"epaasiallinen_kohtelu": 0.07, "kohtelu": 0.6})
    copy = clone(tuned)
    assert copy.get_params()["C"] == 50.0
    assert copy.get_params()["features__lemmatizer"] == "lexicon"
    assert copy.get_params()["thresholds"] == {"epaasiallinen_kohtelu": 0.07, "kohtelu": 0.6}
    assert not hasattr(copy, "heads_")


def test_thresholds_decide_the_labels(fitted):
    scores = pd.DataFrame(
        {
            **{label: [0.3, 0.55] for label in ("kohtelu", "arvokkuus", "tiedonsaanti", "saumattomuus")},
            "epaasiallinen_kohtelu": [0.08, 0.06],
            **{f"sentiment={name}": [0.2, 0.5] for name in ("negatiivinen", "neutraali")},
            "sentiment=positiivinen": [0.6, 0.0],
        }
    )
    untuned = fitted.decide(scores)
    assert untuned["kohtelu"].tolist() == [0, 1] and untuned["epaasiallinen_kohtelu"].tolist() == [0, 0]
    tuned = (
        clone(fitted).set_params(thresholds={"epaasiallinen_kohtelu": 0.07, "kohtelu": 0.6}).decide(scores)
    )
    assert tuned["kohtelu"].tolist() == [0, 0] and tuned["epaasiallinen_kohtelu"].tolist() == [1, 0]
    assert tuned["sentiment"].tolist() == ["positiivinen", "negatiivinen"]


API_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimators_unfitted",
]


@pytest.mark.parametrize("check", API_CHECKS)
@pytest.mark.parametrize("estimator", [FeedbackFeatures(), FeedbackClassifier(FeedbackFeatures())], ids=repr)
def test_scikit_learn_api_checks(estimator, check):
    """scikit-learn's own checks of the estimator API; the checks that fit on numeric
    arrays do not apply to estimators of text, and their text versions follow below."""
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check)(type(estimator).__name__, estimator)


def test_transform_and_predict_do_not_change_the_fitted_estimator(fitted):
    import joblib

    before = joblib.hash(fitted)
    fitted.predict_scores(["Hoitaja huusi minulle", "Uusi sana kuulumaton"])
    fitted.features_.transform(["Täysin uusia sanoja tässä tekstissä"])
    fitted.analyse(["Lääkäri oli tyly"])
    assert joblib.hash(fitted) == before


def test_threads_share_a_fitted_model(fitted):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{text} {i}" for i, (text, *_) in enumerate(TINY * 20)]
    alone = fitted.predict_scores(texts)
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda start: fitted.predict_scores(texts[start::4]), range(4)))
    for start, part in enumerate(parts):
        pd.testing.assert_frame_equal(part, alone.iloc[start::4].reset_index(drop=True))


def test_analyse_gives_features_tokens_and_lemmas_together(fitted):
    texts = ["Lääkäri huusi minulle.", "Kiitos"]
    analysis = fitted.analyse(texts)
    assert analysis.features.texts == texts
    assert analysis.features.tokens[0] == ["Lääkäri", "huusi", "minulle", "."]
    assert analysis.features.lemmas[0][:2] == ["lääkäri", "huutaa"]
    pd.testing.assert_frame_equal(analysis.scores, fitted.predict_scores(texts))
    pd.testing.assert_frame_equal(analysis.decisions, fitted.decide(analysis.scores))
    indices, values = analysis.features.row(0)
    assert fitted.features_.word_column("huutaa") in indices.tolist()
    assert len(indices) == len(values) > 0


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (3, 3)])
@pytest.mark.parametrize(
    "text",
    ["Hoitaja oli TYLY!", "a b ja jo  x\x1fy\u3000z", "", "ÄÄNI  ääni\tÅ", "İstanbul ﬁnal ß", "🙂 ok"],
)
def test_char_ngrams_are_scikit_learns_char_wb(text, ngram_range):
    from sklearn.feature_extraction.text import TfidfVectorizer

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    assert CharNgrams(ngram_range)(text) == reference(text)


def test_flag_threshold_reaches_the_recall():
    truth = pd.Series([1, 1, 1, 1, 0, 0]).to_numpy()
    scores = pd.Series([0.9, 0.8, 0.3, 0.2, 0.5, 0.1]).to_numpy()
    threshold = flag_threshold(truth, scores, 0.75)
    assert threshold == 0.3
    assert ((scores >= threshold) & (truth == 1)).sum() / truth.sum() >= 0.75


@pytest.mark.parametrize(("positives", "confidence"), [(50, 0.9), (140, 0.95), (1300, 0.95), (1300, 0.99)])
def test_flag_threshold_with_confidence_keeps_a_margin(positives, confidence):
    rng = np.random.default_rng(positives)
    truth = np.r_[np.ones(positives, dtype=int), np.zeros(2 * positives, dtype=int)]
    scores = np.r_[rng.beta(5, 2, positives), rng.beta(2, 5, 2 * positives)]
    threshold = flag_threshold(truth, scores, 0.9, confidence)
    found = int(((scores >= threshold) & (truth == 1)).sum())
    assert beta.ppf(1 - confidence, found, positives - found + 1) >= 0.9
    assert beta.ppf(1 - confidence, found - 1, positives - found + 2) < 0.9, "the highest such threshold"
    assert threshold < flag_threshold(truth, scores, 0.9), "below the point-estimate threshold"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nunknown = 1\n', "unknown: Extra inputs are not permitted"),
        ('name = "x"\n[features]\nlemmatizer = "omorfi"\n', "unknown lemmatiser 'omorfi'"),
        ('name = "x"\n[model]\nC = -1\n', "model.C"),
        ("name = \n", "not valid TOML"),
    ],
)
def test_recipe_errors_name_the_key(tmp_path, text, message):
    path = tmp_path / "recipe.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        load_recipe(path)


@pytest.mark.parametrize("name", ["baseline", "rich"])
def test_shipped_recipes_load(name):
    assert load_recipe(ROOT / "pipelines" / f"{name}.toml").name == name


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "tiny.csv"
    frame = tiny_frame(copies=10)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUIRED_COLUMNS)
        writer.writeheader()
        for i, row in frame.iterrows():
            writer.writerow(
                {
                    **{k: str(v) for k, v in row.items()},
                    "id": f"t{i}",
                    "service": "terveysasema",
                    "question": "Vapaa palaute",
                    "lang": "fi",
                    "split": ("train", "train", "dev", "test")[i % 4],
                }
            )
    recipe = load_recipe(ROOT / "pipelines" / "baseline.toml")
    recipe = recipe.model_copy(
        update={
            "features": recipe.features.model_copy(update={"min_df": 1}),
            "model": recipe.model.model_copy(update={"calibration_folds": 2}),
            "auxiliary": AuxiliaryConfig(),  # the tiny corpus alone
        }
    )
    return train(recipe, path), path


def test_train_reports_metrics_and_reproduces(tiny_result):
    result, path = tiny_result
    assert set(result.metrics) == {"dev", "test", "baselines"}
    assert result.metrics["dev"]["epaasiallinen_kohtelu_recall"] >= 0.95
    again = train(result.recipe, path)
    assert again.metrics == result.metrics


def test_bundle_round_trip_and_tamper_refusal(tiny_result, tmp_path):
    result, _ = tiny_result
    bundle = save_trained(result, tmp_path / "bundle")
    model, meta = load_bundle(str(bundle), trusted=True)
    assert meta["model_sha256"] in (bundle / "SHA256SUMS").read_text(encoding="utf-8")
    assert meta["thresholds"] == result.model.thresholds
    assert meta["training_data_sha256"] == result.data_sha256
    texts = ["Hoitaja oli tyly"]
    pd.testing.assert_frame_equal(model.predict_scores(texts), result.model.predict_scores(texts))
    with pytest.raises(BundleError, match="outside"):
        load_bundle(str(bundle))
    with pytest.raises(BundleError, match="exists and is not empty"):
        save_trained(result, bundle)
    meta_path = bundle / "model.json"
    meta_path.write_text(meta_path.read_text(encoding="utf-8").replace('"name"', '"nimi"'), encoding="utf-8")
    with pytest.raises(BundleError, match="model.json does not match its checksum"):
        verify_bundle(bundle)


def test_a_bundle_saved_before_the_pickle_format_still_loads(tiny_result, tmp_path):
    """Bundles made before 2026-12-05 hold model.joblib: they load, checksums and all."""
    import joblib

    result, _ = tiny_result
    bundle = save_trained(result, tmp_path / "old")
    (bundle / "model.pkl.gz").unlink()
    joblib.dump(result.model, bundle / "model.joblib", compress=3)
    sums = (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    old_sum = hashlib.sha256((bundle / "model.joblib").read_bytes()).hexdigest()
    sums[0] = f"{old_sum}  model.joblib"
    (bundle / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    model, meta = load_bundle(str(bundle), trusted=True)
    assert meta["model_file"] == "model.joblib" and meta["model_sha256"] == old_sum
    texts = ["Hoitaja oli tyly"]
    pd.testing.assert_frame_equal(model.predict_scores(texts), result.model.predict_scores(texts))
    (bundle / "model.joblib").write_bytes(b"tampered")
    with pytest.raises(BundleError, match="model.joblib does not match its checksum"):
        load_bundle(str(bundle), trusted=True)


def test_saving_the_same_model_twice_gives_the_same_bytes(tiny_result, tmp_path):
    result, _ = tiny_result
    first = save_trained(result, tmp_path / "a") / "model.pkl.gz"
    second = save_trained(result, tmp_path / "b") / "model.pkl.gz"
    assert first.read_bytes() == second.read_bytes()


@pytest.fixture(scope="module")
def tracked(tiny_result, tmp_path_factory):
    """The train command run on the tiny corpus into a fresh MLflow SQLite store."""
    _, path = tiny_result
    store = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{store / 'mlflow.db'}"
    output = store / "model"
    recipe = store / "tiny.toml"
    recipe.write_text('name = "tiny"\n', encoding="utf-8")
    arguments = ["train", "--config", str(recipe), "--data", str(path), "--output", str(output)]
    result = CliRunner().invoke(cli, [*arguments, "--tracking-uri", uri, "--register", "tiny"])
    assert result.exit_code == 0, result.output
    return uri, output, result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--no-tracking"], "--no-tracking without --output would train and then throw the model away"),
        (["--output", "{full}"], "exists and is not empty; pass --overwrite to replace it"),
        (["--output", "{missing}/model"], "does not exist"),
    ],
)
def test_train_refuses_before_training(tmp_path, arguments, message):
    """Where the model could not be kept is said before any training: the corpus given here
    would fail to train, and the refusal, not that failure, is what is reported."""
    unusable = tmp_path / "unusable.csv"
    unusable.write_text("x\n1\n", encoding="utf-8")
    full = tmp_path / "full"
    full.mkdir()
    (full / "model.json").write_text("{}", encoding="utf-8")
    places = {"full": full, "missing": tmp_path / "missing"}
    arguments = [argument.format(**places) for argument in arguments]
    result = CliRunner().invoke(cli, ["train", "--data", str(unusable), *arguments])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "missing column" not in result.output
    assert (full / "model.json").read_text(encoding="utf-8") == "{}"
    assert not (tmp_path / "missing").exists()


def test_logging_a_run_shows_no_mlflow_warnings_or_logs(tiny_result, tmp_path, capfd):
    """The real logging path into a new store (created, the pyfunc model logged with its
    input example, registered): no warning of any kind, and nothing on stderr."""
    from palauteluokitin.tracking.runs import log_training

    result, path = tiny_result
    bundle = save_trained(result, tmp_path / "bundle")
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        # errors, and recorded where MLflow turns its own UserWarnings back to "once"
        warnings.simplefilter("error")
        tracked = log_training(
            result, bundle, f"sqlite:///{tmp_path / 'mlflow.db'}", register="quiet", corpus=path
        )
    assert tracked.registered_version == "1"
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    assert capfd.readouterr().err == ""


def test_train_command_prints_no_third_party_warnings(tiny_result, tmp_path):
    """The whole command in a fresh process, with every warning an error (MLflow's at
    import too): only our own lines on stdout, nothing from MLflow on stderr."""
    import subprocess
    import sys

    _, path = tiny_result
    recipe = tmp_path / "tiny.toml"
    recipe.write_text('name = "tiny"\n', encoding="utf-8")
    command = [sys.executable, "-W", "error", "-m", "palauteluokitin", "train", "--config", str(recipe)]
    command += ["--data", str(path), "--output", str(tmp_path / "model")]
    command += ["--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}", "--register", "quiet"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "registered quiet version 1: now the champion" in done.stdout
    # our own line, where the real texts for the model card's scorecard are missing
    assert [line for line in done.stderr.splitlines() if not line.startswith("No scorecard")] == []


def test_train_command_saves_bundle_and_logs_the_run(tracked):
    import mlflow

    uri, output, printed = tracked
    assert "dev: categories macro-F1" in printed
    assert "registered tiny version 1: now the champion" in printed
    meta = json.loads((output / "model.json").read_text(encoding="utf-8"))
    assert meta["name"] == "tiny"
    assert set(meta["scorecard"]) == {"test", "challenge", "realtext_dev", "behaviour"}
    assert "## Scorecard" in (output / "MODEL_CARD.md").read_text(encoding="utf-8")
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("palauteluokitin")
    assert experiment.artifact_location.endswith("/artifacts")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.params["features.word_ngrams"] == "[1, 2]"
    assert run.data.params["data_sha256"] == run.data.tags["data_sha256"]
    assert len(run.data.params["git_commit"]) in (40, len("unknown"))
    for metric in (
        "dev_kohtelu_f1",
        "test_epaasiallinen_kohtelu_pr_auc",
        "dev_categories_macro_f1",
        "dev_sentiment_macro_f1",
        "dev_keyword_flag_recall",
        "dev_selection_score",
    ):
        assert metric in run.data.metrics, metric
    logged = {item.path for item in client.list_artifacts(run.info.run_id, "evaluation")}
    for name in (
        "classification_report_dev.txt",
        "confusion_matrices_test.png",
        "pr_curves_dev.png",
        "calibration_test.png",
    ):
        assert f"evaluation/{name}" in logged
    top = {item.path for item in client.list_artifacts(run.info.run_id)}
    assert {"MODEL_CARD.md", "bundle", "recipe.json"} <= top


def test_no_personal_data_from_the_training_data_reaches_the_mlflow_store(tracked):
    """The tiny corpus holds a name and an identity code; no file of the store (model
    files unpacked) may hold either."""
    uri, output, _ = tracked
    store = Path(uri.removeprefix("sqlite:///")).parent
    files = [path for path in store.rglob("*") if path.is_file()]
    assert any(path.name == "model.pkl.gz" for path in files)
    for path in files:
        data = path.read_bytes()
        if path.name == "model.pkl.gz":
            data = gzip.decompress(data)
        for secret in (b"240387", b"Kolehmainen", b"kolehmainen"):
            assert secret not in data, (path, secret)


def test_registered_champion_loads_as_pyfunc(tracked):
    import mlflow

    uri, _, _ = tracked
    mlflow.set_tracking_uri(uri)
    model = mlflow.pyfunc.load_model("models:/tiny@champion")
    output = model.predict(pd.DataFrame({"text": ["Lääkäri oli tyly ja huusi minulle", ""]}))
    assert list(output.columns) == list(OUTPUT_COLUMNS)
    assert output.loc[0, "epaasiallinen_kohtelu"] == 1.0
    assert output.loc[1, "problem"] == "empty comment"


def test_champion_moves_only_to_a_better_model(tracked):
    import mlflow

    from palauteluokitin.tracking.runs import CHAMPION, TrackedRun, _register

    uri, _, _ = tracked
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    first = client.get_model_version_by_alias("tiny", CHAMPION)
    run = TrackedRun(first.run_id, "", f"runs:/{first.run_id}/model")
    score = float(first.tags["dev_selection_score"])
    assert _register(mlflow, "tiny", run, score - 0.1) == ("2", False)
    assert client.get_model_version_by_alias("tiny", CHAMPION).version == first.version
    assert _register(mlflow, "tiny", run, score + 0.1) == ("3", True)
    assert str(client.get_model_version_by_alias("tiny", CHAMPION).version) == "3"
    worse = ["realtext_dev false_flag_rate: 0.300 against the champion's 0.200"]
    assert _register(mlflow, "tiny", run, score + 0.2, worse) == ("4", False), "the gate holds it back"
    assert str(client.get_model_version_by_alias("tiny", CHAMPION).version) == "3"
    assert _register(mlflow, "tiny", run, score - 0.2, worse, force=True) == ("5", True)


def test_retraining_gate_compares_with_the_champion(tracked, tiny_result):
    """A second registration runs the gate: both models scored on the gate's sets, the
    table printed and logged, the champion kept unless the new model is no worse."""
    import mlflow

    uri, _, _ = tracked
    _, path = tiny_result
    store = Path(uri.removeprefix("sqlite:///")).parent
    arguments = ["train", "--config", str(store / "tiny.toml"), "--data", str(path), "--tracking-uri", uri]
    result = CliRunner().invoke(cli, [*arguments, "--register", "gated"])
    assert result.exit_code == 0, result.output
    assert "gate:" not in result.output  # no champion yet: nothing to compare with
    result = CliRunner().invoke(cli, [*arguments, "--register", "gated"])
    assert result.exit_code == 0, result.output
    assert "gate: realtext_dev  false_flag_rate" in result.output
    assert "registered gated version 2: the champion stays" in result.output  # same score: not better
    run = mlflow.MlflowClient(tracking_uri=uri).get_run(
        mlflow.MlflowClient(tracking_uri=uri).get_model_version("gated", "2").run_id
    )
    assert "gate_new_behaviour_false_flag_rate" in run.data.metrics
    assert "gate_champion_realtext_dev_false_flag_rate" in run.data.metrics
    forced = CliRunner().invoke(cli, [*arguments, "--register", "gated", "--force"])
    assert "registered gated version 3: now the champion" in forced.output
    assert CliRunner().invoke(cli, ["train", "--force", "--no-tracking"]).exit_code != 0


def test_mlflow_models_serve_answers(tracked, tmp_path):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    uri, _, _ = tracked
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mlflow_cli = [sys.executable, "-m", "mlflow", "models", "serve", "-m", "models:/tiny@champion"]
    server = subprocess.Popen(
        [*mlflow_cli, "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_DISABLE_TELEMETRY": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = json.dumps({"dataframe_records": [{"text": "Lääkäri oli tyly ja huusi minulle"}]}).encode()
        deadline, answer = time.monotonic() + 120, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/invocations", body, {"Content-Type": "application/json"}
                )
                answer = json.loads(urllib.request.urlopen(request, timeout=10).read())
            except OSError:
                time.sleep(0.5)
        assert answer is not None, "mlflow models serve did not answer"
        (prediction,) = answer["predictions"]
        assert prediction["epaasiallinen_kohtelu"] == 1.0
        assert prediction["sentiment"] in ("negatiivinen", "ristiriitainen")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("redact_vocabulary", [True, False])
def test_personal_data_stays_out_of_the_vocabularies(redact_vocabulary):
    texts = [row[0] for row in TINY]
    features = FeedbackFeatures(min_df=1, redact_vocabulary=redact_vocabulary).fit(texts)
    words = " ".join(features.word_vectorizer_.vocabulary_)
    grams = list(features.char_vectorizer_.vocabulary_)
    leaked = "kolehmainen" in words or "240387" in words or any("ehmai" in g or "40387" in g for g in grams)
    assert leaked is not redact_vocabulary


def test_gate_without_its_sets_keeps_the_champion(tracked, tiny_result, tmp_path, monkeypatch):
    uri, _, _ = tracked
    _, path = tiny_result
    store = Path(uri.removeprefix("sqlite:///")).parent
    arguments = ["train", "--config", str(store / "tiny.toml"), "--data", str(path), "--tracking-uri", uri]
    monkeypatch.setenv("PALAUTELUOKITIN_REALTEXT_DIR", str(tmp_path))  # no real texts here
    CliRunner().invoke(cli, [*arguments, "--register", "nosets"])
    second = CliRunner().invoke(cli, [*arguments, "--register", "nosets"])
    assert second.exit_code == 0, second.output
    assert "gate: not run:" in second.output and "the champion stays" in second.output
    assert "not promoted: worse than the champion on: the gate's sets" in second.output


def test_mentions_never_become_features():
    """@mentions name people or accounts: no model file may hold one, as a word or in pieces."""
    texts = [
        "Kiitos @matti_virtanen1 avusta",
        "@matti_virtanen1 hoiti asian",
        "Hoitaja auttoi",
        "Hoitaja kiitos",
    ]
    features = FeedbackFeatures(min_df=1, redact_vocabulary=False).fit(texts)
    words = features.word_vectorizer_.vocabulary_
    chars = features.char_vectorizer_.vocabulary_
    assert "hoitaja" in words and not any("@" in term or "virtanen" in term for term in words)
    assert not any("@" in gram or "virta" in gram for gram in chars)


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_save_leaves_no_half_bundle_and_the_old_one_as_it_was(tmp_path, existing):
    from palauteluokitin.modeling.bundle import save_bundle

    target = tmp_path / "malli"
    if existing:
        target.mkdir()
        (target / "model.json").write_text('{"old": true}', encoding="utf-8")
    with pytest.raises(Exception, match="pickle"):
        save_bundle(lambda text: text, {}, "", target, overwrite=True)  # a lambda cannot be pickled
    assert sorted(path.name for path in tmp_path.iterdir()) == (["malli"] if existing else [])
    if existing:
        assert (target / "model.json").read_text(encoding="utf-8") == '{"old": true}'
