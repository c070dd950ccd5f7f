"""The vault commands of DESIGN.md section 3: exit codes, JSON shapes, bad input, crash safety, backups."""

from __future__ import annotations

import os
import signal
import sys
import zipfile
from pathlib import Path

import pytest

from ecfmg_desk.vault.faults import CRASHPOINT_ENV
from tests.cli.conftest import Cli, run_process
from tests.conftest import MemoryKeyring
from tests.samples import (
    make_bomb_png,
    make_empty_pdf_zero_pages,
    make_encrypted_pdf,
    make_jpeg,
    make_scan_pdf,
    make_tiff,
    make_truncated_pdf,
)
from tests.vault.test_store import vault_state

PASS = "correct horse battery"


def test_profile_set_and_json(cli: Cli) -> None:
    result = cli("profile", "--set", "given_names=Maria Jose", "--set", "family_name=Garcia Lopez",
                 "--set", "date_of_birth=1996-04-12", "--set", "transferred_credits=yes", "--json")
    assert result.code == 0, result.err
    profile = result.json()
    assert profile["given_names"] == "Maria Jose"
    assert profile["date_of_birth"] == "1996-04-12"
    assert profile["transferred_credits"] is True
    assert profile["clinical_skills_route"] == "pathway"
    assert "no recovery passphrase" in result.err  # created by the CLI without one: warned
    assert cli("profile", "--json").json() == profile


@pytest.mark.parametrize(
    ("assignment", "words"),
    [("date_of_birth=12/04/1996", "YYYY-MM-DD"), ("shoe_size=42", "Unknown profile field"),
     ("clinical_skills_route=osce", "pathway or step2cs"), ("nonsense", "FIELD=VALUE")],
)
def test_profile_bad_values(cli: Cli, assignment: str, words: str) -> None:
    result = cli("profile", "--set", assignment)
    assert result.code == 2
    assert result.err.startswith("error: ") and words in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_add_list_edit_remove(cli: Cli, tmp_path: Path) -> None:
    front = make_jpeg(tmp_path / "front.jpg", size_px=(850, 1100), dpi=100)
    back = make_jpeg(tmp_path / "back.jpg", size_px=(850, 1101), dpi=100)
    added = cli("add", "medical-diploma", front, back, "--issued", "2022-07-15", "--language", "es",
                "--name-on-document", "M. J. Garcia")
    assert added.code == 0, added.err
    diploma = added.last_line
    translation = cli("add", "translation", make_scan_pdf(tmp_path / "t.pdf", pages=2, dpi=100),
                      "--translation-of", diploma, "--translator", "Lingua Translations",
                      "--translator-kind", "professional", "--issued", "2022-08-01").last_line
    listing = cli("list", "--json")
    assert listing.code == 0
    docs = {d["id"]: d for d in listing.json()["documents"]}
    assert set(docs) == {diploma, translation}
    d = docs[diploma]
    assert d["requirement"] == "medical-diploma" and d["pages"] == 2
    assert d["issued"] == "2022-07-15" and d["expires"] is None and d["language"] == "es"
    assert d["name_on_document"] == "M. J. Garcia"
    assert d["translations"] == [translation] and d["translation_status"] == "attached"
    assert [f["name"] for f in d["files"]] == ["front.jpg", "back.jpg"]
    assert len(d["sha256"]) == 64 and d["review"] is None
    t = docs[translation]
    assert t["requirement"] == "translation" and t["translation_of"] == diploma
    assert t["translator"] == "Lingua Translations" and t["translator_kind"] == "professional"

    assert cli("edit", diploma, "--expires", "2030-01-01", "--name-on-document", "").code == 0
    edited = {d["id"]: d for d in cli("list", "--json").json()["documents"]}[diploma]
    assert edited["expires"] == "2030-01-01" and edited["name_on_document"] is None

    assert cli("remove", translation).code == 0
    after = {d["id"]: d for d in cli("list", "--json").json()["documents"]}
    assert set(after) == {diploma} and after[diploma]["translation_status"] == "needed"
    assert cli("edit", diploma, "--translation-status", "ordered").code == 0
    assert cli("list", "--json").json()["documents"][0]["translation_status"] == "ordered"


