"""The real-text development set: labels committed here, texts read from ../shared/realtext.

The tweets are real people's text under the platform's terms, so the repository holds
only their ids and our labels (`data/realtext/labels.csv`); `read_realtext_set` joins the
two into corpus-shaped rows for evaluation.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from palauteluokitin.errors import InputFormatError
from palauteluokitin.locations import project_path

# Tab-separated files of TurkuNLP/korona-tweets, by path under the shared folder: the
# column of the tweet id, the column of the text, whether the first line is a header.
SOURCES = {
    "korona-tweets/tweets-170420-sampled.tsv": (3, 4, False),
    "korona-tweets/combined-annotated.tsv": (0, 2, True),
}

LABELS = project_path("data/realtext/labels.csv")  # the labelled real texts: ids and labels only


def default_realtext_dir() -> Path:
    """PALAUTELUOKITIN_REALTEXT_DIR, else ../shared/realtext beside the checkout (or working directory)."""
    configured = os.environ.get("PALAUTELUOKITIN_REALTEXT_DIR")
    return Path(configured) if configured else project_path("../shared/realtext").resolve()


def read_tweets(shared: Path, source: str) -> dict[str, str]:
    """Tweet id -> text of one source file, in file order."""
    id_column, text_column, header = SOURCES[source]
    path = shared / source
    if not path.is_file():
        raise InputFormatError(
            f"{path} not found: the real texts live outside the repository; "
            "set PALAUTELUOKITIN_REALTEXT_DIR to the folder that holds korona-tweets/."
        )
    tweets = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            fields = line.rstrip("\n").split("\t")
            if (header and number == 0) or len(fields) <= text_column:
                continue
            tweets.setdefault(fields[id_column].strip(), fields[text_column])
    return tweets


def read_realtext_set(
    labels_csv: Path, shared: Path | None = None, split: str | None = None
) -> list[dict[str, str]]:
    """The labelled real texts (of one `split`, or all) as corpus-shaped rows (`id` is
    source:tweet id, `text` read from the shared folder), in the order of `labels_csv`."""
    shared = shared or default_realtext_dir()
    with labels_csv.open(encoding="utf-8", newline="") as handle:
        labelled = [row for row in csv.DictReader(handle) if split in (None, row["split"])]
    texts = {source: read_tweets(shared, source) for source in {row["source"] for row in labelled}}
    missing = [row["source_id"] for row in labelled if row["source_id"] not in texts[row["source"]]]
    if missing:
        raise InputFormatError(
            f"{len(missing)} labelled tweet(s) not in {shared}, e.g. {missing[0]}: "
            "a different version of the shared files?"
        )
    return [
        {
            **row,
            "id": f"{row['source'].split('/')[0]}:{row['source_id']}",
            "text": texts[row["source"]][row["source_id"]],
        }
        for row in labelled
    ]
