"""The JavaScript, inside `make test`: Biome lints static/ and tests/js/ (biome.json),
Node's own runner runs tests/js/*.test.mjs. Skipped without Node or node_modules, except
in CI (RESERVE_NO_SKIP=1)."""

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.js


def run(*command):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if result.returncode:
        pytest.fail(
            f"`{' '.join(map(str, command))}` exited with {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def test_the_javascript_passes_the_linter():
    run(ROOT / "node_modules" / ".bin" / "biome", "lint", "--colors=off", "static", "tests/js")


def test_the_javascript_unit_tests_pass():
    # Files rather than the folder: Node 18 (Debian's) and Node 22 read a folder differently.
    files = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests/js").glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs"
    run(shutil.which("node"), "--test", *files)