def test_edit_replacing_the_scan_changes_the_fingerprint(cli: Cli, tmp_path: Path) -> None:
    doc = cli("add", "photo", make_jpeg(tmp_path / "a.jpg", size_px=(300, 400))).last_line
    before = cli("list", "--json").json()["documents"][0]["sha256"]
    assert cli("edit", doc, "--files", make_jpeg(tmp_path / "b.jpg", size_px=(320, 400))).code == 0
    after = cli("list", "--json").json()["documents"][0]
    assert after["sha256"] != before and after["files"][0]["name"] == "b.jpg"


def test_unknown_requirement_and_document(cli: Cli, tmp_path: Path) -> None:
    result = cli("add", "driving-licence", make_jpeg(tmp_path / "a.jpg", size_px=(300, 400)))
    assert result.code == 2 and "Unknown requirement" in result.err
    assert not (cli.vault / "vault.db").exists()  # nothing created for a refused command
    cli("profile", "--set", "given_names=A")
    result = cli("edit", "deadbeef", "--issued", "2020-01-01")
    assert result.code == 2 and "deadbeef" in result.err


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "a-folder.pdf"
    folder.mkdir()
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    html = tmp_path / "diploma.pdf"
    html.write_text("<!doctype html><html><body>Diploma</body></html>")
    text = tmp_path / "scan.jpg"
    text.write_text("just some notes\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a document")
    link = tmp_path / "link.png"
    link.symlink_to(notes)
    corrupt_jpeg = tmp_path / "corrupt.jpg"
    corrupt_jpeg.write_bytes(make_jpeg(tmp_path / "ok.jpg", size_px=(300, 400)).read_bytes()[:400])
    return {
        "missing": tmp_path / "does-not-exist.pdf",
        "folder": folder,
        "empty": empty,
        "truncated pdf": make_truncated_pdf(tmp_path / "truncated.pdf"),
        "corrupt jpeg": corrupt_jpeg,
        "encrypted pdf": make_encrypted_pdf(tmp_path / "locked.pdf"),
        "zero-page pdf": make_empty_pdf_zero_pages(tmp_path / "nopages.pdf"),
        "bomb": make_bomb_png(tmp_path / "bomb.png"),
        "html named pdf": html,
        "text named jpg": text,
        "symlink to text": link,
    }


def test_every_bad_input_is_refused_with_one_line_and_no_change(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))).code == 0
    before = vault_state(cli.vault)
    bad = _bad_inputs(tmp_path)
    for label, path in bad.items():
        result = cli("add", "medical-diploma", path)
        assert result.code == 2, label
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (label, result.err)
        assert "Traceback" not in result.err
        assert path.name in lines[0], (label, lines[0])
        assert result.out == ""
        assert vault_state(cli.vault) == before, label


def test_wrong_passphrase_exit_2_and_no_key_source(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    assert cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))).code == 0
    before = vault_state(cli.vault)
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", "wrong passphrase")
    result = cli("list")
    assert result.code == 2 and "passphrase does not open" in result.err
    monkeypatch.delenv("ECFMG_DESK_PASSPHRASE")
    memory_keyring.entries.clear()
    result = cli("list")
    assert result.code == 2 and "ECFMG_DESK_PASSPHRASE" in result.err
    assert vault_state(cli.vault) == before


@pytest.mark.usefixtures("no_keyring")
def test_no_key_source_exit_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)))
    assert result.code == 2
    assert "no system keyring" in result.err and "ECFMG_DESK_PASSPHRASE" in result.err
    assert not cli.vault.exists()


def test_vault_from_environment_and_option_after_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home-vault"
    monkeypatch.setenv("ECFMG_DESK_HOME", str(home))
    env_cli = Cli(home)
    assert env_cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)), vault=False).code == 0
    assert (home / "vault.db").is_file()
    other = tmp_path / "other"
    assert env_cli("profile", "--set", "given_names=Ana", "--vault", str(other), vault=False).code == 0
    assert (other / "vault.db").is_file()


