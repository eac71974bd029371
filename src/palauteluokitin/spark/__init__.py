"""Classification as a Spark job, for collections that outgrow one machine (the `spark` extra).

    from palauteluokitin.spark import classify_dataframe
    classified = classify_dataframe(df, "palaute")   # df + the output columns of `classify`

`classify_dataframe` runs `LoadedModel.classify_frame` on each Arrow batch of each
partition (`mapInPandas`): the same columns, names, values and row problems as
`palauteluokitin classify`, every input row out in its order. The bundle is found and
verified on the driver; each executor's Python worker loads it once, on first use, and
keeps it for every later batch and task (Spark reuses its Python workers). On a cluster
the bundle's folder must exist at the same path on the executors: the shipped bundles do
wherever the same wheel is installed.

`classify_files` is `palauteluokitin classify-spark`: Parquet or CSV folders in and out.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from palauteluokitin.extras import require

require("spark", "pyspark")

import pandas as pd  # noqa: E402

from palauteluokitin.classify.loaded_model import input_renames, load_model  # noqa: E402
from palauteluokitin.errors import ExportFormatError, OutputError, SparkError  # noqa: E402
from palauteluokitin.exports.columns import choose_columns, given_column  # noqa: E402
from palauteluokitin.exports.write import neutralise_formulas as neutralise_frame  # noqa: E402
from palauteluokitin.labels import OUTPUT_COLUMNS, OUTPUT_DTYPES  # noqa: E402
from palauteluokitin.output_paths import check_output  # noqa: E402

FORMATS = ("parquet", "csv")
# Rows the driver reads to detect the text column when none is given.
SAMPLE_ROWS = 500
# Spark's own chatter: warnings and errors only, no progress bars, no web UI.
QUIET_SETTINGS = {
    "spark.ui.showConsoleProgress": "false",
    "spark.ui.enabled": "false",
}

# PySpark 4 warns on every pandas conversion under pandas 3, which runs this job fine, and
# its toPandas passes pandas a keyword that pandas 3 deprecates.
PANDAS_WARNINGS = (
    ("PySpark does not yet fully support pandas", FutureWarning),
    ("The copy keyword is deprecated", Warning),
)

_models: dict[str, object] = {}  # in each executor's Python worker: bundle path -> LoadedModel


@contextmanager
def quiet_pyspark():
    """Without PySpark's warnings about the pandas version (see PANDAS_WARNINGS)."""
    with warnings.catch_warnings():
        for message, category in PANDAS_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


def output_schema(input_schema):
    """The Spark schema of the classified frame: the input's columns (renamed `<name>_input`
    where they carry an output column's name) then the output columns, typed as `classify`
    writes them to Parquet: labels int8, scores double, the others strings."""
    from pyspark.sql.types import ByteType, DoubleType, StringType, StructField, StructType

    renames = input_renames(input_schema.names)
    fields = [
        StructField(renames.get(field.name, field.name), field.dataType, field.nullable, field.metadata)
        for field in input_schema.fields
    ]
    spark_types = {"Int8": ByteType(), "float64": DoubleType()}
    for column in OUTPUT_COLUMNS:
        fields.append(StructField(column, spark_types.get(OUTPUT_DTYPES.get(column), StringType()), True))
    return StructType(fields)


def _worker_model(bundle: str):
    """The bundle's model in this Python worker, loaded on first use."""
    model = _models.get(bundle)
    if model is None:
        model = _models[bundle] = load_model(bundle, trusted=True)  # checked on the driver
    return model


def _classifier(bundle: str, text_column: str, csv_safe: bool):
    """The function `mapInPandas` runs on each partition's batches (picklable: it closes
    over strings only, and names this module's functions by reference)."""

    def classify_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = _worker_model(bundle)
        for batch in batches:
            frame = model.classify_frame(batch, text_column)
            if csv_safe:
                frame = neutralise_frame(frame)
            yield frame

    return classify_batches


def resolve_bundle(model: str = "default", models_dir=None, trusted: bool = False) -> str:
    """The verified bundle folder of `model` (a name in the models directory or a path;
    a path outside it needs `trusted`), as the string the executors load it from."""
    from palauteluokitin.modeling.bundle import find_bundle, verify_bundle

    directory = find_bundle(str(model), trusted=trusted, models_dir=models_dir)
    verify_bundle(directory)
    return str(directory)


def classify_dataframe(
    df,
    text_column: str | None,
    model: str = "default",
    id_column: str | None = None,
    models_dir=None,
    trusted: bool = False,
    *,
    neutralise_formulas: bool = False,
):
    """`df` with the output columns of `palauteluokitin classify` appended, lazily (a Spark
    DataFrame; nothing runs until it is written or collected). `text_column` None: detected
    from the first rows as `classify` does. `id_column` is only checked to exist. With
    `neutralise_formulas`, text cells a spreadsheet would run get a leading apostrophe,
    as in the CSV files `classify` writes."""
    columns = df.columns
    with quiet_pyspark():
        if text_column is None:
            text_column = choose_columns(df.limit(SAMPLE_ROWS).toPandas()).text
        given_column(columns, text_column, "text_column")
        given_column(columns, id_column, "id_column")
        bundle = resolve_bundle(model, models_dir=models_dir, trusted=trusted)
        classify = _classifier(bundle, text_column, neutralise_formulas)
        return df.mapInPandas(classify, output_schema(df.schema))


