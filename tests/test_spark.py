"""Classification as a Spark job gives the rows `classify` gives: `classify_dataframe` on a
local[2] session, and `classify-spark` against `classify` on the same files, hostile rows
included. One Spark session for the module (starting one costs ~6 s)."""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.cli import cli
from palauteluokitin.exports.read import read_table
from palauteluokitin.labels import FLAG, OUTPUT_COLUMNS, RIGHTS_CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "palautevienti.csv"
TEXT = "Avoin palaute"
ID = "Vastaus ID"
COPIES = 10  # 300 example rows, ten times over with new ids: 3,000 rows and the hostile ones
HOSTILE = [
    "",
    "   \t ",
    None,
    "12345",
    "3,5",
    "-",
    "Hoitaja huusi minulle. " * 1_300,  # ~30,000 characters: too long
    '=HYPERLINK("http://example.com/x","Klikkaa")',
    "+358 40 1234567 soittakaa",
    "@SUM(A1:A9) hoitaja oli tyly",
    "Rivi\x00jossa\x07ohjausmerkkejä ja huono kohtelu",
    "Personalen var vänlig och hjälpsam.",
    "\ufffd\ufffd\ufffd\ufffd",
]

# PySpark 4 under pandas 3 (see palauteluokitin.spark.PANDAS_WARNINGS).
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _spark_missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (uv sync --extra spark)"
    home = os.environ.get("JAVA_HOME")
    if not (Path(home, "bin", "java").is_file() if home else shutil.which("java")):
        return "Java is not installed (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark():
    """A local[2] Spark session; skip where pyspark or Java is missing, fail instead when
    PALAUTELUOKITIN_REQUIRE_SPARK=1 (CI)."""
    missing = _spark_missing()
    if missing:
        if os.environ.get("PALAUTELUOKITIN_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark is required: {missing}")
        pytest.skip(missing)
    from palauteluokitin.spark import quiet_pyspark, spark_session

    with quiet_pyspark():
        session = spark_session("local[2]", app_name="palauteluokitin-tests")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    """The example export ten times over (unique ids), then the hostile rows."""
    example = read_table(EXAMPLE)
    copies = []
    for copy in range(COPIES):
        frame = example.copy()
        frame[ID] = [f"{copy}-{value}" for value in frame[ID]]
        copies.append(frame)
    hostile = pd.DataFrame({column: "" for column in example.columns}, index=range(len(HOSTILE)))
    hostile[ID] = [f"h{number}" for number in range(len(HOSTILE))]
    hostile[TEXT] = pd.Series(HOSTILE, dtype=object)
    frame = pd.concat([*copies, hostile], ignore_index=True).astype(object)
    frame[TEXT] = frame[TEXT].astype(object)
    return frame


@pytest.fixture(scope="module")
def model():
    return load_model("default")


