"""``rotation`` and ``letter`` commands (DESIGN.md section 8): JSON shapes, totals, bad input refused unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ecfmg_desk.vault import db
from tests.cli.conftest import Cli, make_demo_exportable

INSTITUTION = "Mercy Saint Brigid Hospital"
SUPERVISOR = "Dr. Eleanor Whitcombe"
WRITER = "Dr. Ignatius Oyelaran-Pike"


def add_rotation(cli: Cli, *extra: str, kind: str = "clerkship", start: str = "2026-01-26",
                 end: str = "2026-02-22") -> str:
    result = cli("rotation", "add", "--kind", kind, "--institution", INSTITUTION, "--specialty", "Internal Medicine",
                 "--start", start, "--end", end, *extra)
    assert result.code == 0, result.err
    return result.last_line


def state(cli: Cli) -> tuple[object, object]:
    rotations, letters = cli("rotation", "list", "--json"), cli("letter", "list", "--json")
    assert rotations.code == 0 and letters.code == 0
    return rotations.json(), letters.json()


def test_rotation_add_prints_the_id_and_list_json_has_the_contract_shape(cli: Cli) -> None:
    rid = add_rotation(cli, "--supervisor", SUPERVISOR, "--status", "confirmed")
    obs = add_rotation(cli, kind="observership", start="2026-04-27", end="2026-05-10")
    assert cli("rotation", "task", rid, "--title", "Immunisation record", "--due", "2025-12-15").code == 0
    assert cli("rotation", "task", rid, "--title", "BLS certificate", "--done").code == 0
    assert cli("rotation", "task", rid, "--title", "immunisation  record", "--done").code == 0  # same task
    listed = cli("rotation", "list", "--json").json()
    assert listed == {
        "rotations": [
            {
                "id": rid,
                "kind": "clerkship",
                "hands_on": True,
                "institution": INSTITUTION,
                "specialty": "Internal Medicine",
                "supervisor": SUPERVISOR,
                "start": "2026-01-26",
                "end": "2026-02-22",
                "weeks": 4.0,
                "status": "confirmed",
                "tasks": [
                    {"title": "Immunisation record", "due": "2025-12-15", "done": True},
                    {"title": "BLS certificate", "due": None, "done": True},
                ],
                "letters": [],
                "documents": [],
            },
            {
                "id": obs,
                "kind": "observership",
                "hands_on": False,
                "institution": INSTITUTION,
                "specialty": "Internal Medicine",
                "supervisor": None,
                "start": "2026-04-27",
                "end": "2026-05-10",
                "weeks": 2.0,
                "status": "planned",
                "tasks": [],
                "letters": [],
                "documents": [],
            },
        ],
        "totals": {"hands_on_weeks": 4.0, "observership_weeks": 2.0, "research_weeks": 0.0},
    }


def test_totals_across_month_boundaries(cli: Cli) -> None:
    add_rotation(cli, start="2026-01-26", end="2026-02-22")  # 28 days over January/February
    add_rotation(cli, kind="elective", start="2026-02-23", end="2026-03-31")  # 37 days over February/March
    add_rotation(cli, kind="observership", start="2026-12-21", end="2027-01-03")  # 14 days over the new year
    add_rotation(cli, kind="research", start="2026-06-29", end="2026-07-03")  # 5 days over June/July
    listed = cli("rotation", "list", "--json").json()
    assert [r["weeks"] for r in listed["rotations"]] == [4.0, 5.3, 2.0, 0.7]
    assert listed["totals"] == {"hands_on_weeks": 9.3, "observership_weeks": 2.0, "research_weeks": 0.7}


def test_rotation_edit_and_remove(cli: Cli) -> None:
    rid = add_rotation(cli, "--supervisor", SUPERVISOR, "--notes", "Bring the white coat")
    assert cli("rotation", "edit", rid, "--status", "completed", "--supervisor", "", "--end", "2026-03-01").code == 0
    (row,) = cli("rotation", "list", "--json").json()["rotations"]
    assert (row["status"], row["supervisor"], row["end"], row["weeks"]) == ("completed", None, "2026-03-01", 5.0)
    removed = cli("rotation", "remove", rid)
    assert removed.code == 0 and rid in removed.err
    assert cli("rotation", "list", "--json").json() == {
        "rotations": [], "totals": {"hands_on_weeks": 0.0, "observership_weeks": 0.0, "research_weeks": 0.0}}


def test_task_due_date_can_be_changed_cleared_and_undone(cli: Cli) -> None:
    rid = add_rotation(cli)
    assert cli("rotation", "task", rid, "--title", "Background check", "--due", "2026-01-05", "--done").code == 0
    assert cli("rotation", "task", rid, "--title", "Background check", "--undone").code == 0
    (task,) = cli("rotation", "list", "--json").json()["rotations"][0]["tasks"]
    assert task == {"title": "Background check", "due": "2026-01-05", "done": False}
    assert cli("rotation", "task", rid, "--title", "Background check", "--due", "").code == 0
    (task,) = cli("rotation", "list", "--json").json()["rotations"][0]["tasks"]
    assert task == {"title": "Background check", "due": None, "done": False}


def test_letter_add_list_edit_remove(cli: Cli) -> None:
    rid = add_rotation(cli)
    added = cli("letter", "add", "--writer", WRITER, "--writer-title", "Clerkship Director", "--rotation", rid,
                "--requested", "2026-02-20", "--due", "2026-04-01", "--letter-id", "L0042981")
    assert added.code == 0, added.err
    lid = added.last_line
    other = cli("letter", "add", "--writer", "Dr. Second Writer").last_line
    assert cli("letter", "list", "--json").json() == {
        "letters": [
            {
                "id": lid,
                "writer": WRITER,
                "writer_title": "Clerkship Director",
                "rotation": rid,
                "requested": "2026-02-20",
                "due": "2026-04-01",
                "status": "requested",
                "letter_id": "L0042981",
                "documents": [],
            },
            {
                "id": other,
                "writer": "Dr. Second Writer",
                "writer_title": None,
                "rotation": None,
                "requested": None,
                "due": None,
                "status": "requested",
                "letter_id": None,
                "documents": [],
            },
        ]
    }
    assert cli("rotation", "list", "--json").json()["rotations"][0]["letters"] == [lid]
    assert cli("letter", "edit", lid, "--status", "uploaded", "--writer-title", "").code == 0
    first = cli("letter", "list", "--json").json()["letters"][0]
    assert (first["status"], first["writer_title"]) == ("uploaded", None)
    assert cli("letter", "remove", other).code == 0
    assert [x["id"] for x in cli("letter", "list", "--json").json()["letters"]] == [lid]


def test_a_removed_rotation_takes_its_letter_links_with_it(cli: Cli) -> None:
    rid = add_rotation(cli)
    lid = cli("letter", "add", "--writer", WRITER, "--rotation", rid).last_line
    assert cli("rotation", "remove", rid).code == 0
    assert cli("letter", "list", "--json").json()["letters"][0]["rotation"] is None
    refused = cli("letter", "edit", lid, "--rotation", rid)
    assert refused.code == 2 and "no rotation" in refused.err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("rotation", "add", "--kind", "clerkship", "--institution", "X", "--specialty", "IM", "--start",
          "2026-03-01", "--end", "2026-02-28"), "before it starts"),
        (("rotation", "add", "--kind", "shadowing", "--institution", "X", "--specialty", "IM", "--start",
          "2026-03-01", "--end", "2026-03-28"), "Unknown kind"),
        (("rotation", "add", "--kind", "clerkship", "--institution", "X", "--specialty", "IM", "--start",
          "2026-03-01", "--end", "2026-03-28", "--status", "finished"), "Unknown rotation status"),
        (("rotation", "add", "--kind", "clerkship", "--institution", "X", "--specialty", "IM", "--start",
          "1 March", "--end", "2026-03-28"), "not a date"),
        (("rotation", "edit", "{rid}", "--end", "2025-12-31"), "before it starts"),
        (("rotation", "edit", "{rid}", "--kind", "volunteering"), "Unknown kind"),
        (("rotation", "edit", "{rid}", "--status", "done"), "Unknown rotation status"),
        (("rotation", "edit", "nosuchid", "--status", "completed"), "no rotation"),
        (("rotation", "edit", "{rid}"), "Nothing to change"),
        (("rotation", "remove", "nosuchid"), "no rotation"),
        (("rotation", "task", "nosuchid", "--title", "BLS"), "no rotation"),
        (("rotation", "task", "{rid}", "--title", "BLS", "--due", "2026-02-30"), "not a date"),
        (("rotation", "task", "{rid}", "--title", "BLS", "--due", "next week"), "not a date"),
        (("rotation", "task", "{rid}", "--title", "  "), "title"),
        (("rotation", "task", "{rid}", "--title", "BLS", "--done", "--undone"), "not allowed with"),
        (("letter", "add", "--writer", "Dr. A", "--status", "sent"), "Unknown letter status"),
        (("letter", "add", "--writer", "Dr. A", "--rotation", "nosuchid"), "no rotation"),
        (("letter", "add", "--writer", "Dr. A", "--due", "2026-13-01"), "not a date"),
        (("letter", "add", "--writer", " "), "writer"),
        (("letter", "edit", "nosuchid", "--status", "uploaded"), "no letter"),
        (("letter", "edit", "{lid}", "--status", "emailed"), "Unknown letter status"),
        (("letter", "remove", "nosuchid"), "no letter"),
        (("letter", "sheet", "nosuchid", "--out", "sheet.pdf"), "no letter"),
    ],
)
def test_bad_input_is_one_error_line_exit_2_and_nothing_stored(
    cli: Cli, vault_dir: Path, args: tuple[str, ...], words: str
) -> None:
    rid = add_rotation(cli)
    lid = cli("letter", "add", "--writer", WRITER).last_line
    assert cli("rotation", "task", rid, "--title", "Malpractice cover").code == 0
    before = state(cli)
    history = _history(vault_dir)
    result = cli(*(a.format(rid=rid, lid=lid) for a in args))
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert words in result.err
    assert "Traceback" not in result.err
    assert state(cli) == before
    assert _history(vault_dir) == history


def _history(vault_dir: Path) -> int:
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    try:
        return int(conn.execute("SELECT count(*) FROM history").fetchone()[0])
    finally:
        conn.close()


def test_text_output_lists_weeks_tasks_and_totals(cli: Cli) -> None:
    assert cli("profile", "--set", "given_names=Amara").code == 0
    assert "No rotations yet" in cli("rotation", "list").out
    rid = add_rotation(cli)
    cli("rotation", "task", rid, "--title", "Immunisation record", "--due", "2025-12-15")
    out = cli("rotation", "list").out
    assert "26 Jan 2026 – 22 Feb 2026" in out and "4 wk (hands-on)" in out
    assert "[ ] Immunisation record (due 15 Dec 2025)" in out
    assert "Hands-on: 4 weeks · observership: 0 weeks · research: 0 weeks" in out
    assert "No letters yet" in cli("letter", "list").out


def test_letter_sheet_names_the_letter_id_the_portal_rules_and_the_due_date(cli: Cli, tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert cli("profile", "--set", "given_names=Amara Chinwe", "--set", "family_name=Okafor").code == 0
    rid = add_rotation(cli, "--supervisor", SUPERVISOR)
    lid = cli("letter", "add", "--writer", WRITER, "--writer-title", "Clerkship Director", "--rotation", rid,
              "--due", "2026-08-31", "--letter-id", "L0042981").last_line
    out = tmp_path / "sheet.pdf"
    result = cli("letter", "sheet", lid, "--out", out)
    assert result.code == 0, result.err
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    assert [float(v) for v in reader.pages[0].mediabox[2:]] == [612.0, 792.0]
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Amara Chinwe Okafor", "Letter ID", "L0042981", "1 MB", "8.5 × 11 in", "PDF",
                     "letterhead", "Signed", "Not encrypted", "No digital signature", "31 Aug 2026", WRITER,
                     "Internal Medicine", INSTITUTION):
        assert expected in text, expected
    (tmp_path / "a-file").write_text("not a folder")
    refused = cli("letter", "sheet", lid, "--out", tmp_path / "a-file" / "sheet.pdf")
    assert refused.code == 2 and refused.err.startswith("error: ") and "not a folder" in refused.err


def test_institutions_supervisors_writers_and_tasks_are_not_readable_at_rest(cli: Cli, vault_dir: Path) -> None:
    rid = add_rotation(cli, "--supervisor", SUPERVISOR, "--notes", "Parking behind Pavilion Q")
    cli("rotation", "task", rid, "--title", "Tuberculin skin test", "--due", "2025-12-01")
    cli("letter", "add", "--writer", WRITER, "--writer-title", "Vice Chair of Nephrology", "--rotation", rid,
        "--letter-id", "L7733191")
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    stored = b"".join(p.read_bytes() for p in vault_dir.rglob("*") if p.is_file())
    for secret in (INSTITUTION, "Saint Brigid", SUPERVISOR, "Whitcombe", WRITER, "Oyelaran", "Pavilion Q",
                   "Tuberculin", "Nephrology", "L7733191", "Internal Medicine", "clerkship", "2026-01-26"):
        assert secret.encode() not in stored, secret


def test_a_row_edited_without_the_key_is_damage_not_data(cli: Cli, vault_dir: Path) -> None:
    first = add_rotation(cli)
    second = add_rotation(cli, kind="observership", start="2026-04-27", end="2026-05-10")
    lid = cli("letter", "add", "--writer", WRITER).last_line
    assert cli("check").code == 0
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    payload = conn.execute("SELECT payload FROM rotations WHERE id = ?", (second,)).fetchone()[0]
    conn.execute("UPDATE rotations SET payload = ? WHERE id = ?", (payload, first))  # copy another row's contents
    conn.execute("UPDATE letters SET removed_at = '2026-01-01T00:00:00' WHERE id = ?", (lid,))  # trash a letter
    conn.commit()
    conn.close()
    checked = cli("check")
    assert checked.code == 3
    assert first in checked.err and lid in checked.err
    listed = cli("rotation", "list", "--json")
    assert listed.code == 3 and listed.err.startswith("error: ") and first in listed.err


def test_the_packet_has_a_clinical_experience_summary_after_the_cover(cli: Cli, tmp_path: Path) -> None:
    from pypdf import PdfReader

    make_demo_exportable(cli, tmp_path)
    out = tmp_path / "packet.pdf"
    exported = cli("export", "--out", out, "--as-of", "2026-11-25")
    assert exported.code == 0, exported.err
    texts = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages[:6]]
    # The cover may run to several pages (one line per open question); the summary comes right after it.
    after_cover = next(i for i, text in enumerate(texts) if i > 0 and "· cover" not in text)
    assert "Checklist status" in texts[0]
    summary, contents = texts[after_cover], texts[after_cover + 1]
    assert "Clinical experience summary" in summary
    assert "Hands-on 4 weeks" in summary and "Observership 4 weeks" in summary
    assert "Cardiology: 4 weeks hands-on, 0 weeks not hands-on" in summary
    assert "Lakeside Community Hospital (example)" in summary
    assert "Contents" in contents
    listed = cli("rotation", "list", "--json").json()["rotations"]
    for rotation in listed:
        assert cli("rotation", "remove", rotation["id"]).code == 0
    again = tmp_path / "packet-without.pdf"
    assert cli("export", "--out", again, "--as-of", "2026-11-25").code == 0
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(again).pages[:6]]
    first_after_cover = next(text for i, text in enumerate(pages) if i > 0 and "· cover" not in text)
    assert "Clinical experience summary" not in " ".join(pages) and "Contents" in first_after_cover


def _notes(cli: Cli) -> tuple[bool, list[dict[str, object]]]:
    report = cli("validate", "--as-of", "2026-07-15", "--json").json()
    return bool(report["ready"]), [f for f in report["findings"] if f["code"] == "no-letter"]


def test_a_completed_rotation_nobody_was_asked_a_letter_for_is_a_gentle_note(cli: Cli) -> None:
    planned = add_rotation(cli)  # planned: the letter comes later
    observed = add_rotation(cli, "--status", "confirmed", kind="observership", start="2026-03-02", end="2026-03-27")
    ready_before, notes = _notes(cli)
    assert notes == []
    assert cli("rotation", "edit", planned, "--status", "completed").code == 0
    ready, notes = _notes(cli)
    (note,) = notes
    assert (note["severity"], note["requirement"], note["document"]) == ("info", "recommendation-letter", None)
    assert "clerkship in Internal Medicine at " + INSTITUTION in str(note["message"])
    assert "26 Jan 2026 to 22 Feb 2026" in str(note["message"])
    assert ready == ready_before, "a note never changes whether the packet is ready"
    human = cli("validate", "--as-of", "2026-07-15")
    assert "info    no-letter" in human.out
    # a letter asked for from that rotation: the note goes; the observership, still confirmed, has none
    assert cli("letter", "add", "--writer", WRITER, "--rotation", planned).code == 0
    assert _notes(cli)[1] == []
    assert cli("rotation", "edit", observed, "--status", "completed").code == 0
    (note,) = _notes(cli)[1]
    assert "observership" in str(note["message"])
