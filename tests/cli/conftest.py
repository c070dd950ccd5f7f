"""Run the command line in-process (fast, shares the in-memory keyring) or as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.cli import run
from tests.samples import make_scan_pdf


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def last_line(self) -> str:
        return self.out.strip().splitlines()[-1]


class Cli:
    def __init__(self, vault: Path) -> None:
        self.vault = vault

    def __call__(self, *args: str | Path, vault: bool = True) -> Result:
        argv = [str(a) for a in args]
        if vault:
            argv = ["--vault", str(self.vault), *argv]
        out, err = io.StringIO(), io.StringIO()
        code = run(argv, out, err)
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(vault_dir: Path) -> Cli:
    return Cli(vault_dir)


def run_process(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real ``ecfmg-desk`` process; no keyring backend, so the passphrase is the key source."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ECFMG_DESK_")}
    full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "ecfmg_desk", *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=120, check=False)


AS_OF = "2026-11-25"


def make_demo_exportable(cli: Cli, tmp_path: Path) -> dict[str, str]:
    """Load the demo applicant and fix its two deliberate gaps (a name verification, the transcript's
    translation), so tests start from a packet that exports; returns requirement -> document id."""
    assert cli("demo").code == 0
    docs = {d["requirement"]: d["id"] for d in cli("list", "--json").json()["documents"]
            if d["translation_of"] is None}
    assert cli("add", "name-verification", make_scan_pdf(tmp_path / "nv.pdf", dpi=200), "--issued", "2023-01-10",
               "--name-on-document", "M. J. Garcia").code == 0
    assert cli("add", "translation", make_scan_pdf(tmp_path / "tr.pdf", dpi=200), "--translation-of",
               docs["final-transcript"], "--translator", "Lingua", "--translator-kind", "professional",
               "--issued", "2022-08-02").code == 0
    return docs


@pytest.fixture
def ready_vault(cli: Cli, tmp_path: Path) -> dict[str, str]:
    """The demo applicant with its deliberate problems fixed; returns requirement -> document id."""
    docs = make_demo_exportable(cli, tmp_path)
    assert cli("validate", "--as-of", AS_OF).code == 0
    return docs
