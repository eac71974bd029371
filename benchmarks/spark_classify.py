"""`palauteluokitin classify --jobs N` against `palauteluokitin classify-spark --master local[N]`
on the same Parquet export, on the same machine: seconds, rows/s and peak memory.

    uv run --extra all python benchmarks/spark_classify.py [--rows 1000000] [--cores 2]

The export is `benchmarks/classify.py`'s (id, date, unit, NPS and a corpus comment),
written as one Parquet file in row groups of 50,000 rows, so that Spark splits it between
its cores. Each run is a separate process, timed from start to exit (Spark's start-up of
~5 s included); peak memory is the proportional set size (PSS) summed over the process and
its descendants (Spark's JVM and its Python workers), sampled every second. Both write
Parquet: `classify` one file, `classify-spark` a folder of part files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classify import build_export, timed  # noqa: E402  (benchmarks/classify.py)

ROW_GROUP = 50_000


def build_parquet(path: Path, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from palauteluokitin.exports.read import read_table

    source = path.with_suffix(".csv")
    build_export(source, rows)
    frame = read_table(source)
    source.unlink()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=ROW_GROUP)


def run_classify(source: Path, cores: int) -> tuple[float, int]:
    output = source.with_name("classify.parquet")
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(source), "-o", str(output)]
    result = timed([*command, "--overwrite", "--quiet", "--jobs", str(cores)])
    output.unlink()
    return result


def run_spark(source: Path, cores: int) -> tuple[float, int]:
    output = source.with_name("spark")
    command = [sys.executable, "-m", "palauteluokitin", "classify-spark", str(source), str(output)]
    result = timed([*command, "--overwrite", "--quiet", "--master", f"local[{cores}]"])
    shutil.rmtree(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--cores", type=int, default=2, help="classify --jobs N, classify-spark local[N]")
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("| what | rows | cores | seconds | rows/s | peak PSS |\n|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for rows in arguments.rows:
            source = Path(scratch) / f"vienti_{rows}.parquet"
            build_parquet(source, rows)
            for what, run in (
                (f"classify --jobs {arguments.cores}", run_classify),
                (f"classify-spark --master local[{arguments.cores}]", run_spark),
            ):
                seconds, peak = run(source, arguments.cores)
                print(
                    f"| {what} | {rows:,} | {arguments.cores} | {seconds:.1f} | {rows / seconds:,.0f} "
                    f"| {peak / 2**20:,.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
