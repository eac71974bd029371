"""Finnish text: tokenising, lemmatiser backends, CoNLL-U and language identification."""
