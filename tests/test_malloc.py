"""kg/malloc.py: the malloc settings kg gives the processes it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg import malloc

LOADER = Path("/lib64/ld-linux-x86-64.so.2")


def test_set_for_child_processes_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(malloc.VARIABLE, raising=False)
    malloc.tune_child_processes()
    assert os.environ[malloc.VARIABLE] == "glibc.malloc.tcache_count=2000"
    for chosen in ("glibc.malloc.tcache_count=7", ""):
        monkeypatch.setenv(malloc.VARIABLE, chosen)
        malloc.tune_child_processes()
        assert os.environ[malloc.VARIABLE] == chosen


def test_the_cli_passes_them_to_what_it_starts() -> None:
    """`kg` sets them before it runs a command, so workers and servers inherit them."""
    environment = {k: v for k, v in os.environ.items() if k != malloc.VARIABLE}
    script = (
        "import contextlib, io, os\n"
        "from kg import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])\n"
        "print(os.environ.get('GLIBC_TUNABLES'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == malloc.setting()


@pytest.mark.skipif(not LOADER.exists(), reason="not glibc on x86-64")
def test_glibc_reads_the_setting() -> None:
    """glibc's loader lists the values a process started with them gets (an unknown or
    malformed tunable would be dropped silently)."""
    done = subprocess.run(
        [str(LOADER), "--list-tunables"],
        env={**os.environ, malloc.VARIABLE: malloc.setting()},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip("this glibc cannot list its tunables (before 2.33)")
    values = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    for name, value in malloc.TUNABLES.items():
        assert values[f"glibc.malloc.{name}"].split()[0] == hex(value)
