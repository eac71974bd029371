"""Choose the care-related tweets of the real-text development set; deterministic.

Reads the korona-tweets files in ../shared/realtext (never copied here) and writes
selection.csv: the source file and tweet id of each chosen tweet, in labelling order.
A tweet is a candidate when it mentions care (a profession, a unit, a service, testing,
phoning or queueing for care, medicines, social services); duplicates by text are
dropped. Every candidate that tells the writer's own or a relative's experience is kept,
and every other one without a link (opinions and replies, in the same real register);
tweets with a link (mostly news headlines) are sampled at random to reach SIZE. So the
set holds both client stories and the general talk about care that a false flag should
not fire on.

    uv run python data/realtext/select_tweets.py
    uv run python data/realtext/select_tweets.py --extension   # extension_selection.csv

`--extension` chooses the training-only extension (labelled once, never in `dev`): every
care candidate the first selection left out, and other tweets of the same files drawn at
random up to EXTENSION_SIZE (illness, tests, restrictions, everyday talk: the real text
beside care talk on which a flag must stay quiet); texts that repeat a chosen one are
dropped.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from palauteluokitin.training.realtext import SOURCES, default_realtext_dir, read_tweets

HERE = Path(__file__).parent
SIZE = 640
EXTENSION_SIZE = 800
SEED = 20261205
CARE = re.compile(
    r"lääkär|hoitaj|terveyskesk|terkka|päivystyk|päivystä|sairaal|sairaanhoit|ensihoit|ambulanss|"
    r"neuvont|11611|omaolo|vastaanot|koronatest|testi|testa|hoitoon|hoidos|hoito|poliklin|labra|"
    r"laborator|resept|apteek|neuvola|kotihoi|hoivako|palvelutalo|vanhainkod|hammas|soitin|soitti|"
    r"jonotin|jonossa|ajanvar|sairaslom|tehohoi|osastol|potilas|kela|sosiaalityö|mielenterv|terapia|"
    r"terapeut|psykiatr|etävastaan|videovastaan|chat|työterveys|terveystalo|mehiläi|yksityisellä",
    re.IGNORECASE,
)
EXPERIENCE = re.compile(
    r"\b(minä|mä|mää|mulla|minulla|mun|minun|minut|mut|mua|minua|mulle|minulle|olen|oon|olin|kävin|"
    r"soitin|soitettiin|pääsin|päästiin|sain|saatiin|odotin|jonotin|jouduin|menin|mentiin|"
    r"meillä|meidän|meille|isä|isäni|äiti|äitini|äidin|isän|mummo|mummi|pappa|mieheni|vaimoni|"
    r"lapseni|poikani|tyttäreni|lapsi|lapsen|poika|tytär|kuopus|esikoinen)\b",
    re.IGNORECASE,
)


def text_key(text: str) -> str:
    """The words of a tweet without links and @mentions: repeats share it."""
    return " ".join(re.findall(r"\w+", re.sub(r"https?://\S+|@\w+", "", text.lower())))


def candidates(shared: Path) -> tuple[list, list, list, list]:
    """Tweets of distinct texts, as (source, id): care ones telling an experience, other
    care ones without a link, care ones with a link, and the rest."""
    seen_texts: set[str] = set()
    own, opinion, linked, other = [], [], [], []
    for source in SOURCES:
        for tweet_id, text in read_tweets(shared, source).items():
            key = text_key(text)
            if not key or key in seen_texts:
                continue
            seen_texts.add(key)
            if not CARE.search(text):
                other.append((source, tweet_id))
                continue
            group = own if EXPERIENCE.search(text) else linked if "http" in text else opinion
            group.append((source, tweet_id))
    return own, opinion, linked, other


def select(shared: Path) -> list[tuple[str, str]]:
    own, opinion, linked, _ = candidates(shared)
    rng = random.Random(SEED)
    chosen = own + opinion + rng.sample(linked, max(SIZE - len(own) - len(opinion), 0))
    rng.shuffle(chosen)
    return chosen[:SIZE]


def select_extension(shared: Path) -> list[tuple[str, str]]:
    first = set(select(shared))
    own, opinion, linked, other = candidates(shared)
    care_left = [tweet for tweet in own + opinion + linked if tweet not in first]
    rng = random.Random(SEED + 1)
    chosen = care_left + rng.sample(other, max(EXTENSION_SIZE - len(care_left), 0))
    rng.shuffle(chosen)
    return chosen[:EXTENSION_SIZE]


if __name__ == "__main__":
    extension = sys.argv[1:] == ["--extension"]
    chosen = (select_extension if extension else select)(default_realtext_dir())
    target = HERE / ("extension_selection.csv" if extension else "selection.csv")
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "source_id"])
        writer.writerows(chosen)
    print(f"{len(chosen)} tweets -> {target}")
