"""Atomic restore and tidy exports (issue 11.7): a kill leaves no half vault and no plaintext temp file for long."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from ecfmg_desk.vault.faults import CRASHPOINT_ENV
from tests.cli.conftest import Cli, make_demo_exportable, run_process
from tests.samples import make_jpeg

PASS = "correct horse battery"
ENV = {"ECFMG_DESK_PASSPHRASE": PASS}
AS_OF = "2026-11-25"


@pytest.fixture
def ready_vault(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    make_demo_exportable(cli, tmp_path)
    return cli.vault


def test_a_killed_export_leaves_no_plaintext_temp_after_the_next_start(ready_vault: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    killed = run_process("--vault", ready_vault, "export", "--out", out_dir / "packet.pdf", "--as-of", AS_OF,
                         env={**ENV, CRASHPOINT_ENV: "blob-written"})
    assert killed.returncode == -signal.SIGKILL
    left = list(out_dir.iterdir())
    assert len(left) == 1 and left[0].name.startswith(".tmp-"), "the kill skipped the cleanup (as a power cut would)"
    assert left[0].read_bytes().startswith(b"%PDF"), "what is left is the plaintext packet"
    assert run_process("--vault", ready_vault, "requirements", env=ENV).returncode == 0  # any next start
    assert list(out_dir.iterdir()) == []


def test_a_temp_that_is_not_ours_is_never_deleted(tmp_path: Path) -> None:
    """The journal names what to delete; a tampered one still cannot reach a file not named ``.tmp-…``."""
    from ecfmg_desk.vault import temps

    precious = tmp_path / "thesis.pdf"
    precious.write_bytes(b"%PDF mine")
    temps.journal_dir().mkdir(parents=True, exist_ok=True)
    (temps.journal_dir() / "999999999-abc").write_text(str(precious))
    assert temps.clean_stale() == 0
    assert precious.read_bytes() == b"%PDF mine"
    assert list(temps.journal_dir().iterdir()) == []


def test_a_killed_restore_leaves_no_half_vault(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    assert cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))).code == 0
    backup = tmp_path / "b.bak"
    assert cli("backup", "--out", backup).code == 0
    restore_dir = tmp_path / "new-laptop"
    restore_dir.mkdir()
    target = restore_dir / "vault"
    killed = run_process("--vault", target, "restore", backup, env={**ENV, CRASHPOINT_ENV: "restore-before-rename"})
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists(), "no half vault where the user will look"
    assert [p.name[:13] for p in restore_dir.iterdir()] == [".tmp-restore-"]
    done = run_process("--vault", target, "restore", backup, env=ENV)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in restore_dir.iterdir()) == ["vault"], "the killed run's folder is cleaned too"
    assert run_process("--vault", target, "check", env=ENV).returncode == 0


def test_a_killed_review_write_leaves_nothing_after_the_next_start(ready_vault: Path, tmp_path: Path) -> None:
    """The advisor's review goes through the same journalled temp file as an export (issue 11.7)."""
    bundle = tmp_path / "mail" / "maria.ecfmgpkt"
    bundle.parent.mkdir()
    assert run_process("--vault", ready_vault, "export", "--out", tmp_path / "packet.pdf", "--bundle", bundle,
                       "--as-of", AS_OF, env=ENV).returncode == 0
    advisor = {**ENV, "ECFMG_DESK_HOME": str(tmp_path / "advisor-has-no-vault")}
    out_dir = tmp_path / "reviews"
    out_dir.mkdir()
    first = run_process("review", bundle, "--reviewer", "Dr. Ana Ruiz", "--out", out_dir / "first.json", env=advisor)
    assert first.returncode == 0, first.stderr  # (makes the advisor's key: that write is not the one killed)
    (out_dir / "first.json").unlink()
    killed = run_process("review", bundle, "--reviewer", "Dr. Ana Ruiz", "--out", out_dir / "review.json",
                         env={**advisor, CRASHPOINT_ENV: "blob-written"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = list(out_dir.iterdir())
    assert len(left) == 1 and left[0].name.startswith(".tmp-"), left
    assert b"Dr. Ana Ruiz" in left[0].read_bytes(), "what the kill left is the review being written"
    assert run_process("requirements", env=advisor).returncode == 0  # any next start
    assert list(out_dir.iterdir()) == []
