"""The clinical-experience model: weeks from dates, hands-on by kind, totals, and what counts as bad input."""

from __future__ import annotations

from datetime import date

import pytest

from ecfmg_desk.core.clinical import (
    Letter,
    Rotation,
    Task,
    chase_due,
    check_letter,
    check_rotation,
    letter_to_json,
    rotation_to_json,
    rotations_without_letter,
    totals,
    weeks_by_specialty,
    weeks_of,
)
from ecfmg_desk.errors import UsageError


def rotation(
    rid: str = "r1",
    kind: str = "clerkship",
    start: date = date(2026, 1, 5),
    end: date = date(2026, 2, 1),
    specialty: str = "Internal Medicine",
    status: str = "planned",
) -> Rotation:
    return Rotation(rid, kind, "Mercy General Hospital", specialty, "Dr. Ada Stone", start, end, status)


def test_four_calendar_weeks_are_four_weeks_both_ends_inclusive() -> None:
    assert rotation(start=date(2026, 1, 5), end=date(2026, 2, 1)).weeks == 4.0


@pytest.mark.parametrize(
    ("start", "end", "weeks"),
    [
        (date(2026, 1, 26), date(2026, 2, 22), 4.0),  # across a month boundary
        (date(2026, 2, 2), date(2026, 3, 1), 4.0),  # across February (28 days)
        (date(2028, 2, 14), date(2028, 3, 12), 4.0),  # across a leap-year February
        (date(2026, 12, 14), date(2027, 1, 10), 4.0),  # across the new year
        (date(2026, 3, 1), date(2026, 3, 31), 4.4),  # a calendar month: 31 days
        (date(2026, 6, 1), date(2026, 6, 1), 0.1),  # a single day
        (date(2026, 7, 1), date(2026, 7, 10), 1.4),  # 10 days
    ],
)
def test_weeks_follow_the_dates(start: date, end: date, weeks: float) -> None:
    assert weeks_of(start, end) == weeks
    assert rotation(start=start, end=end).weeks == weeks


