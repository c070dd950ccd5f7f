"""Signed bundles and reviews end to end: a real vault exports, a real advisor signs, the vault trusts on first
use, refuses a changed key and a replayed older review; bundles resealed by hand no longer verify."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from ecfmg_desk.packet.bundle import verify_bundle
from ecfmg_desk.packet.review import make_review, write_review
from ecfmg_desk.vault.advisor_key import load_advisor_key
from ecfmg_desk.vault.signatures import fingerprint
from tests.cli.conftest import AS_OF, Cli
from tests.conftest import MemoryKeyring
from tests.samples import resign_bundle


@pytest.fixture
def bundle(cli: Cli, tmp_path: Path, ready_vault: dict[str, str]) -> Path:
    path = tmp_path / "packet.ecfmgpkt"
    result = cli("export", "--out", tmp_path / "packet.pdf", "--bundle", path, "--as-of", AS_OF)
    assert result.code == 0, result.err
    return path


def _rezip(src: Path, dst: Path, change: Any) -> Path:
    """Rebuild the bundle with zipfile, editing the manifest with ``change`` and recomputing its checksum: what
    someone who knows the format (but has no key) can do."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                body = json.loads(data)
                change(body)
                rest = {k: v for k, v in body.items() if k != "manifest_sha256"}
                canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
                body["manifest_sha256"] = hashlib.sha256(canonical).hexdigest()
                data = json.dumps(body).encode()
            zout.writestr(info, data)
    return dst


def _review(cli: Cli, bundle: Path, out: Path, doc: str, decision: str = "approved",
            reviewer: str = "Dr. Ana Ruiz") -> Any:
    result = cli("review", bundle, "--decision", f"{doc}={decision}", "--reviewer", reviewer, "--out", out,
                 vault=False)
    assert result.code == 0, result.err
    return result


def _decisions(cli: Cli) -> dict[str, Any]:
    return {d["id"]: (d["review"] or {}).get("decision") for d in cli("list", "--json").json()["documents"]}


