"""The estimators: text features, the feedback classifier, flag explanations and model bundles."""
