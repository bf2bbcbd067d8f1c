"""The code base stays ruff-clean (STYLE.md: typed and linted, checked in CI)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import ROOT


def test_ruff_check() -> None:
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "kg", "server", "tests", "bench"],
                         cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the `test` extra)")
    out = subprocess.run([sys.executable, "-m", "mypy", "kg", "server", "--ignore-missing-imports"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