def _cell(value):
    """One cell, with every kind of missing value as None and numbers as Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def assert_same_rows(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in expected.columns:
        left = [_cell(value) for value in got[column]]
        right = [_cell(value) for value in expected[column]]
        if column.endswith("_score"):
            differ = [
                (index, a, b)
                for index, (a, b) in enumerate(zip(left, right, strict=True))
                if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-12)
            ]
        else:
            differ = [(index, a, b) for index, (a, b) in enumerate(zip(left, right, strict=True)) if a != b]
        assert differ[:5] == [], f"column {column!r}: {len(differ)} rows differ"


def test_classify_dataframe_gives_the_rows_of_classify_frame(spark, export, model):
    from pyspark.sql.types import ByteType, DoubleType, StringType, StructField, StructType

    from palauteluokitin.spark import classify_dataframe

    schema = StructType([StructField(column, StringType(), True) for column in export.columns])
    df = spark.createDataFrame(export, schema=schema)  # one partition per core, in order
    classified = classify_dataframe(df, TEXT, id_column=ID)
    types = {field.name: field.dataType for field in classified.schema.fields}
    assert classified.columns == [*export.columns, *OUTPUT_COLUMNS]
    assert all(isinstance(types[label], ByteType) for label in (*RIGHTS_CATEGORIES, FLAG))
    assert all(isinstance(types[c], DoubleType) for c in OUTPUT_COLUMNS if c.endswith("_score"))
    assert isinstance(types["problem"], StringType)
    got = classified.toPandas()
    expected = model.classify_frame(export, TEXT)
    assert got[ID].tolist() == export[ID].tolist()  # every row, in order
    assert_same_rows(got, expected)
    problems = dict(zip(got[ID], got["problem"], strict=True))
    assert problems["h0"] == problems["h1"] == problems["h2"] == "empty comment"
    assert problems["h3"].startswith("not text") and problems["h6"].startswith("too long")
    assert problems["h7"] == "" and problems["h12"].startswith("undecodable")
    assert (got["problem"] == "").sum() > 0.9 * len(export)  # the example has some answers without a comment


def test_input_columns_named_like_output_columns_are_renamed(spark):
    from palauteluokitin.spark import classify_dataframe

    df = spark.createDataFrame([("1", "Hoitaja huusi minulle.", "vanha")], ["id", "palaute", "problem"])
    classified = classify_dataframe(df, "palaute").toPandas()
    assert list(classified.columns) == ["id", "palaute", "problem_input", *OUTPUT_COLUMNS]
    assert classified["problem_input"].tolist() == ["vanha"] and classified[FLAG].tolist() == [1]


def test_classify_spark_command_gives_the_rows_of_classify(spark, export, tmp_path):
    source = tmp_path / "vienti.parquet"
    frame = export.copy()
    frame["numero"] = pd.array(range(len(frame)), dtype="Int64")
    frame.to_parquet(source, index=False)
    runner = CliRunner()
    done = runner.invoke(cli, ["classify", str(source), "-o", str(tmp_path / "classify.parquet"), "--quiet"])
    assert done.exit_code == 0, done.output
    arguments = ["classify-spark", str(source), str(tmp_path / "spark"), "--master", "local[2]"]
    done = runner.invoke(cli, [*arguments, "--text-column", TEXT, "--id-column", ID])
    assert done.exit_code == 0, done.output
    assert f"Wrote {len(export):,} rows" in done.output
    expected_table = pq.read_table(tmp_path / "classify.parquet")
    got_table = pq.ParquetDataset(tmp_path / "spark").read()
    for column in (*RIGHTS_CATEGORIES, FLAG):
        assert got_table.schema.field(column).type == expected_table.schema.field(column).type == pa.int8()
    for column in [c for c in OUTPUT_COLUMNS if c.endswith("_score")]:
        assert got_table.schema.field(column).type == pa.float64()
    expected = expected_table.to_pandas().sort_values("numero", ignore_index=True)
    got = got_table.to_pandas().sort_values("numero", ignore_index=True)
    assert_same_rows(got, expected)

    # The output exists now: refused before Spark runs, replaced with --overwrite.
    done = runner.invoke(cli, arguments)
    assert done.exit_code == 1 and "pass --overwrite" in done.output
    done = runner.invoke(cli, [*arguments, "--overwrite", "--quiet"])
    assert done.exit_code == 0, done.output


def test_classify_spark_reads_a_finnish_csv_export_and_writes_csv(spark, tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["classify", str(EXAMPLE), "-o", str(tmp_path / "classify.csv"), "--quiet"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["classify-spark", str(EXAMPLE), str(tmp_path / "spark"), "--format", "csv"])
    assert done.exit_code == 0, done.output
    expected = pd.read_csv(tmp_path / "classify.csv", dtype=str, keep_default_na=False)
    parts = sorted((tmp_path / "spark").glob("part-*.csv"))
    got = pd.concat(
        [pd.read_csv(part, dtype=str, keep_default_na=False) for part in parts], ignore_index=True
    )
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected) == 300
    for column in expected.columns:
        if column.endswith("_score"):
            left = [float(value) if value else None for value in got[column]]
            right = [float(value) if value else None for value in expected[column]]
            assert left == right, column
        else:
            assert got[column].tolist() == expected[column].tolist(), column


def test_each_python_worker_loads_the_model_once(spark, export):
    """Many batches and tasks: each worker process loads the model for its first batch and
    keeps it for every later one."""
    from palauteluokitin.spark import resolve_bundle

    bundle = resolve_bundle("default")

    def classify_and_report(batches):  # nested: Spark pickles it whole (workers cannot import tests)
        from palauteluokitin.spark import _classifier, _models

        classify = _classifier(bundle, TEXT, False)
        for batch in batches:
            rows = len(next(classify(iter([batch]))))
            yield pd.DataFrame({"pid": [os.getpid()], "model": [id(_models[bundle])], "rows": [rows]})

    df = spark.createDataFrame(export[[ID, TEXT]].astype(str)).repartition(6)
    seen = df.mapInPandas(classify_and_report, "pid long, model long, rows long").toPandas()
    assert seen["rows"].sum() == len(export) and len(seen) >= 6
    assert seen.groupby("pid")["model"].nunique().max() == 1


def test_a_missing_text_column_is_named_before_anything_runs(spark):
    from palauteluokitin.errors import ColumnError
    from palauteluokitin.spark import classify_dataframe

    df = spark.createDataFrame([("1", "hei")], ["id", "palaute"])
    with pytest.raises(ColumnError, match="kommentti"):
        classify_dataframe(df, "kommentti")


def test_the_registered_pyfunc_model_through_spark_udf_gives_the_same_labels(
    spark, export, tmp_path, monkeypatch
):
    """The MLflow route: the pyfunc model as the tracking code logs it, registered with the
    champion alias, used through `mlflow.pyfunc.spark_udf`."""
    pytest.importorskip("mlflow", reason="MLflow is in the 'train' extra")
    import mlflow
    from mlflow.models import infer_signature
    from pyspark.sql import functions as F

    from palauteluokitin.classify.loaded_model import LoadedModel
    from palauteluokitin.modeling.bundle import load_bundle
    from palauteluokitin.spark import classify_dataframe, resolve_bundle
    from palauteluokitin.tracking.runs import quiet_mlflow

    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    bundle = resolve_bundle("default")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    numbers = (*RIGHTS_CATEGORIES, FLAG)
    with quiet_mlflow():
        from palauteluokitin.tracking import pyfunc

        mlflow.set_tracking_uri(uri)
        experiment = mlflow.create_experiment("spark", artifact_location=(tmp_path / "artifacts").as_uri())
        frame = pd.DataFrame({"text": ["Hoitaja huusi minulle."]}, columns=pd.Index(["text"], dtype=object))
        output = pyfunc.FeedbackPyfunc.predict_with(LoadedModel(*load_bundle(bundle, trusted=True)), frame)
        with mlflow.start_run(experiment_id=experiment):
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=pyfunc.__file__,
                artifacts={"bundle": bundle},
                code_paths=[str(Path(pyfunc.__file__).parents[1])],
                conda_env=pyfunc.conda_env(),
                signature=infer_signature(frame, output),
                input_example=frame,
            )
        version = mlflow.register_model(info.model_uri, "palaute").version
        mlflow.MlflowClient().set_registered_model_alias("palaute", "champion", version)
        result_type = ", ".join(
            f"{column} {'double' if column.endswith('_score') or column in numbers else 'string'}"
            for column in OUTPUT_COLUMNS
        )
        udf = mlflow.pyfunc.spark_udf(spark, "models:/palaute@champion", result_type=result_type)
        texts = spark.createDataFrame(export[[ID, TEXT]].head(600).rename(columns={TEXT: "text"}))
        got = texts.select(ID, udf(F.struct("text")).alias("out")).select(ID, "out.*").toPandas()
    expected = classify_dataframe(texts, "text").toPandas()
    assert got[ID].tolist() == expected[ID].tolist()
    for column in (*RIGHTS_CATEGORIES, FLAG, "problem", "lang"):
        assert [_cell(v) for v in got[column]] == [_cell(v) for v in expected[column]], column
    # spark_udf turns a missing string (no sentiment for a row with a problem) into "nan"
    classified = expected["problem"] == ""
    assert got["sentiment"][classified].tolist() == expected["sentiment"][classified].tolist()
    assert set(got["sentiment"][~classified]) <= {"nan", None}


def test_without_java_spark_says_what_to_install(spark, tmp_path, monkeypatch):
    from palauteluokitin.errors import SparkError
    from palauteluokitin.spark import spark_session

    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    with pytest.raises(SparkError, match="openjdk-17-jre-headless"):
        spark_session("local[1]")
