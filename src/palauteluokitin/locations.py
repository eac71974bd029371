"""Where the package finds files outside itself: in a source checkout, or installed from a wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The repository folder when the package runs from a source checkout (src layout), else None."""
    root = PACKAGE_DIR.parents[1]
    return root if (root / "pyproject.toml").is_file() and PACKAGE_DIR.parent.name == "src" else None


def project_path(relative: str) -> Path:
    """A path of the project (data/annotated/palaute.csv, pipelines/baseline.toml): in the
    checkout when there is one, else relative to the working directory."""
    return (checkout_root() or Path.cwd()) / relative
