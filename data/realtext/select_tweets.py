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
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from palauteluokitin.training.realtext import SOURCES, default_realtext_dir, read_tweets

HERE = Path(__file__).parent
SIZE = 640
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


def select(shared: Path) -> list[tuple[str, str]]:
    seen_texts: set[str] = set()
    own, opinion, linked = [], [], []
    for source in SOURCES:
        for tweet_id, text in read_tweets(shared, source).items():
            key = " ".join(re.findall(r"\w+", re.sub(r"https?://\S+|@\w+", "", text.lower())))
            if not CARE.search(text) or key in seen_texts:
                continue
            seen_texts.add(key)
            group = own if EXPERIENCE.search(text) else linked if "http" in text else opinion
            group.append((source, tweet_id))
    rng = random.Random(SEED)
    chosen = own + opinion + rng.sample(linked, max(SIZE - len(own) - len(opinion), 0))
    rng.shuffle(chosen)
    return chosen[:SIZE]


if __name__ == "__main__":
    chosen = select(default_realtext_dir())
    with (HERE / "selection.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "source_id"])
        writer.writerows(chosen)
    print(f"{len(chosen)} tweets -> {HERE / 'selection.csv'}")
