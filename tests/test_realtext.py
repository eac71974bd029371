"""The real-text development set: labels are complete and valid, rebuild from the
drafts, join with the shared texts, and no tweet text is stored in the repository."""

from __future__ import annotations

import csv
import importlib.util

import pytest

from conftest import ROOT
from palauteluokitin.errors import InputFormatError
from palauteluokitin.labels import FLAG, LABEL_COLUMNS, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.training.realtext import SOURCES, read_realtext_set, read_tweets

HERE = ROOT / "data" / "realtext"
LABELS = HERE / "labels.csv"


def labelled() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_labels_are_complete_and_valid():
    rows = labelled()
    assert sum(row["split"] == "dev" for row in rows) >= 400
    assert {row["split"] for row in rows} == {"dev", "train"}
    assert len({(row["source"], row["source_id"]) for row in rows}) == len(rows)
    assert {row["source"] for row in rows} <= set(SOURCES)
    for row in rows:
        assert all(row[label] in ("0", "1") for label in (*RIGHTS_CATEGORIES, FLAG)), row["source_id"]
        assert row["sentiment"] in SENTIMENTS, row["source_id"]


def test_labels_rebuild_from_the_drafts(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_realtext", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("selection.csv", "extension_selection.csv", "drafts"):
        (tmp_path / name).symlink_to(HERE / name)
    monkeypatch.setattr(module, "HERE", tmp_path)
    monkeypatch.setattr(module, "DRAFTS", HERE / "drafts")
    module.build()
    assert (tmp_path / "labels.csv").read_bytes() == LABELS.read_bytes()
    for name in ("agreement.json", "extension_agreement.json"):
        assert (tmp_path / name).read_bytes() == (HERE / name).read_bytes()


def test_selection_rebuilds_from_the_shared_texts(realtext_dir):
    spec = importlib.util.spec_from_file_location("select_tweets", HERE / "select_tweets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed, extension = (
        [
            (row["source"], row["source_id"])
            for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
        ]
        for path in (HERE / "selection.csv", HERE / "extension_selection.csv")
    )
    assert module.select(realtext_dir) == committed
    assert module.select_extension(realtext_dir) == extension
    assert [(row["source"], row["source_id"]) for row in labelled()] == committed + extension
    assert not set(committed) & set(extension)


def test_the_extension_is_train_only_and_leaves_dev_alone():
    rows = labelled()
    first, extension = rows[:640], rows[640:]
    assert len(extension) == 800 and {row["split"] for row in extension} == {"train"}
    assert sum(row["split"] == "dev" for row in first) == 440


def test_labels_join_with_the_shared_texts(realtext_dir):
    rows = read_realtext_set(LABELS, realtext_dir)
    assert len(rows) == len(labelled())
    assert all(row["text"].strip() for row in rows)
    assert rows[0]["id"] == f"korona-tweets:{rows[0]['source_id']}"
    assert set(LABEL_COLUMNS) <= set(rows[0])


def test_no_tweet_text_is_stored_in_the_repository(realtext_dir):
    files = [path for path in HERE.rglob("*") if path.is_file() and path.suffix != ".py"]
    stored = "\n".join(path.read_text(encoding="utf-8") for path in files)
    for row in read_realtext_set(LABELS, realtext_dir):
        words = row["text"].split()
        if len(words) >= 6:
            assert " ".join(words[:6]) not in stored, row["source_id"]


def test_a_missing_shared_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputFormatError, match="PALAUTELUOKITIN_REALTEXT_DIR"):
        read_realtext_set(LABELS, tmp_path)


def test_a_tweet_missing_from_the_shared_files_is_named(tmp_path, realtext_dir):
    source = next(iter(SOURCES))
    (tmp_path / source).parent.mkdir(parents=True)
    (tmp_path / source).write_text("", encoding="utf-8")
    other = [name for name in SOURCES if name != source]
    for name in other:
        (tmp_path / name).write_text((realtext_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    labels = tmp_path / "labels.csv"
    rows = [row for row in labelled() if row["source"] == source][:2]
    with labels.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputFormatError, match=f"2 labelled tweet\\(s\\) not in .*{rows[0]['source_id']}"):
        read_realtext_set(labels, tmp_path)
    assert read_tweets(tmp_path, source) == {}


def test_auxiliary_rows_are_the_train_part_and_xed_lines(realtext_dir):
    from palauteluokitin.training.auxiliary import realtext_train_rows, xed_rows

    tweets = realtext_train_rows(LABELS)
    assert len(tweets) == 1000 and set(tweets["split"]) == {"train"}
    dev_ids = {row["id"] for row in read_realtext_set(LABELS, realtext_dir) if row["split"] == "dev"}
    assert not dev_ids & set(tweets["id"]), "the dev part is never trained on"
    lines = xed_rows(300, seed=1, shared=realtext_dir)
    assert lines["sentiment"].value_counts().to_dict() == {
        "positiivinen": 100,
        "negatiivinen": 100,
        "neutraali": 100,
    }
    assert set(lines[FLAG]) == {"0"} and all(set(lines[label]) == {"0"} for label in RIGHTS_CATEGORIES)
    assert lines["text"].is_unique
    assert xed_rows(300, seed=1, shared=realtext_dir).equals(lines), "the same seed draws the same lines"


def test_auxiliary_rows_carry_their_recipes_weights(realtext_dir, monkeypatch):
    import pandas as pd

    from palauteluokitin.training.recipe import AuxiliaryConfig, Recipe
    from palauteluokitin.training.train import with_auxiliary

    monkeypatch.setenv("PALAUTELUOKITIN_REALTEXT_DIR", str(realtext_dir))
    corpus = pd.DataFrame({"id": ["w1-0001"], "text": ["Kiitos"], "split": ["train"]})
    auxiliary = AuxiliaryConfig(realtext_train=True, realtext_weight=2.0, xed_lines=30, xed_weight=0.3)
    rows = with_auxiliary(corpus, Recipe(name="weights", auxiliary=auxiliary))
    weight_of = rows.groupby(rows["id"].str.split("[-:]", regex=True).str[0])["weight"].unique()
    assert {source: list(weights) for source, weights in weight_of.items()} == {
        "w1": [1.0],
        "korona": [2.0],
        "xed": [0.3],
    }
