"""training: the offline pipeline (datasets, training, evaluation, MLflow tracking, CLI)."""
