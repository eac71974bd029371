"""simplemma: pure-Python dictionary lookup with a rule-based guesser for unknown words."""

from __future__ import annotations

from palauteluokitin.text.lemmatizers.base import Lemmatizer, first_known


class SimplemmaLemmatizer(Lemmatizer):
    name = "simplemma"

    def _lemmatize_word(self, word: str) -> str:
        import simplemma

        def is_known(candidate: str) -> bool:
            return simplemma.is_known(candidate, lang="fi")

        known = first_known(word, is_known)
        return simplemma.lemmatize(known or word, lang="fi").lower()