@dataclass
class SparkSummary:
    output: Path
    text_column: str
    rows: int
    seconds: float

    def lines(self) -> list[str]:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return [
            f"Text column: {self.text_column!r}",
            f"Wrote {self.rows:,} rows to {self.output} in {self.seconds:.1f} s ({rate:,.0f} rows/s)",
        ]


def spark_session(master: str = "local[*]", app_name: str = "palauteluokitin"):
    """A Spark session with Spark's logging at ERROR, no progress bars and no web UI. On a
    local master the Python workers run this Python (its packages and model bundles)."""
    from pyspark.sql import SparkSession

    if not java_available():
        raise SparkError(
            "Spark needs Java 17 or later: install it (Debian/Ubuntu: apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME."
        )
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in QUIET_SETTINGS.items():
        builder = builder.config(key, value)
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        builder = builder.config("spark.pyspark.python", sys.executable)
    with quiet_pyspark():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def java_available() -> bool:
    """A `java` that Spark can start: under JAVA_HOME, or on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return (Path(home) / "bin" / "java").is_file()
    return shutil.which("java") is not None


def read_folder(spark, source: Path, kind: str):
    """A Parquet or CSV file or folder of files (Spark's formats); CSV cells read as text."""
    if kind == "parquet":
        return spark.read.parquet(str(source))
    encoding, delimiter = _csv_dialect(source)
    if encoding.lower() not in ("utf-8", "us-ascii", "iso-8859-1"):
        # Spark 4 reads only a few charsets unless told to take any of Java's (cp1252: Finnish Excel).
        spark.conf.set("spark.sql.legacy.javaCharsets", "true")
    return spark.read.csv(
        str(source), header=True, multiLine=True, escape='"', sep=delimiter, encoding=encoding
    )


def _csv_dialect(source: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file, or of a folder's first one, sniffed as `classify` does."""
    from palauteluokitin.exports.delimited import sniff_delimiter, sniff_encoding
    from palauteluokitin.exports.read import SNIFF_BYTES

    files = [source] if source.is_file() else sorted(p for p in source.glob("*.csv") if p.is_file())
    if not files:
        return "utf-8", ","
    with open(files[0], "rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    encoding = sniff_encoding(sample)
    return {"utf-8-sig": "UTF-8"}.get(encoding, encoding), sniff_delimiter(
        sample.decode(encoding, errors="replace"), files[0].suffix.lower()
    )


def classify_files(
    source: Path,
    output: Path,
    *,
    master: str = "local[*]",
    text_column: str | None = None,
    id_column: str | None = None,
    model: str = "default",
    models_dir=None,
    trusted: bool = False,
    output_format: str = "parquet",
    input_format: str | None = None,
    overwrite: bool = False,
    spark=None,
) -> SparkSummary:
    """Classify `source` (a Parquet or CSV file or folder) into the folder `output` in
    `output_format` with a Spark session on `master` (or the given `spark`). The output is
    checked before Spark starts; CSV output gets formulas neutralised, as `classify`'s."""
    started = time.perf_counter()
    source, output = Path(source), Path(output)
    if output_format not in FORMATS:
        raise OutputError(f"Cannot write {output_format!r}: give one of {', '.join(FORMATS)}.")
    check_output(output, overwrite=overwrite, inputs=[source], folder=True)
    kind = input_format or _input_format(source)
    if spark is None:
        spark = spark_session(master)
    frame = read_folder(spark, source, kind)
    if text_column is None:
        with quiet_pyspark():
            text_column = choose_columns(frame.limit(SAMPLE_ROWS).toPandas()).text
    classified = classify_dataframe(
        frame,
        text_column,
        model,
        id_column=id_column,
        models_dir=models_dir,
        trusted=trusted,
        neutralise_formulas=output_format == "csv",
    )
    writer = classified.write.mode("overwrite")  # check_output: an empty folder, or --overwrite
    with quiet_pyspark():
        if output_format == "parquet":
            writer.parquet(str(output))
        else:
            writer.csv(str(output), header=True, escape='"')
    rows = spark.read.parquet(str(output)).count() if output_format == "parquet" else frame.count()
    return SparkSummary(output, text_column, rows, time.perf_counter() - started)


def _input_format(source: Path) -> str:
    """parquet or csv, from the file's extension or, for a folder, its files'."""
    names = [source] if source.is_file() else sorted(source.glob("*")) if source.is_dir() else [source]
    for path in names:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            return "parquet"
        if suffix in (".csv", ".tsv", ".txt"):
            return "csv"
    raise ExportFormatError(f"Cannot tell the format of {source}: give --input-format parquet or csv.")
