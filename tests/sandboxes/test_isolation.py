"""The simulators and the service stay apart: neither imports the other, and the service starts without them."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent.parent
NOT_PRODUCTION = {"sandboxes", "tests", "bench"}
PRODUCTION_PACKAGES = sorted(
    path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file() and path.name not in NOT_PRODUCTION
)


def modules(package: str) -> Iterator[Path]:
    yield from (path for path in (ROOT / package).rglob("*.py") if ".venv" not in path.parts)


def imported_packages(path: Path) -> Iterator[tuple[int, str]]:
    """The top-level package of every absolute import in the module, with its line."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.partition(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.partition(".")[0]


def offending_imports(packages: list[str], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for package in packages
        for path in modules(package)
        for line, name in imported_packages(path)
        if name in forbidden
    ]


def test_the_walk_sees_the_service_and_the_sandboxes():
    assert {"config", "core", "invoices", "integrations", "dashboards"} <= set(PRODUCTION_PACKAGES)
    sandbox_imports = {name for path in modules("sandboxes") for _, name in imported_packages(path)}
    assert {"sandboxes", "django", "defusedxml", "stdnum"} <= sandbox_imports


def test_no_production_module_imports_a_sandbox():
    assert offending_imports(PRODUCTION_PACKAGES, {"sandboxes"}) == []


def test_no_sandbox_imports_the_service():
    assert offending_imports(["sandboxes"], {*PRODUCTION_PACKAGES, "tests", "bench"}) == []


def test_the_sandbox_command_comes_with_the_sandboxes_app():
    assert apps.is_installed("sandboxes")
    assert get_commands()["sandbox"] == "sandboxes"


def test_the_service_starts_without_the_sandboxes_package():
    """As in the production image, where the package is left out."""
    script = (
        "import sys\n"
        "sys.modules['sandboxes'] = None  # not importable, as if absent\n"
        "import django\n"
        "django.setup()\n"
        "from django.apps import apps\n"
        "from django.core.management import call_command, get_commands\n"
        "call_command('check')\n"
        "print(apps.is_installed('sandboxes'), 'sandbox' in get_commands())\n"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": ""}
    result = subprocess.run(  # noqa: S603 - our own interpreter running our own snippet
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False False"


def test_the_production_image_leaves_the_sandboxes_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert "sandboxes" in ignored
