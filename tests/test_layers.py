"""The layers hold (supportdesk | demo | dashboards, knowledge, mailin, statuspage | tickets | sla | tenants |
lib): none imports a higher one.

The contract is pyproject.toml's [tool.importlinter]; `make lint` runs it too. An upward import (tenants
reaching for cases, sla updating case rows) fails here, naming the import and its line.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_CODE = {"tests", "bench"}  # they may import any layer


def test_no_module_imports_a_higher_layer():
    lint = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "0 broken" in lint.stdout


def test_every_package_of_ours_is_in_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [contract for contract in config["contracts"] if contract["type"] == "layers"]
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - NOT_CODE
    # A layer may hold independent siblings, spelled "dashboards | knowledge | mailin | statuspage".
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert packages == layered == set(config["root_packages"])