def test_check_passes_then_reports_damage_with_exit_3(cli: Cli, tmp_path: Path) -> None:
    doc = cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))).last_line
    ok = cli("check")
    assert ok.code == 0 and "1 file" in ok.out
    blob = max((p for p in (cli.vault / "blobs").rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    data = bytearray(blob.read_bytes())
    data[-5] ^= 0x01
    blob.write_bytes(bytes(data))
    damaged = cli("check")
    assert damaged.code == 3
    assert damaged.err.startswith("error: ") and doc in damaged.err


def test_backup_and_restore_round_trip(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    cli("profile", "--set", "given_names=Maria Jose", "--set", "family_name=Garcia Lopez")
    tiff = make_tiff(tmp_path / "t.tif", pages=3, size_px=(500, 650))
    cli("add", "final-transcript", tiff, "--language", "es")
    cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)))
    original = cli("list", "--json").json()
    backup = tmp_path / "backup.ecfmgbak"
    assert cli("backup", "--out", backup).code == 0
    assert b"Garcia" not in backup.read_bytes() and tiff.read_bytes()[:32] not in backup.read_bytes()

    # another computer: empty keyring, only the passphrase
    memory_keyring.entries.clear()
    target = tmp_path / "restored"
    monkeypatch.delenv("ECFMG_DESK_PASSPHRASE")
    result = Cli(target)("restore", backup)
    assert result.code == 2 and "passphrase" in result.err
    assert not target.exists() or not any(target.iterdir())
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", "wrong passphrase")
    assert Cli(target)("restore", backup).code == 2
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    assert Cli(target)("restore", backup).code == 0
    assert Cli(target)("list", "--json").json() == original
    assert Cli(target)("profile", "--json").json()["family_name"] == "Garcia Lopez"
    assert Cli(target)("check").code == 0

    refused = Cli(target)("restore", backup)
    assert refused.code == 2 and "not empty" in refused.err
    assert Cli(target)("list", "--json").json() == original


def test_tampered_backup_is_refused(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)))
    backup = tmp_path / "b.bak"
    cli("backup", "--out", backup)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x20
    backup.write_bytes(bytes(data))
    target = tmp_path / "restored"
    result = Cli(target)("restore", backup)
    assert result.code == 3 and "damaged or was altered" in result.err
    assert not target.exists()
    truncated = tmp_path / "t.bak"
    truncated.write_bytes(bytes(data[: len(data) - 100]))
    assert Cli(target)("restore", truncated).code in (2, 3)
    not_backup = tmp_path / "x.zip"
    with zipfile.ZipFile(not_backup, "w") as zf:
        zf.writestr("a", "b")
    result = Cli(target)("restore", not_backup)
    assert result.code == 2 and "not an ECFMG Desk backup" in result.err


@pytest.mark.parametrize("point", ["blob-written", "after-blobs", "before-commit", "after-commit"])
def test_killed_import_never_corrupts_the_vault(tmp_path: Path, point: str) -> None:
    """SIGKILL a real ``add`` process at each stage; the vault must check clean with no half-document."""
    vault = tmp_path / "vault"
    env = {"ECFMG_DESK_PASSPHRASE": PASS}
    assert run_process("--vault", vault, "add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)),
                       env=env).returncode == 0
    scan = make_scan_pdf(tmp_path / "diploma.pdf", pages=3, dpi=100)
    killed = run_process("--vault", vault, "add", "medical-diploma", scan, env={**env, CRASHPOINT_ENV: point})
    assert killed.returncode == -signal.SIGKILL
    check = run_process("--vault", vault, "check", env=env)
    assert check.returncode == 0, check.stderr
    listing = run_process("--vault", vault, "list", "--json", env=env)
    import json

    docs = json.loads(listing.stdout)["documents"]
    expected = 2 if point == "after-commit" else 1
    assert len(docs) == expected
    for doc in docs:
        assert doc["pages"] >= 1 and doc["files"]
    again = run_process("--vault", vault, "add", "medical-diploma", scan, env=env)
    assert again.returncode == 0, again.stderr
    assert run_process("--vault", vault, "check", env=env).returncode == 0


def test_cli_process_never_prints_a_traceback(tmp_path: Path) -> None:
    result = run_process("--vault", tmp_path / "v", "list")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    result = run_process("frobnicate")
    assert result.returncode == 2 and result.stderr.startswith("error: ")


def test_version(tmp_path: Path) -> None:
    from ecfmg_desk import __version__

    result = run_process("--version")
    assert result.returncode == 0 and __version__ in result.stdout
    assert os.sep not in __version__


def _headless_env() -> dict[str, str]:
    return {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": "", "ECFMG_DESK_PASSPHRASE": PASS}


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11/Wayland display variables are Linux/BSD")
def test_gui_without_a_screen_says_so_instead_of_crashing(tmp_path: Path) -> None:
    result = run_process("--vault", tmp_path / "v", "gui", env=_headless_env())
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "no screen" in result.stderr
    shot = tmp_path / "shot.png"
    result = run_process("--vault", tmp_path / "v", "gui", "--screenshot", shot, env=_headless_env())
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")
