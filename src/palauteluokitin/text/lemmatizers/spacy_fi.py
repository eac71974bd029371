"""spacy-fi: the Voikko-based Finnish pipeline spacy-fi-experimental-web-md.

Only the components that lemmas depend on run: the tagger and morphologizer give the
part of speech, the lemmatizer asks Voikko for the analysis that matches it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.text.lemmatizers.base import BatchLemmatizer

PACKAGE = "spacy_fi_experimental_web_md"
NOT_NEEDED_FOR_LEMMAS = ["parser", "ner"]
INSTALL_HINT = (
    "The 'spacy-fi' backend needs the spacy-fi extra and the native libvoikko: run "
    "'apt-get install libvoikko1 voikko-fi' and 'uv sync --extra spacy-fi' "
    "(or pip install 'palauteluokitin[spacy-fi]')."
)


class SpacyFiLemmatizer(BatchLemmatizer):
    name = "spacy-fi"

    def __init__(self, batch_size: int = 256) -> None:
        super().__init__()
        self.batch_size = batch_size

    @cached_property
    def _nlp(self):
        from palauteluokitin.text.lemmatizers.voikko import require_native_libvoikko

        require_native_libvoikko(INSTALL_HINT)
        try:
            import spacy

            return spacy.load(PACKAGE, exclude=NOT_NEEDED_FOR_LEMMAS)
        except (ImportError, OSError) as error:
            raise BackendUnavailableError(f"{INSTALL_HINT} ({error})") from error

    def check_available(self) -> None:
        self._nlp  # noqa: B018 - loading is the check

    def _lemmatize_batch(self, sentences: list[list[str]]) -> Iterable[list[str]]:
        from spacy.tokens import Doc

        docs = (Doc(self._nlp.vocab, words=list(tokens)) for tokens in sentences)
        for doc in self._nlp.pipe(docs, batch_size=self.batch_size):
            yield [token.lemma_.lower() or token.text.lower() for token in doc]