def test_hands_on_follows_the_kind() -> None:
    assert [rotation(kind=k).hands_on for k in ("clerkship", "elective", "externship", "observership", "research")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_totals_sum_days_by_category_across_months() -> None:
    rotations = [
        rotation("a", "clerkship", date(2026, 1, 26), date(2026, 2, 22)),  # 28 days
        rotation("b", "elective", date(2026, 3, 1), date(2026, 3, 31)),  # 31 days
        rotation("c", "observership", date(2026, 4, 27), date(2026, 5, 10)),  # 14 days
        rotation("d", "research", date(2026, 6, 29), date(2026, 7, 3)),  # 5 days
    ]
    result = totals(rotations)
    assert result.hands_on_weeks == 8.4  # 59 days
    assert result.observership_weeks == 2.0
    assert result.research_weeks == 0.7
    assert result.to_json() == {"hands_on_weeks": 8.4, "observership_weeks": 2.0, "research_weeks": 0.7}
    assert totals([]).to_json() == {"hands_on_weeks": 0.0, "observership_weeks": 0.0, "research_weeks": 0.0}


def test_weeks_by_specialty_groups_spellings_and_separates_hands_on() -> None:
    lines = weeks_by_specialty(
        [
            rotation("a", "clerkship", specialty="Internal Medicine"),
            rotation("b", "observership", specialty="internal  medicine"),
            rotation("c", "elective", date(2026, 3, 2), date(2026, 3, 15), specialty="Cardiology"),
        ]
    )
    assert [(s.specialty, s.hands_on_weeks, s.other_weeks) for s in lines] == [
        ("Internal Medicine", 4.0, 4.0),
        ("Cardiology", 2.0, 0.0),
    ]


def test_rotation_json_has_the_contract_shape() -> None:
    tasks = (Task("t1", "Immunisation record", date(2025, 12, 1)), Task("t2", "BLS", None, True))
    r = rotation().with_changes(tasks=tasks)
    letters = [Letter("l1", "Dr. Ada Stone", rotation="r1"), Letter("l2", "Dr. Other", rotation="r9")]
    assert rotation_to_json(r, letters, ["d1"]) == {
        "id": "r1",
        "kind": "clerkship",
        "hands_on": True,
        "institution": "Mercy General Hospital",
        "specialty": "Internal Medicine",
        "supervisor": "Dr. Ada Stone",
        "start": "2026-01-05",
        "end": "2026-02-01",
        "weeks": 4.0,
        "status": "planned",
        "tasks": [
            {"title": "Immunisation record", "due": "2025-12-01", "done": False},
            {"title": "BLS", "due": None, "done": True},
        ],
        "letters": ["l1"],
        "documents": ["d1"],
    }
    assert [t.id for t in r.open_tasks] == ["t1"]


def test_letter_json_has_the_contract_shape() -> None:
    letter = Letter(
        "l1", "Dr. Ada Stone", "Program Director", "r1", date(2026, 2, 1), date(2026, 3, 1), "promised", "L123"
    )
    assert letter_to_json(letter, ["d2"]) == {
        "id": "l1",
        "writer": "Dr. Ada Stone",
        "writer_title": "Program Director",
        "rotation": "r1",
        "requested": "2026-02-01",
        "due": "2026-03-01",
        "status": "promised",
        "letter_id": "L123",
        "documents": ["d2"],
    }


def test_a_letter_is_chased_after_the_weeks_given_until_it_is_in_the_portal() -> None:
    letter = Letter("l1", "Dr. Ada Stone", requested=date(2026, 3, 1))
    assert not chase_due(letter, 4, date(2026, 3, 29))  # exactly 4 weeks
    assert chase_due(letter, 4, date(2026, 3, 30))
    assert not chase_due(letter.with_changes(status="uploaded"), 4, date(2026, 6, 1))
    assert not chase_due(letter.with_changes(status="assigned"), 4, date(2026, 6, 1))
    assert not chase_due(letter.with_changes(requested=None), 4, date(2026, 6, 1))


def test_only_completed_rotations_without_a_letter_are_reported() -> None:
    done_with_letter = rotation("a", status="completed")
    done_without = rotation("b", status="completed")
    planned = rotation("c")
    letters = [Letter("l1", "Dr. Ada Stone", rotation="a"), Letter("l2", "Dr. Free")]
    assert rotations_without_letter([done_with_letter, done_without, planned], letters) == (done_without,)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "shadowing"}, "Unknown kind"),
        ({"status": "done"}, "Unknown rotation status"),
        ({"end": date(2026, 1, 4)}, "before it starts"),
        ({"institution": "  "}, "institution"),
        ({"specialty": ""}, "specialty"),
        ({"tasks": (Task("t", " "),)}, "title"),
    ],
)
def test_bad_rotations_are_refused_in_words(changes: dict[str, object], words: str) -> None:
    check_rotation(rotation())
    with pytest.raises(UsageError, match=words):
        check_rotation(rotation().with_changes(**changes))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": "sent"}, "Unknown letter status"),
        ({"writer": " "}, "writer"),
        ({"requested": date(2026, 3, 2), "due": date(2026, 3, 1)}, "before it was requested"),
    ],
)
def test_bad_letters_are_refused_in_words(changes: dict[str, object], words: str) -> None:
    check_letter(Letter("l1", "Dr. Ada Stone"))
    with pytest.raises(UsageError, match=words):
        check_letter(Letter("l1", "Dr. Ada Stone").with_changes(**changes))


def test_eras_summary_lists_totals_specialties_and_rotations_in_date_order() -> None:
    from ecfmg_desk.core.clinical import eras_summary

    text = eras_summary(
        [
            rotation("b", "observership", date(2026, 4, 27), date(2026, 5, 10), specialty="Cardiology"),
            rotation("a", "clerkship", date(2026, 1, 26), date(2026, 2, 22)),
        ]
    )
    assert text.splitlines() == [
        "US clinical experience: 4 weeks hands-on, 2 weeks observership.",
        "",
        "By specialty:",
        "- Internal Medicine: 4 weeks hands-on, 0 weeks not hands-on",
        "- Cardiology: 0 weeks hands-on, 2 weeks not hands-on",
        "",
        "Rotations:",
        "- Clerkship, Internal Medicine, Mercy General Hospital: 26 Jan 2026 to 22 Feb 2026 (4 weeks); "
        "supervisor Dr. Ada Stone",
        "- Observership (not hands-on), Cardiology, Mercy General Hospital: 27 Apr 2026 to 10 May 2026 (2 weeks); "
        "supervisor Dr. Ada Stone",
    ]
