"""requirements, validate and demo on the command line (DESIGN.md section 3 shapes and exit codes)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli
from tests.samples import make_scan_pdf

AS_OF = "2026-11-25"
SCRIPT_IDS = {
    "passport", "photo", "identity-form", "medical-diploma", "final-transcript", "transfer-transcript",
    "usmle-step1", "usmle-step2ck", "oet-medicine", "pathway-evidence", "name-change", "name-verification",
    "translation", "mspe", "recommendation-letter", "eras-photo", "clinical-experience",
}


def test_requirements_json_lists_the_catalog(cli: Cli) -> None:
    result = cli("requirements", "--json", vault=False)
    assert result.code == 0
    data = result.json()
    assert data["cycle"]
    ids = [r["id"] for r in data["requirements"]]
    assert set(ids) >= SCRIPT_IDS
    passport = next(r for r in data["requirements"] if r["id"] == "passport")
    assert passport["required"] is True and passport["title"]
    assert not cli.vault.exists()  # the catalog needs no vault


def test_demo_validates_with_its_deliberate_problems_then_ready_once_fixed(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo").code == 0
    result = cli("validate", "--as-of", AS_OF, "--json")
    assert result.code == 1
    report = result.json()
    assert report["ready"] is False and report["as_of"] == AS_OF
    errors = {(f["code"], f["requirement"]) for f in report["findings"] if f["severity"] == "error"}
    assert errors == {("missing", "name-verification"), ("name-mismatch", "medical-diploma")}
    # the school sends the final transcript: untranslated, ECFMG translates it and charges the account (info)
    transcript_findings = {(f["code"], f["severity"]) for f in report["findings"]
                           if f["requirement"] == "final-transcript" and f["code"] != "unconfirmed"}
    assert transcript_findings == {("translation-missing", "info")}
    for finding in report["findings"]:
        assert set(finding) == {"severity", "code", "requirement", "document", "message", "fix"}

    docs = {d["requirement"]: d for d in cli("list", "--json").json()["documents"]}
    transcript = docs["final-transcript"]["id"]
    assert cli("add", "name-verification", make_scan_pdf(tmp_path / "nv.pdf", dpi=200),
               "--issued", "2023-01-10", "--name-on-document", "M. J. Garcia").code == 0
    assert cli("add", "translation", make_scan_pdf(tmp_path / "tr.pdf", dpi=200), "--translation-of", transcript,
               "--translator", "Lingua Example Translation Services", "--translator-kind", "professional",
               "--issued", "2022-08-02").code == 0
    fixed = cli("validate", "--as-of", AS_OF, "--json")
    assert fixed.code == 0, fixed.out
    assert fixed.json()["ready"] is True
    human = cli("validate", "--as-of", AS_OF)
    assert human.code == 0 and "Ready to export" in human.out


def test_validate_bad_date_and_missing_vault(cli: Cli) -> None:
    result = cli("validate", "--as-of", "25/11/2026")
    assert result.code == 2 and "YYYY-MM-DD" in result.err
    result = cli("validate")
    assert result.code == 2 and "no vault" in result.err
