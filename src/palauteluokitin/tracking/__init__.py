"""MLflow: tracked training runs, the model registry and the pyfunc model (the `mlflow` extra)."""

from palauteluokitin.extras import require

require("train", "mlflow")
