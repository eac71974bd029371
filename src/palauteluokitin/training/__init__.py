"""Training on the annotated corpus: recipes, fitting, thresholds, evaluation and shortcut audits."""
