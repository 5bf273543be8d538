"""The wheel carries the scenario catalog and works in a fresh environment."""

from __future__ import annotations

import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("casestudies-*.whl")
    return built


def files_under(folder: Path) -> set[str]:
    """Every file below ``folder`` as a POSIX path relative to it, bytecode caches left out."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_wheel_ships_catalog_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    catalog = files_under(ROOT / "scenarios")
    assert {name for name in catalog if name.endswith(".toml") and "/" not in name}, "the scenarios/ catalog is empty"
    assert any(name.startswith("takehome/") for name in catalog), "no take-home rubrics in scenarios/takehome"
    assert {f"casestudies/_catalog/{name}" for name in catalog} - names == set()  # presets and take-home rubrics
    assert "casestudies/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)


def test_wheel_ships_every_package_file(wheel: Path) -> None:
    """Modules and the files beside them: HTML, CSS and JavaScript templates, the type marker."""
    names = set(zipfile.ZipFile(wheel).namelist())
    package = files_under(ROOT / "src")
    assert {name for name in package if name.endswith((".html", ".css", ".js"))}, "no templates found in src/"
    assert package - names == set()


def test_wheel_installs_into_fresh_environment_and_makes_a_case(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies come from the running environment, appended after the fresh one's own packages.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    script = (
        "import casestudies as cs, pathlib;"
        "import casestudies.core._registry as r;"
        "print(pathlib.Path(cs.__file__).resolve());"
        "print(r.catalog_dir());"
        "case = cs.make('fraud-v1', seed=3, n_customers=300, n_days=35);"
        "print(len(case.train) > 0, case.target not in case.test.columns)"
    )
    result = subprocess.run([str(python), "-c", script], check=True, capture_output=True, text=True, cwd=tmp_path)
    package_file, catalog, checks = result.stdout.strip().splitlines()
    assert package_file.startswith(str(env_dir.resolve()))
    assert catalog.endswith("_catalog") and catalog.startswith(str(env_dir.resolve()))
    assert checks == "True True"
    cli = subprocess.run(
        [str(env_dir / "bin" / "casestudies"), "list"], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    listed = {line.split()[0] for line in cli.stdout.splitlines()}
    assert listed == {path.stem for path in (ROOT / "scenarios").glob("*.toml")}  # the catalog came with the wheel