def test_a_bundle_is_signed_and_a_resealed_one_no_longer_verifies(cli: Cli, bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        body = json.loads(zf.read("manifest.json"))
    assert body["format_version"] == 2 and body["signature"]["algorithm"] == "ed25519"
    verified = cli("verify", bundle, vault=False)
    key = fingerprint(base64.b64decode(body["signature"]["public_key"]))
    assert verified.code == 0 and f"signed by the student's vault, key {key}" in verified.out

    def rename(b: dict[str, Any]) -> None:
        b["applicant"]["family_name"] = "Perez"
        b["applicant"]["name_of_record"] = b["applicant"]["given_names"] + " Perez"

    resealed = _rezip(bundle, tmp_path / "resealed.ecfmgpkt", rename)
    result = cli("verify", resealed, vault=False)
    assert result.code == 3 and "signature does not match" in result.err
    assert cli("review", resealed, "--reviewer", "Ana", "--out", tmp_path / "r.json", vault=False).code == 3

    # the same vault signs every bundle with the same key
    again = tmp_path / "again.ecfmgpkt"
    assert cli("export", "--out", tmp_path / "p2.pdf", "--bundle", again, "--as-of", AS_OF).code == 0
    assert key in cli("verify", again, vault=False).out


def test_a_format_1_bundle_still_verifies_marked_unsigned(cli: Cli, bundle: Path, tmp_path: Path) -> None:
    def downgrade(b: dict[str, Any]) -> None:
        b["format_version"] = 1
        for key in ("signature", "rotations", "letters", "cycle", "deadlines"):  # what format 2 added
            del b[key]
        for document in b["documents"]:
            del document["fields"]

    old = _rezip(bundle, tmp_path / "old.ecfmgpkt", downgrade)
    result = cli("verify", old, vault=False)
    assert result.code == 0, result.err
    assert "not signed" in result.out and "warning: this bundle is not signed" in result.err
    # a signature stripped from a format-2 manifest is the same: unsigned, and said so
    stripped = _rezip(bundle, tmp_path / "stripped.ecfmgpkt", lambda b: b.update(signature=None))
    assert "not signed" in cli("verify", stripped, vault=False).out


def test_signed_review_trusted_on_first_use_then_known(cli: Cli, bundle: Path, tmp_path: Path,
                                                      ready_vault: dict[str, str]) -> None:
    first = tmp_path / "first.json"
    made = _review(cli, bundle, first, ready_vault["passport"])
    assert "made your signing key" in made.err
    body = json.loads(first.read_text())
    key = fingerprint(base64.b64decode(body["signature"]["public_key"]))
    assert f"signed by Dr. Ana Ruiz with key {key}" in made.err
    assert cli("advisor-key", "show", vault=False).out.strip().startswith(f"Your signing key: {key}")

    applied = cli("apply-review", first)
    assert applied.code == 0, applied.err
    assert f"first review signed with this key: Dr. Ana Ruiz, key {key}" in applied.err
    second = tmp_path / "second.json"
    _review(cli, bundle, second, ready_vault["medical-diploma"], "changes")
    again = cli("apply-review", second)
    assert again.code == 0 and f"signed by Dr. Ana Ruiz, key {key} (the key you already trust)" in again.err


def test_an_edited_signed_review_is_refused(cli: Cli, bundle: Path, tmp_path: Path,
                                            ready_vault: dict[str, str]) -> None:
    review = tmp_path / "review.json"
    _review(cli, bundle, review, ready_vault["passport"], "changes")
    body = json.loads(review.read_text())
    body["documents"][ready_vault["passport"]]["decision"] = "approved"
    review.write_text(json.dumps(body))
    before = _decisions(cli)
    result = cli("apply-review", review)
    assert result.code == 2 and "signature does not match" in result.err
    assert _decisions(cli) == before


def test_a_known_advisors_new_key_is_refused_loudly_until_accepted(
    cli: Cli, bundle: Path, tmp_path: Path, ready_vault: dict[str, str], memory_keyring: MemoryKeyring
) -> None:
    _review(cli, bundle, tmp_path / "old-laptop.json", ready_vault["passport"])
    assert cli("apply-review", tmp_path / "old-laptop.json").code == 0
    old_key = cli("advisor-key", "show", vault=False).out.split(": ")[1].split(" (")[0]
    # someone else (or the advisor on a new laptop without their exported key) signs as Dr. Ana Ruiz
    del memory_keyring.entries[("ecfmg-desk", "advisor-signing-key")]
    forged = tmp_path / "forged.json"
    _review(cli, bundle, forged, ready_vault["medical-diploma"], "approved", reviewer="dr. ana  RUIZ")
    new_key = cli("advisor-key", "show", vault=False).out.split(": ")[1].split(" (")[0]
    assert new_key != old_key
    before = _decisions(cli)
    refused = cli("apply-review", forged)
    assert refused.code == 3 and refused.err.startswith("error: Warning:")
    assert new_key in refused.err and old_key in refused.err and "--accept-new-key" in refused.err
    assert _decisions(cli) == before
    accepted = cli("apply-review", "--accept-new-key", forged)
    assert accepted.code == 0 and f"accepted dr. ana  RUIZ's NEW key {new_key} (before: {old_key})" in accepted.err
    assert _decisions(cli)[ready_vault["medical-diploma"]] == "approved"


def test_a_replayed_older_review_is_refused(cli: Cli, bundle: Path, tmp_path: Path,
                                            ready_vault: dict[str, str]) -> None:
    passport = ready_vault["passport"]
    newer = tmp_path / "newer.json"
    _review(cli, bundle, newer, passport, "approved")
    signed_at = datetime.fromisoformat(json.loads(newer.read_text())["created"])
    # the same advisor's review of an hour before, signed with the same key (as the advisor's app wrote it)
    older = tmp_path / "older.json"
    earlier = make_review(verify_bundle(bundle), {passport: "changes"}, {}, "Dr. Ana Ruiz", signed_at.date(),
                          at=signed_at - timedelta(hours=1))
    write_review(older, earlier, load_advisor_key(passphrase=None, create=False).private)
    assert cli("apply-review", newer).code == 0
    assert cli("apply-review", newer).code == 0  # loading the same review again is harmless
    replay = cli("apply-review", older)
    assert replay.code == 2 and "before the review you already loaded" in replay.err
    assert _decisions(cli)[passport] == "approved"


def test_the_trusted_keys_cannot_be_edited_without_the_vault_key(cli: Cli, bundle: Path, tmp_path: Path,
                                                                 ready_vault: dict[str, str]) -> None:
    review = tmp_path / "review.json"
    _review(cli, bundle, review, ready_vault["passport"])
    assert cli("apply-review", review).code == 0
    db = sqlite3.connect(cli.vault / "vault.db")
    with db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'sealed:known_advisors'").fetchone()
        flipped = value[:30] + ("A" if value[30] != "A" else "B") + value[31:]
        db.execute("UPDATE meta SET value = ? WHERE key = 'sealed:known_advisors'", (flipped,))
    db.close()
    result = cli("apply-review", review)
    assert result.code == 3 and "advisors" in result.err


def test_no_key_source_writes_an_unsigned_review_and_the_student_is_warned(
    cli: Cli, bundle: Path, tmp_path: Path, ready_vault: dict[str, str], memory_keyring: MemoryKeyring
) -> None:
    keyring.set_keyring(fail.Keyring())  # the advisor's headless laptop, no passphrase
    review = tmp_path / "review.json"
    made = _review(cli, bundle, review, ready_vault["passport"])
    assert "UNSIGNED" in made.err and "ECFMG_DESK_PASSPHRASE" in made.err
    assert json.loads(review.read_text())["signature"] is None
    keyring.set_keyring(memory_keyring)  # back on the student's computer
    applied = cli("apply-review", review)
    assert applied.code == 0 and "warning: this review is NOT SIGNED" in applied.err
    assert _decisions(cli)[ready_vault["passport"]] == "approved"


def test_unsigned_and_format_1_reviews_still_load_marked_unsigned(cli: Cli, bundle: Path, tmp_path: Path,
                                                                  ready_vault: dict[str, str]) -> None:
    review = tmp_path / "review.json"
    _review(cli, bundle, review, ready_vault["passport"])
    body = json.loads(review.read_text())
    old = {k: v for k, v in body.items() if k not in ("review_id", "created", "signature")}
    old["format_version"] = 1
    (tmp_path / "old.json").write_text(json.dumps(old))
    applied = cli("apply-review", tmp_path / "old.json")
    assert applied.code == 0 and "warning: this review is NOT SIGNED" in applied.err
    assert _decisions(cli)[ready_vault["passport"]] == "approved"
    unsigned = {**body, "signature": None}
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    assert "NOT SIGNED" in cli("apply-review", tmp_path / "unsigned.json").err


def test_advisor_key_export_and_import_on_a_new_laptop(cli: Cli, bundle: Path, tmp_path: Path,
                                                       ready_vault: dict[str, str],
                                                       memory_keyring: MemoryKeyring,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    review = tmp_path / "review.json"
    _review(cli, bundle, review, ready_vault["passport"])
    assert cli("apply-review", review).code == 0
    key = cli("advisor-key", "show", vault=False).out.split(": ")[1].split(" (")[0]
    monkeypatch.setenv("KEYFILE_PASS", "correct horse battery")
    exported = tmp_path / "my-key.json"
    result = cli("advisor-key", "export", exported, "--passphrase-env", "KEYFILE_PASS", vault=False)
    assert result.code == 0 and key in result.err
    raw = memory_keyring.entries[("ecfmg-desk", "advisor-signing-key")]
    assert raw not in exported.read_text() and (exported.stat().st_mode & 0o077) == 0

    # the new laptop: no key yet (a fresh keyring entry list), then the import
    del memory_keyring.entries[("ecfmg-desk", "advisor-signing-key")]
    assert cli("advisor-key", "show", vault=False).code == 2
    monkeypatch.setenv("KEYFILE_PASS", "wrong passphrase")
    wrong = cli("advisor-key", "import", exported, "--passphrase-env", "KEYFILE_PASS", vault=False)
    assert wrong.code == 2 and "passphrase does not open this key file" in wrong.err
    monkeypatch.setenv("KEYFILE_PASS", "correct horse battery")
    imported = cli("advisor-key", "import", exported, "--passphrase-env", "KEYFILE_PASS", vault=False)
    assert imported.code == 0 and key in imported.err
    second = tmp_path / "second.json"
    _review(cli, bundle, second, ready_vault["medical-diploma"], "changes")
    assert "the key you already trust" in cli("apply-review", second).err  # no key-change alarm


def test_without_a_keyring_the_key_is_kept_wrapped_by_the_passphrase(
    cli: Cli, bundle: Path, tmp_path: Path, ready_vault: dict[str, str], isolated_dirs: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", "advisor passphrase 1")
    review = tmp_path / "review.json"
    made = _review(cli, bundle, review, ready_vault["passport"])
    assert json.loads(review.read_text())["signature"] is not None
    stored = isolated_dirs / "config" / "ecfmg-desk" / "advisor-key.json"
    body = json.loads(stored.read_text())
    assert body["wrapped"]["kdf"] == "scrypt" and (stored.stat().st_mode & 0o077) == 0
    key = made.err.split("with key ")[1].strip()
    assert cli("advisor-key", "show", vault=False).out.startswith(f"Your signing key: {key}")
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", "another passphrase")
    assert cli("review", bundle, "--reviewer", "Ana", "--out", tmp_path / "r2.json", vault=False).code == 2
    monkeypatch.delenv("ECFMG_DESK_PASSPHRASE")
    unsigned = _review(cli, bundle, tmp_path / "r3.json", ready_vault["passport"])
    assert "UNSIGNED" in unsigned.err and "protected by your passphrase" in unsigned.err


def test_an_unsigned_review_in_a_signing_advisors_name_is_refused(cli: Cli, bundle: Path, tmp_path: Path,
                                                                  ready_vault: dict[str, str]) -> None:
    signed = tmp_path / "signed.json"
    _review(cli, bundle, signed, ready_vault["passport"])
    assert cli("apply-review", signed).code == 0
    stripped = {**json.loads(signed.read_text()), "signature": None}
    stripped["documents"] = {ready_vault["medical-diploma"]: {**stripped["documents"][ready_vault["passport"]],
                                                              "sha256": ""}}
    (tmp_path / "stripped.json").write_text(json.dumps(stripped))
    before = _decisions(cli)
    refused = cli("apply-review", tmp_path / "stripped.json")
    assert refused.code == 3 and "is not signed" in refused.err and _decisions(cli) == before
    accepted = cli("apply-review", "--accept-new-key", tmp_path / "stripped.json")
    assert accepted.code == 0 and "NOT SIGNED" in accepted.err


def _resign(src: Path, dst: Path, key: Any, change: Any = None) -> Path:
    return resign_bundle(src, dst, key, change)


def test_the_advisor_pins_each_students_bundle_key(cli: Cli, bundle: Path, tmp_path: Path,
                                                   ready_vault: dict[str, str]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ecfmg_desk.vault.student_keys import known_students_path

    student = verify_bundle(bundle).applicant.name_of_record
    first = cli("verify", bundle, vault=False)
    assert first.code == 0, first.err
    assert f"first bundle from {student}" in first.err and "remembered" in first.err
    assert known_students_path().exists()
    again = tmp_path / "again.ecfmgpkt"
    exported = cli("export", "--out", tmp_path / "p2.pdf", "--bundle", again, "--as-of", AS_OF)
    key = verify_bundle(bundle).signer.fingerprint  # type: ignore[union-attr]
    assert f"signed with your vault's key {key}" in exported.err, "the student can read their key to the advisor"
    known = cli("verify", again, vault=False)
    assert known.code == 0 and "the one you already know" in known.err

    def falsify(body: dict[str, Any]) -> None:
        body["validation"]["findings"] = []  # e.g. hide a problem, then re-sign: the signature itself is valid

    intruder = Ed25519PrivateKey.generate()
    resealed = _resign(bundle, tmp_path / "resealed.ecfmgpkt", intruder, falsify)
    other = fingerprint(verify_bundle(resealed).signer.public_key)  # type: ignore[union-attr]
    refused = cli("verify", resealed, vault=False)
    assert refused.code == 3 and refused.out == ""
    line = refused.err.strip()
    assert line.startswith(f"error: Warning: this bundle says it is from {student}, but it is signed "
                           f"with a key this computer has never seen for them (fingerprint {other})"), line
    assert key in line and "--accept-new-key" in line and len(refused.err.strip().splitlines()) == 1
    out = tmp_path / "r.json"
    assert cli("review", resealed, "--reviewer", "Ana", "--out", out, vault=False).code == 3
    assert not out.exists(), "no review of a bundle whose key changed"
    # a new vault id does not make a new student: the USMLE ID is the same
    renamed = _resign(bundle, tmp_path / "renamed.ecfmgpkt", intruder, lambda b: b.update(vault_id="fresh"))
    assert cli("verify", renamed, vault=False).code == 3
    # an unsigned bundle from a student whose bundles were signed is a downgrade
    stripped = _rezip(bundle, tmp_path / "stripped.ecfmgpkt", lambda b: b.update(signature=None))
    downgraded = cli("verify", stripped, vault=False)
    assert downgraded.code == 3 and "is not signed" in downgraded.err
    # the advisor accepts the new key deliberately (after checking it with the student)
    accepted = cli("verify", resealed, "--accept-new-key", vault=False)
    assert accepted.code == 0 and f"accepted {student}'s NEW key {other}" in accepted.err
    assert cli("verify", resealed, vault=False).code == 0
    assert cli("verify", bundle, vault=False).code == 0, "the old key stays known too"


def test_the_list_of_students_keys_cannot_be_edited_without_the_advisors_key(cli: Cli, bundle: Path,
                                                                             tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ecfmg_desk.vault.signatures import Signer, raw_public_key
    from ecfmg_desk.vault.student_keys import known_students_path

    assert cli("verify", bundle, vault=False).code == 0
    intruder = Ed25519PrivateKey.generate()
    pins = json.loads(known_students_path().read_text())
    for entry in pins["students"].values():  # the attacker puts their own key in the list
        entry["keys"] = [Signer(raw_public_key(intruder)).public_key_b64]
    known_students_path().write_text(json.dumps(pins))
    result = cli("verify", _resign(bundle, tmp_path / "resealed.ecfmgpkt", intruder), vault=False)
    assert result.code == 3 and "list of students' keys" in result.err and "Traceback" not in result.err


def test_moving_the_advisors_key_keeps_the_students_keys_known(cli: Cli, bundle: Path, tmp_path: Path,
                                                               memory_keyring: MemoryKeyring,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", "correct horse battery")
    assert cli("verify", bundle, vault=False).code == 0
    exported = tmp_path / "key.json"
    assert cli("advisor-key", "export", exported, vault=False).code == 0
    memory_keyring.entries.clear()  # the key is gone: a new one is made, the old list cannot be checked with it
    fresh = cli("verify", bundle, vault=False)
    assert fresh.code == 0 and "made your signing key" in fresh.err and "first bundle from" in fresh.err
    assert cli("advisor-key", "import", exported, vault=False).code == 0  # the old key again, as on a new laptop
    assert "the one you already know" in cli("verify", bundle, vault=False).err, "the list moved to the new key"
