"""Per-requirement document fields and cycles on the command line (DESIGN.md section 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ecfmg_desk.vault import db
from tests.cli.conftest import Cli
from tests.samples import make_scan_pdf
from tests.vault.test_store import vault_state


def _score_report(tmp_path: Path, name: str = "step1.pdf") -> Path:
    return make_scan_pdf(tmp_path / name, pages=1, dpi=200)


def test_add_and_edit_set_fields_and_list_shows_them(cli: Cli, tmp_path: Path) -> None:
    added = cli("add", "usmle-step1", _score_report(tmp_path), "--issued", "2025-05-03",
                "--set", "result=fail", "--set", "attempt=1")
    assert added.code == 0, added.err
    doc_id = added.last_line
    listed = {d["id"]: d for d in cli("list", "--json").json()["documents"]}
    assert listed[doc_id]["fields"] == {"attempt": 1, "result": "fail"}
    assert cli("edit", doc_id, "--set", "result=pass", "--set", "test_date=2025-05-02").code == 0
    assert cli("list", "--json").json()["documents"][0]["fields"] == {
        "attempt": 1, "result": "pass", "test_date": "2025-05-02"}
    assert cli("edit", doc_id, "--set", "attempt=").code == 0  # an empty value clears the field
    assert cli("list", "--json").json()["documents"][0]["fields"] == {"result": "pass", "test_date": "2025-05-02"}


@pytest.mark.parametrize(
    ("assignment", "words"),
    [("result=passed", "pass or fail"), ("attempt=0", "1 or more"), ("attempt=two", "whole number"),
     ("test_date=03/05/2025", "YYYY-MM-DD"), ("score=248", "no field 'score'"), ("=pass", "FIELD=VALUE")],
)
def test_bad_field_is_exit_2_and_changes_nothing(cli: Cli, tmp_path: Path, assignment: str, words: str) -> None:
    doc_id = cli("add", "usmle-step1", _score_report(tmp_path), "--set", "result=pass").last_line
    before = vault_state(cli.vault)
    edited = cli("edit", doc_id, "--set", assignment)
    assert edited.code == 2 and edited.err.startswith("error: ") and words in edited.err, edited.err
    assert len(edited.err.strip().splitlines()) == 1
    added = cli("add", "usmle-step1", _score_report(tmp_path, "again.pdf"), "--set", assignment)
    assert added.code == 2 and words in added.err
    assert vault_state(cli.vault) == before


def test_oet_scores_have_a_range_and_a_translation_has_no_fields(cli: Cli, tmp_path: Path) -> None:
    bad = cli("add", "oet-medicine", _score_report(tmp_path, "oet.pdf"), "--set", "writing=510")
    assert bad.code == 2 and "from 0 to 500" in bad.err
    assert not (cli.vault / db.DB_NAME).exists()  # refused before any vault was made
    ok = cli("add", "oet-medicine", _score_report(tmp_path, "oet.pdf"), "--set", "listening=380",
             "--set", "reading=400", "--set", "speaking=360", "--set", "writing=330")
    assert ok.code == 0, ok.err
    diploma = cli("add", "medical-diploma", _score_report(tmp_path, "d.pdf"), "--language", "es").last_line
    translation = cli("add", "translation", _score_report(tmp_path, "t.pdf"), "--translation-of", diploma,
                      "--translator", "Straker", "--translator-kind", "professional", "--set", "result=pass")
    assert translation.code == 2 and "no fields" in translation.err


def test_fields_are_encrypted_at_rest(cli: Cli, tmp_path: Path) -> None:
    doc_id = cli("add", "identity-form", _score_report(tmp_path, "iif.pdf"), "--set", "status=accepted").last_line
    conn = sqlite3.connect(cli.vault / db.DB_NAME)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (stored,) = conn.execute("SELECT fields FROM documents WHERE id = ?", (doc_id,)).fetchone()
    finally:
        conn.close()
    assert isinstance(stored, bytes) and b"accepted" not in stored and b"status" not in stored
    assert cli("list", "--json").json()["documents"][0]["fields"] == {"status": "accepted"}


def test_requirements_json_names_the_cycle_and_lists_fields(cli: Cli) -> None:
    listed = cli("requirements", "--json", "--cycle", "2027").json()
    assert listed["cycle"] == 2027
    assert listed["dates"]["residency_start"] == {
        "title": "Residency starts", "date": "2027-07-01", "confidence": "[C]",
        "source": "https://www.nrmp.org (IMGs must be able to start graduate medical education on 1 July)"}
    assert listed["dates"]["oet_test_date_from"]["date"] is None  # not announced: never guessed
    by_id = {r["id"]: r for r in listed["requirements"]}
    assert [f["name"] for f in by_id["usmle-step2ck"]["fields"]] == ["result", "test_date", "attempt"]
    assert by_id["usmle-step2ck"]["fields"][0]["values"] == ["pass", "fail"]
    assert by_id["identity-form"]["fields"][0]["default"] == "created"
    assert by_id["usmle-step2cs"]["required"] == "when:step2cs_route"
    assert by_id["clinical-experience"]["fields"][0]["name"] == "rotation"
    assert by_id["recommendation-letter"]["fields"][0]["name"] == "letter"
    assert cli("requirements", "--cycle", "2031").code == 2


def test_match_year_chooses_the_cycle_of_requirements_and_validate(cli: Cli, tmp_path: Path) -> None:
    assert cli("profile", "--set", "match_year=2028", "--set", "failed_step2cs=no",
               "--set", "name_change_date=2025-02-01", "--set", "aamc_id=14523698").code == 0
    profile = cli("profile", "--json").json()
    assert (profile["match_year"], profile["failed_step2cs"], profile["name_change_date"], profile["aamc_id"]) == (
        2028, False, "2025-02-01", "14523698")
    assert cli("requirements", "--json").json()["cycle"] == 2028
    validated = cli("validate", "--as-of", "2026-11-25", "--json")
    assert validated.json()["cycle"] == 2028
    assert cli("profile", "--set", "match_year=").code == 0  # unset: the Match still ahead
    assert cli("validate", "--as-of", "2026-11-25", "--json").json()["cycle"] == 2027
    assert cli("validate", "--as-of", "2026-02-25", "--json").json()["cycle"] == 2026
    refused = cli("profile", "--set", "match_year=2035")
    assert refused.code == 2 and "2026, 2027, 2028" in refused.err


def test_confirm_lists_questions_stores_answers_and_validate_counts_the_rest(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo").code == 0
    listed = cli("confirm", "--list", "--json").json()
    ids = [(q["id"], q["document"]) for q in listed["questions"]]
    assert ("school-listed", None) in ids and all(q["answer"] is None for q in listed["questions"])
    diploma = next(doc for qid, doc in ids if qid == "all-pages")
    report = cli("validate", "--as-of", "2026-11-25", "--json").json()
    assert sum(f["code"] == "unconfirmed" for f in report["findings"]) == len(ids)
    assert cli("confirm", "school-listed", "no").code == 0
    report = cli("validate", "--as-of", "2026-11-25", "--json").json()
    assert ("answered-no", "error") in {(f["code"], f["severity"]) for f in report["findings"]}
    assert cli("confirm", "all-pages", "yes", "--document", diploma).code == 0
    answers = {(q["id"], q["document"]): q["answer"] for q in cli("confirm", "--list", "--json").json()["questions"]}
    assert answers[("school-listed", None)] == "no" and answers[("all-pages", diploma)] == "yes"
    before = vault_state(cli.vault)
    for bad in (("confirm", "all-pages", "yes"), ("confirm", "school-listed", "maybe"),
                ("confirm", "nonsense", "yes"), ("confirm", "school-listed", "yes", "--document", diploma)):
        refused = cli(*bad)
        assert refused.code == 2 and refused.err.startswith("error: "), bad
    assert vault_state(cli.vault) == before
    human = cli("validate", "--as-of", "2026-11-25")
    assert "question(s) still to answer" in human.out
    conn = sqlite3.connect(cli.vault / db.DB_NAME)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = [row[0] for row in conn.execute("SELECT answer FROM confirmations")]
    finally:
        conn.close()
    assert stored and all(b"yes" not in a and a != b"no" for a in stored)


def test_a_vault_from_before_the_fields_says_once_which_documents_need_one(cli: Cli, tmp_path: Path) -> None:
    step1 = cli("add", "usmle-step1", _score_report(tmp_path), "--issued", "2024-05-03").last_line
    cli("add", "photo", make_scan_pdf(tmp_path / "photo.pdf", pages=1, dpi=300), "--issued", "2026-10-01")
    conn = sqlite3.connect(cli.vault / db.DB_NAME)  # back to schema 7: before confirmations and the notice (8)
    try:                                             # and before an image's stored pages (9)
        conn.executescript(
            "DROP TABLE confirmations; DELETE FROM meta WHERE key = 'fields_notice';"
            "ALTER TABLE files DROP COLUMN pages_blob; PRAGMA user_version = 7;"
        )
    finally:
        conn.close()
    first = cli("list", "--json")
    assert first.code == 0, first.err
    assert "USMLE Step 1 result: result" in first.err and "not ready" in first.err
    assert "photograph" not in first.err.split("need")[-1]  # the photo has no field of its own
    assert "USMLE" not in cli("list", "--json").err  # said once
    assert cli("edit", step1, "--set", "result=pass").code == 0
