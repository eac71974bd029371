"""The package as users get it: layers that import one way, serving without training,
and a wheel that classifies from any folder with the shipped default model."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "palauteluokitin"

# Each folder or top module of the package and its layer: a unit imports only from lower layers.
LAYERS = {
    "errors": 0,
    "labels": 0,
    "locations": 0,
    "extras": 1,
    "output_paths": 1,
    "exports": 2,
    "text": 2,
    "privacy": 3,
    "modeling": 4,
    "classify": 5,
    "spark": 6,
    "training": 6,
    "tracking": 7,
    "review": 7,
    "report": 8,
    "__init__": 9,
    "cli": 10,
    "__main__": 11,
}
# What serving (load_model, classify, batch) must not pull in.
NOT_SERVING = ("mlflow", "flask", "matplotlib", "sqlalchemy", "alembic", "pyspark")
NOT_SERVING += ("palauteluokitin.training",)
NOT_SERVING += ("palauteluokitin.tracking", "palauteluokitin.review", "palauteluokitin.report")
NOT_SERVING += ("palauteluokitin.spark",)


def module_imports() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports, at any depth of its code."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" not in path.parts:
            name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    imports = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("palauteluokitin"):
                found |= {
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                    for a in node.names
                }
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("palauteluokitin")}
        imports[name] = {module for module in found if module in modules and module != name}
    return imports


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_unit_has_a_layer():
    assert {unit(module) for module in module_imports()} == set(LAYERS)


def test_imports_flow_one_way():
    upward = [
        f"{module} imports {imported}"
        for module, imported_modules in module_imports().items()
        for imported in imported_modules
        if unit(imported) != unit(module) and LAYERS[unit(imported)] >= LAYERS[unit(module)]
    ]
    assert upward == []


def test_no_import_cycles_between_modules():
    imports = module_imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for imported in sorted(imports[module]):
            if state.get(imported) == 1:
                return [*path, module, imported]
            if imported not in state and (cycle := visit(imported, [*path, module])):
                return cycle
        state[module] = 2
        return None

    cycles = [cycle for module in sorted(imports) if module not in state and (cycle := visit(module, []))]
    assert cycles == []


def loaded_modules(python: str, cwd: Path, env: dict | None = None) -> list[str]:
    """sys.modules after loading the default model and classifying one comment and one file."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from palauteluokitin import load_model\n"
        "from palauteluokitin.classify.batch import classify_file\n"
        "model = load_model('default')\n"
        "assert model.classify(['Hoitaja huusi minulle.'])[0].flag in (0, 1)\n"
        "Path('in.csv').write_text('id;palaute\\n1;Kiitos hyvästä hoidosta\\n', encoding='utf-8')\n"
        "classify_file(Path('in.csv'), model=model, overwrite=True)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [python, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_serving_imports_neither_training_nor_mlflow_flask_or_matplotlib(tmp_path):
    modules = loaded_modules(sys.executable, tmp_path)
    assert "palauteluokitin.modeling.compiled" in modules  # the model was really loaded
    assert [module for module in modules if module.startswith(NOT_SERVING)] == []
    # The shipped bundles hold the compiled model: classifying needs no scikit-learn (0.75 s to import).
    assert [module for module in modules if module.startswith("sklearn")] == []


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel built from this checkout and only its
    core dependencies, pinned as in uv.lock (taken from uv's cache)."""
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build and install the wheel (run the tests with `uv run`)"
    scratch = tmp_path_factory.mktemp("wheel")

    def run(*arguments: str) -> str:
        done = subprocess.run(
            [uv, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("build", "--wheel", "--out-dir", str(scratch / "dist"))
    requirements = scratch / "requirements.txt"
    requirements.write_text(
        run("export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"), encoding="utf-8"
    )
    run("venv", "--quiet", "--python", sys.executable, str(scratch / "venv"))
    python = scratch / "venv" / "bin" / "python"
    (wheel,) = (scratch / "dist").glob("palauteluokitin-*.whl")
    run("pip", "install", "--quiet", "--python", str(python), "-r", str(requirements), str(wheel))
    return python


def clean_env() -> dict:
    """The environment without the settings that would point the package at this checkout."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PALAUTELUOKITIN_", "VIRTUAL_ENV"))
    }


def test_wheel_classifies_a_file_from_an_unrelated_folder(installed_wheel, tmp_path):
    (tmp_path / "vienti.csv").write_text(
        "id;palaute\n1;Hoitaja huusi minulle ja nauroi kivuilleni.\n2;Kiitos ystävällisestä hoidosta!\n",
        encoding="utf-8",
    )
    command = installed_wheel.parent / "palauteluokitin"
    done = subprocess.run(
        [str(command), "classify", "vienti.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "vienti.classified.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[1].startswith("1,") and lines[2].startswith("2,")
    header = lines[0].split(",")
    flags = [line.split(",")[header.index("epaasiallinen_kohtelu")] for line in lines[1:]]
    assert flags == ["1", "0"]
    site = subprocess.run(
        [str(installed_wheel), "-c", "import palauteluokitin; print(palauteluokitin.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in site, "the installed package, not the checkout"


def test_wheel_serving_needs_no_optional_part(installed_wheel, tmp_path):
    modules = loaded_modules(str(installed_wheel), tmp_path, env=clean_env())
    assert [module for module in modules if module.startswith(NOT_SERVING)] == []


@pytest.mark.parametrize(
    ("arguments", "extra"),
    [
        (["classify", "x.csv", "--model", "accurate"], "accurate"),
        (["review", "init"], "review"),
        (["report", "x.csv", "-o", "x.html"], "report"),
        (["train", "--output", "malli"], "train"),
        (["classify-spark", "x.csv", "ulos"], "spark"),
    ],
)
def test_wheel_without_extras_names_the_extra_to_install(installed_wheel, tmp_path, arguments, extra):
    (tmp_path / "x.csv").write_text("id,palaute\n1,hei\n", encoding="utf-8")
    command = installed_wheel.parent / "palauteluokitin"
    done = subprocess.run(
        [str(command), *arguments], cwd=tmp_path, capture_output=True, text=True, env=clean_env(), check=False
    )
    assert done.returncode != 0
    assert f"needs the '{extra}' extra" in done.stderr and "Traceback" not in done.stderr
    assert f"palauteluokitin[{extra}]" in done.stderr
