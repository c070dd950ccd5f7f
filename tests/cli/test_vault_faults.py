"""Faults as errors (issue 11.3): a read-only, damaged, full or contended vault, and hostile key settings.

Each fault is real: a read-only folder the process truly cannot write (permissions; as root, the capabilities that
bypass them are dropped with ``setpriv``), a truncated database file, a file-size limit (RLIMIT_FSIZE, with SIGXFSZ
ignored so writes fail with EFBIG as on a full disk), and two real processes racing to create one vault.
"""

from __future__ import annotations

import functools
import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from ecfmg_desk.vault.faults import PAUSEPOINT_ENV
from tests.cli.conftest import Cli, make_demo_exportable, run_process
from tests.samples import make_jpeg

PASS = "correct horse battery"
ENV = {"ECFMG_DESK_PASSPHRASE": PASS}
AS_OF = "2026-11-25"
_NO_BYPASS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def make_read_only(folder: Path) -> None:
    for item in [folder, *folder.rglob("*")]:
        item.chmod(0o500 if item.is_dir() else 0o400)


def as_unprivileged(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real process that permissions apply to, even when the tests run as root."""
    if os.geteuid() != 0:
        return run_process(*args, env=env)
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to apply")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ECFMG_DESK_")}
    full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    full_env.update(env or {})
    return subprocess.run([*_NO_BYPASS, sys.executable, "-m", "ecfmg_desk", *map(str, args)], capture_output=True,
                          text=True, env=full_env, timeout=120, check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def ready_vault(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo applicant, made exportable, with a recovery passphrase (what a second process needs)."""
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    make_demo_exportable(cli, tmp_path)
    return cli.vault


def test_read_only_vault_reads_work_and_writes_are_refused(ready_vault: Path, tmp_path: Path) -> None:
    make_read_only(ready_vault)
    before = files_of(ready_vault)
    try:
        listed = as_unprivileged("--vault", ready_vault, "list", "--json", env=ENV)
        assert listed.returncode == 0 and listed.stderr == "", listed.stderr
        assert len(json.loads(listed.stdout)["documents"]) >= 8
        assert as_unprivileged("--vault", ready_vault, "validate", "--as-of", AS_OF, env=ENV).returncode == 0
        assert as_unprivileged("--vault", ready_vault, "check", env=ENV).returncode == 0
        out = tmp_path / "elsewhere" / "packet.pdf"
        out.parent.mkdir()
        exported = as_unprivileged("--vault", ready_vault, "export", "--out", out, "--as-of", AS_OF, env=ENV)
        assert exported.returncode == 0, exported.stderr
        assert out.read_bytes().startswith(b"%PDF")
        for write in (["profile", "--set", "family_name=Other"], ["add", "photo", make_jpeg(tmp_path / "p.jpg")],
                      ["remove", json.loads(listed.stdout)["documents"][0]["id"]]):
            refused = as_unprivileged("--vault", ready_vault, *write, env=ENV)
            assert refused.returncode == 2
            assert "read-only" in one_error_line(refused)
        assert files_of(ready_vault) == before, "nothing written: no WAL index, no migration, no temp file"
    finally:
        for item in [ready_vault, *ready_vault.rglob("*")]:
            item.chmod(0o700 if item.is_dir() else 0o600)


def test_first_export_of_a_read_only_vault_writes_a_signed_bundle_and_nothing_in_the_vault(
        ready_vault: Path, tmp_path: Path) -> None:
    """DESIGN.md section 9: ``export`` to another folder works on a read-only vault. The bundle's signing key is
    derived from the vault key, so the very first bundle needs nothing stored; later exports sign with the same
    key (the advisor's app recognises the student by it)."""
    make_read_only(ready_vault)
    before = files_of(ready_vault)
    out = tmp_path / "elsewhere"
    out.mkdir()
    try:
        exported = as_unprivileged("--vault", ready_vault, "export", "--out", out / "packet.pdf", "--bundle",
                                   out / "first.ecfmgpkt", "--as-of", AS_OF, env=ENV)
        assert exported.returncode == 0, exported.stderr
        assert "Traceback" not in exported.stderr
        assert files_of(ready_vault) == before, "no signing key, WAL index or temp file written into the vault"
    finally:
        for item in [ready_vault, *ready_vault.rglob("*")]:
            item.chmod(0o700 if item.is_dir() else 0o600)
    first = run_process("verify", out / "first.ecfmgpkt", env=ENV)
    assert first.returncode == 0 and "signed by the student's vault, key" in first.stdout, first.stdout
    again = run_process("--vault", ready_vault, "export", "--out", out / "packet2.pdf", "--bundle",
                        out / "second.ecfmgpkt", "--as-of", AS_OF, env=ENV)
    assert again.returncode == 0, again.stderr
    second = run_process("verify", out / "second.ecfmgpkt", env=ENV)
    key = re.search(r"key ((?:[0-9a-f]{4} ){4}[0-9a-f]{4})", first.stdout)
    assert key is not None and key.group(1) in second.stdout, (first.stdout, second.stdout)


def test_damaged_database_is_exit_3_everywhere(cli: Cli, tmp_path: Path) -> None:
    assert cli("profile", "--set", "given_names=Maria").code == 0
    db_file = cli.vault / "vault.db"
    with db_file.open("r+b") as handle:
        handle.truncate(db_file.stat().st_size // 3)
    for command in (["list"], ["check"], ["profile", "--set", "family_name=X"]):
        result = cli(*command)
        assert result.code == 3 and result.err.startswith("error: ") and "damaged" in result.err, result.err
    db_file.write_bytes(b"this is not a database at all" * 200)
    shot = tmp_path / "shot.png"
    gui = run_process("--vault", cli.vault, "gui", "--screenshot", shot, env={"QT_QPA_PLATFORM": "offscreen", **ENV})
    assert gui.returncode == 3, gui.stderr
    assert "damaged" in gui.stderr and "Traceback" not in gui.stderr
    assert not shot.exists()


def _limited(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, like a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_disk_full_at_any_write_is_exit_2_and_the_vault_stays_consistent(tmp_path: Path) -> None:
    """File-size limits from "nothing fits" (the database's WAL index cannot be made) through "the scan's blob
    does not fit" and "the database's log does not fit" to "everything fits"."""
    vault = tmp_path / "vault"
    assert run_process("--vault", vault, "add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)),
                       env=ENV).returncode == 0
    scan = make_jpeg(tmp_path / "diploma.jpg", size_px=(500, 700))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECFMG_DESK_")}
    env.update(ENV, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    outcomes: dict[int, int] = {}
    size = scan.stat().st_size
    assert size > 36_000, "the blob must be larger than SQLite's 32 KiB WAL index for the second limit to mean it"
    # nothing fits (the WAL index) / the scan's encrypted blob does not / the database's log does not / all fits
    for limit in (1024, size - 2000, size + 1000, 1 << 24):
        result = subprocess.run([sys.executable, "-m", "ecfmg_desk", "--vault", str(vault), "add",
                                 "medical-diploma", str(scan)], capture_output=True, text=True, env=env,
                                timeout=120, check=False, preexec_fn=functools.partial(_limited, limit))
        outcomes[limit] = result.returncode
        if result.returncode != 0:
            assert result.returncode == 2, result.stderr
            assert "disk is full" in one_error_line(result)
        check = run_process("--vault", vault, "check", env=ENV)
        assert check.returncode == 0, check.stderr
    assert list(outcomes.values()) == [2, 2, 2, 0], outcomes
    docs = json.loads(run_process("--vault", vault, "list", "--json", env=ENV).stdout)["documents"]
    assert len(docs) == 1 + list(outcomes.values()).count(0)
    assert all(d["pages"] == 1 for d in docs)
    assert not list(vault.rglob(".tmp-*")), "a refused write leaves no temp file"


def test_two_first_commands_racing_to_create_a_vault_both_succeed(tmp_path: Path) -> None:
    """The first process is stopped right before its new vault appears; the second creates one meanwhile; the
    first then finds a vault in place and uses it instead of calling it damaged."""
    vault = tmp_path / "vault"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECFMG_DESK_")}
    env.update(ENV, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    first = subprocess.Popen([sys.executable, "-m", "ecfmg_desk", "--vault", str(vault), "profile", "--set",
                              "given_names=Maria"], env={**env, PAUSEPOINT_ENV: "create-before-link"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _pid, status = os.waitpid(first.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        second = run_process("--vault", vault, "profile", "--set", "family_name=Garcia", env=ENV)
        assert second.returncode == 0, second.stderr
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    profile = json.loads(run_process("--vault", vault, "profile", "--json", env=ENV).stdout)
    assert (profile["given_names"], profile["family_name"]) == ("Maria", "Garcia")
    assert run_process("--vault", vault, "check", env=ENV).returncode == 0
    assert sorted(p.name for p in vault.iterdir()) == ["vault.db"], "the loser's temp folder is gone"


def _rewrite_header(backup: Path, out: Path, **changes: object) -> Path:
    data = backup.read_bytes()
    magic = b"ECFMG-DESK-BACKUP\n"
    (length,) = struct.unpack(">I", data[len(magic):len(magic) + 4])
    header = json.loads(data[len(magic) + 4:len(magic) + 4 + length])
    header["wrapped_key"].update(changes)
    new = json.dumps(header, sort_keys=True).encode()
    out.write_bytes(magic + struct.pack(">I", len(new)) + new + data[len(magic) + 4 + length:])
    return out


@pytest.mark.parametrize("changes", [{"n": 2**24}, {"n": 2**20, "r": 64}, {"p": 1000}, {"n": 3 * 2**15},
                                     {"n": "131072"}, {"salt": "%%%"}, {"n": 2**20, "r": 16}])
def test_backup_with_absurd_scrypt_settings_is_refused_before_deriving(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object]
) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    assert cli("profile", "--set", "given_names=Maria").code == 0
    assert cli("backup", "--out", tmp_path / "good.bak").code == 0
    hostile = _rewrite_header(tmp_path / "good.bak", tmp_path / "hostile.bak", **changes)
    target = tmp_path / "restored"
    result = Cli(target)("restore", hostile)
    assert result.code == 2 and result.err.startswith("error: ") and "settings" in result.err
    assert not target.exists()


def test_verbose_prints_vault_events_without_personal_data(tmp_path: Path) -> None:
    vault = tmp_path / "Maria Garcia's vault"
    created = run_process("--verbose", "--vault", vault, "profile", "--set", "given_names=Maria", env=ENV)
    assert created.returncode == 0, created.stderr
    assert "ecfmg_desk.vault.store: new vault created" in created.stderr
    listed = run_process("--vault", vault, "list", "--verbose", env=ENV)
    assert listed.returncode == 0
    quiet = run_process("--vault", vault, "list", env=ENV)
    assert quiet.stderr == ""
    for text in (created.stderr, listed.stderr):
        assert "Maria" not in text and PASS not in text
