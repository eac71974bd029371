"""stanza: Stanza's neural Finnish pipeline (TDT), from models the user has downloaded.

Nothing is downloaded at run time. Get the models on a machine with internet access:

    python -c "import stanza; stanza.download('fi', model_dir='stanza_resources',
               processors='tokenize,pos,lemma')"

then copy the folder here and point STANZA_RESOURCES_DIR (or `resources_dir`) at it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.text.lemmatizers.base import BatchLemmatizer

PROCESSORS = "tokenize,pos,lemma"


def default_resources_dir() -> Path:
    return Path(os.environ.get("STANZA_RESOURCES_DIR", Path.home() / "stanza_resources"))


def missing_models_message(resources_dir: Path) -> str:
    return (
        f"Stanza's Finnish models were not found in {resources_dir}. Nothing is downloaded at "
        "run time: on a machine with internet access run\n"
        f"  python -c \"import stanza; stanza.download('fi', model_dir='{resources_dir.name}', "
        f"processors='{PROCESSORS}')\"\n"
        "copy that folder to this machine and set STANZA_RESOURCES_DIR to its path. "
        "The backend also needs the stanza extra: uv sync --extra stanza."
    )


class StanzaLemmatizer(BatchLemmatizer):
    name = "stanza"

    def __init__(self, resources_dir: str | None = None) -> None:
        super().__init__()
        self.resources_dir = resources_dir

    @cached_property
    def _pipeline(self):
        resources = Path(self.resources_dir) if self.resources_dir else default_resources_dir()
        if not (resources / "resources.json").is_file() or not (resources / "fi").is_dir():
            raise BackendUnavailableError(missing_models_message(resources))
        try:
            import stanza
        except ImportError as error:
            raise BackendUnavailableError(
                "The 'stanza' backend needs the stanza extra: uv sync --extra stanza "
                "(or pip install 'palauteluokitin[stanza]')."
            ) from error
        return stanza.Pipeline(
            "fi",
            dir=str(resources),
            processors=PROCESSORS,
            tokenize_pretokenized=True,
            download_method=None,
            logging_level="WARN",
        )

    def check_available(self) -> None:
        self._pipeline  # noqa: B018 - loading is the check

    def _lemmatize_batch(self, sentences: list[list[str]]) -> Iterable[list[str]]:
        if not sentences:
            return
        document = self._pipeline(sentences)
        for sentence in document.sentences:
            yield [(word.lemma or word.text).lower() for word in sentence.words]
