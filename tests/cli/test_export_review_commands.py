"""export, verify, review and apply-review: the gate, the bundle and the round trip back to the student."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pypdf import PdfReader

from tests.cli.conftest import AS_OF, Cli
from tests.samples import make_jpeg


def test_export_is_refused_while_validation_has_errors(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo").code == 0
    out, bundle = tmp_path / "packet.pdf", tmp_path / "packet.ecfmgpkt"
    result = cli("export", "--out", out, "--bundle", bundle, "--as-of", AS_OF)
    assert result.code == 1
    assert result.err.startswith("error: ") and "2 problems" in result.err
    assert not out.exists() and not bundle.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vault"]  # no temp file left either


def test_export_writes_packet_and_bundle_that_verifies(cli: Cli, tmp_path: Path, ready_vault: dict[str, str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out, bundle = tmp_path / "packet.pdf", tmp_path / "packet.ecfmgpkt"
    monkeypatch.setenv("PACKET_PASSWORD", "open sesame")
    result = cli("export", "--out", out, "--bundle", bundle, "--as-of", AS_OF, "--password-env", "PACKET_PASSWORD")
    assert result.code == 0, result.err
    reader = PdfReader(out)
    assert reader.is_encrypted and reader.decrypt("open sesame")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:2] == ["Passport", "Photograph"]
    assert "Medical diploma" in titles
    verified = cli("verify", bundle, vault=False)
    assert verified.code == 0 and "intact" in verified.out


def test_export_password_env_missing(cli: Cli, tmp_path: Path, ready_vault: dict[str, str]) -> None:
    result = cli("export", "--out", tmp_path / "p.pdf", "--password-env", "NOT_SET_ANYWHERE")
    assert result.code == 2 and "NOT_SET_ANYWHERE" in result.err
    assert not (tmp_path / "p.pdf").exists()


def _tamper(bundle: Path, target: Path, change: str) -> None:
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if change == "byte" and info.filename.startswith("files/") and info.filename.endswith(".pdf"):
                data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
                change = "done"
            if change == "remove" and info.filename.startswith("files/"):
                change = "done"
                continue
            if change == "manifest" and info.filename == "manifest.json":
                data = data.replace(b"Garcia Lopez", b"Garcia Perez")
            dst.writestr(info, data)
        if change == "evil":
            dst.writestr("../evil.txt", b"gotcha")


@pytest.mark.parametrize("change", ["byte", "remove", "manifest", "evil"])
def test_verify_and_review_refuse_a_tampered_bundle(cli: Cli, tmp_path: Path, ready_vault: dict[str, str],
                                                    change: str) -> None:
    bundle = tmp_path / "packet.ecfmgpkt"
    assert cli("export", "--out", tmp_path / "p.pdf", "--bundle", bundle, "--as-of", AS_OF).code == 0
    tampered = tmp_path / "tampered.ecfmgpkt"
    _tamper(bundle, tampered, change)
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = cli("verify", tampered, vault=False)
    assert result.code == 3, (change, result.err)
    assert result.err.startswith("error: ") and len(result.err.strip().splitlines()) == 1
    review = cli("review", tampered, "--decision", f"{ready_vault['passport']}=approved", "--out",
                 tmp_path / "r.json", vault=False)
    assert review.code == 3 and not (tmp_path / "r.json").exists()
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert not (tmp_path.parent / "evil.txt").exists()


def test_review_round_trip_and_stale_approval(cli: Cli, tmp_path: Path, ready_vault: dict[str, str]) -> None:
    bundle = tmp_path / "packet.ecfmgpkt"
    assert cli("export", "--out", tmp_path / "p.pdf", "--bundle", bundle, "--as-of", AS_OF).code == 0
    passport, diploma = ready_vault["passport"], ready_vault["medical-diploma"]
    review_file = tmp_path / "review.json"
    result = cli("review", bundle, "--decision", f"{passport}=approved", "--decision", f"{diploma}=changes",
                 "--comment", f"{diploma}=The seal is cut off on page 2; rescan the whole page.",
                 "--comment", f"{diploma}=Also scan in colour.", "--reviewer", "Dr. Ana Advisor",
                 "--out", review_file, vault=False)
    assert result.code == 0, result.err
    stored = json.loads(review_file.read_text())
    assert stored["documents"][passport]["decision"] == "approved"

    applied = cli("apply-review", review_file)
    assert applied.code == 0, applied.err
    docs = {d["id"]: d for d in cli("list", "--json").json()["documents"]}
    assert docs[passport]["review"]["decision"] == "approved" and docs[passport]["review"]["stale"] is False
    diploma_review = docs[diploma]["review"]
    assert diploma_review["decision"] == "changes"
    assert [c["text"] for c in diploma_review["comments"]] == [
        "The seal is cut off on page 2; rescan the whole page.", "Also scan in colour."]
    assert all(c["author"] == "Dr. Ana Advisor" for c in diploma_review["comments"])
    findings = cli("validate", "--as-of", AS_OF, "--json").json()["findings"]
    advisor = [f for f in findings if f["code"] == "advisor-changes"]
    assert [(f["severity"], f["document"]) for f in advisor] == [("warning", diploma)]

    # the student replaces the passport scan: the approval no longer covers what is in the vault
    assert cli("edit", passport, "--files", make_jpeg(tmp_path / "new.jpg", size_px=(1650, 1275), dpi=150)).code == 0
    docs = {d["id"]: d for d in cli("list", "--json").json()["documents"]}
    assert docs[passport]["review"]["stale"] is True


def test_apply_review_refuses_foreign_and_malformed_files(cli: Cli, tmp_path: Path, ready_vault: dict[str, str],
                                                          vault_dir: Path) -> None:
    bundle = tmp_path / "packet.ecfmgpkt"
    assert cli("export", "--out", tmp_path / "p.pdf", "--bundle", bundle, "--as-of", AS_OF).code == 0
    review_file = tmp_path / "review.json"
    assert cli("review", bundle, "--decision", f"{ready_vault['passport']}=approved", "--reviewer", "Ana",
               "--out", review_file, vault=False).code == 0
    before = cli("list", "--json").json()

    other = Cli(tmp_path / "other-vault")
    assert other("demo").code == 0
    foreign = other("apply-review", review_file)
    assert foreign.code == 2 and "another vault" in foreign.err

    for text in ("not json", "{}", json.dumps({"format": "something else"}), "[1, 2]"):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        result = cli("apply-review", bad)
        assert result.code == 2 and result.err.startswith("error: "), text
    assert cli("list", "--json").json() == before


def test_verify_and_review_need_no_vault_and_no_key(cli: Cli, tmp_path: Path, ready_vault: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "packet.ecfmgpkt"
    assert cli("export", "--out", tmp_path / "p.pdf", "--bundle", bundle, "--as-of", AS_OF).code == 0
    # now the advisor's laptop: no keyring backend, no passphrase, no vault anywhere
    keyring.set_keyring(fail.Keyring())  # restored by the memory_keyring fixture's teardown
    advisor_home = tmp_path / "advisor-home"
    monkeypatch.setenv("ECFMG_DESK_HOME", str(advisor_home))
    assert cli("verify", bundle, vault=False).code == 0
    review = tmp_path / "review.json"
    assert cli("review", bundle, "--decision", f"{ready_vault['passport']}=approved", "--reviewer", "Ana",
               "--out", review, vault=False).code == 0
    assert review.is_file()
    assert not advisor_home.exists()
