"""``ecfmg-desk plan``: the JSON contract, --set stored encrypted, --ics, and bad input refused with nothing stored."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from ecfmg_desk.core.plan import NRMP_KEY
from ecfmg_desk.resources import load_catalog
from tests.cli.conftest import Cli
from tests.samples import make_jpeg

AS_OF = "2026-12-01"


def _unknown_key() -> str:
    """A 2027 deadline nobody has published (the catalog says so; the test does not guess which)."""
    dates = load_catalog(2027).dates
    return next(key for key in ("rol_deadline", "pathways_close", "lor_upload_by") if dates[key].value is None)


def _items(cli: Cli, *extra: str) -> dict[str, dict[str, object]]:
    result = cli("plan", "--as-of", AS_OF, "--json", *extra)
    assert result.code == 0, result.err
    return {item["key"]: item for item in result.json()["items"]}


def test_plan_json_names_the_cycle_and_lists_the_cycle_dates(cli: Cli) -> None:
    cli("profile", "--set", "given_names=Maria")
    result = cli("plan", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert (data["cycle"], data["as_of"]) == (2027, AS_OF)
    keys = [item["key"] for item in data["items"]]
    assert {"rol_deadline", "match_day", "residency_start", NRMP_KEY} <= set(keys)
    dated = [item["date"] for item in data["items"] if item["date"]]
    assert dated == sorted(dated)
    unknown = [item for item in data["items"] if item["date"] is None]
    assert data["items"][len(data["items"]) - len(unknown):] == unknown
    assert all(item["status"] == "unknown" and item["source"] for item in unknown)


def test_set_stores_a_date_that_overrides_unknown_and_shows_as_theirs(cli: Cli) -> None:
    key = _unknown_key()
    cli("profile", "--set", "given_names=Maria")
    assert _items(cli)[key]["status"] == "unknown"
    result = cli("plan", "--as-of", AS_OF, "--set", f"{key}=2027-02-20", "--json")
    assert result.code == 0, result.err
    item = _items(cli)[key]
    assert (item["date"], item["user_entered"], item["status"]) == ("2027-02-20", True, "upcoming")
    cleared = cli("plan", "--set", f"{key}=", "--json")
    assert cleared.code == 0, cleared.err
    assert _items(cli)[key]["date"] is None


def test_set_creates_the_vault_and_stores_the_exam_appointment(cli: Cli) -> None:
    result = cli("plan", "--as-of", AS_OF, "--set", "exam:usmle-step2ck=2026-12-20")
    assert result.code == 0, result.err
    assert "usmle" in result.out.lower()
    item = _items(cli)["exam:usmle-step2ck"]
    assert (item["date"], item["user_entered"], item["status"]) == ("2026-12-20", True, "due-soon")


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("no_such_date=2027-01-01", "not a date you can enter"),
        ("exam:photo=2027-01-01", "not a date you can enter"),
        ("rol_deadline=2027-13-01", "not a date"),
        ("rol_deadline=01/03/2027", "not a date"),
        ("residency_start=2027-06-01", "confirmed"),
        ("=2027-01-01", "KEY=DATE"),
        ("rol_deadline", "KEY=DATE"),
    ],
)
def test_bad_set_is_one_error_line_and_stores_nothing(cli: Cli, assignment: str, words: str) -> None:
    cli("plan", "--set", "exam:usmle-step1=2027-01-10")
    before = _items(cli)
    result = cli("plan", "--as-of", AS_OF, "--set", "exam:usmle-step2ck=2027-02-01", "--set", assignment)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], result.err
    assert _items(cli) == before


def test_an_unwritable_ics_path_is_refused_and_stores_nothing(cli: Cli, tmp_path: Path) -> None:
    cli("profile", "--set", "given_names=Maria")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = cli("plan", "--as-of", AS_OF, "--set", "exam:usmle-step2ck=2027-02-01", "--ics",
                 blocker / "plan.ics")
    assert result.code == 2
    assert result.err.strip().startswith("error:") and len(result.err.strip().splitlines()) == 1
    assert "exam:usmle-step2ck" not in _items(cli)


def test_ics_has_one_event_per_dated_item_with_stable_uids(cli: Cli, tmp_path: Path) -> None:
    cli("profile", "--set", "given_names=Maria")
    cli("add", "passport", make_jpeg(tmp_path / "passport.jpg"), "--expires", "2027-10-01")
    first, second = tmp_path / "one.ics", tmp_path / "two.ics"
    assert cli("plan", "--as-of", AS_OF, "--ics", first).code == 0
    assert cli("plan", "--as-of", AS_OF, "--ics", second).code == 0
    items = [i for i in _items(cli).values() if i["date"]]

    def events(path: Path) -> dict[str, Any]:
        calendar: Any = Calendar.from_ical(path.read_bytes())
        return {str(e["uid"]): e["dtstart"].dt for e in calendar.walk("VEVENT")}

    one, two = events(first), events(second)
    assert len(one) == len(items)
    assert one == two  # same UIDs, same dates: a second import updates, never duplicates
    assert sorted(one.values()) == sorted(date.fromisoformat(str(i["date"])) for i in items)
    alarms = Calendar.from_ical(first.read_bytes()).walk("VALARM")
    open_deadlines = [i for i in items if i["kind"] == "deadline" and i["status"] != "done"]
    assert len(alarms) == len(open_deadlines)


def test_plan_text_says_where_to_look_for_unannounced_dates(cli: Cli) -> None:
    cli("profile", "--set", "given_names=Maria")
    result = cli("plan", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "Match 2027" in result.out
    assert "not announced yet: check" in result.out


def test_plan_on_a_missing_vault_is_an_error_and_creates_nothing(cli: Cli) -> None:
    result = cli("plan")
    assert result.code == 2
    assert not cli.vault.exists() or not any(cli.vault.iterdir())


def test_the_exported_packet_cover_carries_the_cycle_and_the_applicants_deadlines(
    cli: Cli, tmp_path: Path, ready_vault: dict[str, str]
) -> None:
    key = _unknown_key()
    assert cli("plan", "--set", f"{key}=2027-02-20").code == 0
    out = tmp_path / "packet.pdf"
    result = cli("export", "--out", out, "--as-of", "2026-11-25")
    assert result.code == 0, result.err
    cover = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Match cycle 2027 Match" in cover
    assert "20 Feb 2027" in cover and "(date entered by the applicant)" in cover


def test_rotation_tasks_and_letters_are_plan_items(cli: Cli) -> None:
    added = cli("rotation", "add", "--kind", "clerkship", "--institution", "Mercy Hospital", "--specialty",
                "Internal medicine", "--start", "2027-01-04", "--end", "2027-01-29")
    assert added.code == 0, added.err
    rotation = added.last_line
    assert cli("rotation", "task", rotation, "--title", "Send immunisation records", "--due", "2026-12-10").code == 0
    letter = cli("letter", "add", "--writer", "Dr. Smith", "--rotation", rotation, "--due", "2027-02-15")
    assert letter.code == 0, letter.err
    items = _items(cli)
    task = next(i for i in items.values() if i["title"] == "Send immunisation records")
    assert str(task["key"]).startswith("task:")
    assert (task["date"], task["status"], task["kind"], task["ref"]) == ("2026-12-10", "due-soon", "task",
                                                                         {"rotation": rotation})
    due = items[f"letter-due:{letter.last_line}"]
    assert (due["date"], due["ref"]) == ("2027-02-15", {"letter": letter.last_line})
    assert items[f"rotation-start:{rotation}"]["date"] == "2027-01-04"


def test_the_bundle_carries_the_cycle_and_next_deadlines_for_the_advisor(
    cli: Cli, tmp_path: Path, ready_vault: dict[str, str]
) -> None:
    key = _unknown_key()
    assert cli("plan", "--set", f"{key}=2027-02-20").code == 0
    out, bundle = tmp_path / "packet.pdf", tmp_path / "packet.ecfmgpkt"
    assert cli("export", "--out", out, "--bundle", bundle, "--as-of", "2026-11-25").code == 0
    from ecfmg_desk.packet.bundle import verify_bundle

    manifest = verify_bundle(bundle)
    assert manifest.cycle == 2027
    assert any(d.key == key and d.date == date(2027, 2, 20) and d.user_entered for d in manifest.deadlines)
    assert 1 <= len(manifest.deadlines) <= 3


def test_a_letter_not_in_the_portal_weeks_after_asking_is_chased(cli: Cli) -> None:
    weeks = load_catalog(2027).parameters["letter_chase_weeks"]
    assert weeks.confidence == "[M]"  # our advice, never an ECFMG rule
    letter = cli("letter", "add", "--writer", "Dr. Smith", "--requested", "2026-10-01")
    assert letter.code == 0, letter.err
    chase = _items(cli)[f"letter-chase:{letter.last_line}"]
    assert isinstance(weeks.value, int)
    assert chase["date"] == (date(2026, 10, 1) + timedelta(weeks=weeks.value)).isoformat()
    assert (chase["kind"], chase["confidence"], chase["ref"]) == ("task", "M", {"letter": letter.last_line})


def test_a_failed_usmle_attempt_puts_the_earliest_next_attempt_in_the_plan(cli: Cli, tmp_path: Path) -> None:
    cli("profile", "--set", "given_names=Maria", "--set", "family_name=Garcia")
    assert "usmle-next-attempt:usmle-step1" not in _items(cli)
    added = cli("add", "usmle-step1", make_jpeg(tmp_path / "step1.jpg"), "--issued", "2026-10-01",
                "--set", "result=fail", "--set", "test_date=2026-10-01")
    assert added.code == 0, added.err
    item = _items(cli)["usmle-next-attempt:usmle-step1"]
    when = item["date"]
    assert isinstance(when, str) and when > "2026-10-01"
    assert item["source"] and item["confidence"] != "?"


def test_a_passport_valid_long_enough_reads_nothing_to_do_not_done(cli: Cli, tmp_path: Path) -> None:
    cli("profile", "--set", "given_names=Maria")
    cli("add", "passport", make_jpeg(tmp_path / "passport.jpg"), "--expires", "2033-02-09")
    item = next(i for key, i in _items(cli).items() if key.startswith("passport-expiry:"))
    assert item["status"] == "done"  # the JSON contract (DESIGN.md section 7) keeps its status
    line = next(x for x in cli("plan", "--as-of", AS_OF).out.splitlines() if "Passport expires" in x)
    assert "nothing to do" in line and " done " not in line
