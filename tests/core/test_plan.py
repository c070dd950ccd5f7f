"""The plan: each kind of item on the day before, the day of and the day after its date (DESIGN.md section 7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.clinical import Letter, Rotation, Task
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.core.plan import (
    CATALOG_DATE_KEYS,
    NRMP_KEY,
    Plan,
    PlanItem,
    build_plan,
    business_days_before,
    check_entry,
    settable_keys,
)
from ecfmg_desk.errors import UsageError
from tests.core import factories

ROL = date(2027, 3, 3)
MATCH_DAY = date(2027, 3, 19)
START = date(2027, 7, 1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class StubDate:
    key: str
    title: str
    value: date | None
    confidence: str
    source: str


@dataclass(frozen=True)
class StubParameter:
    key: str
    value: object
    confidence: str
    source: str


@dataclass(frozen=True)
class CycleCatalog:
    """The requirement catalog plus a cycle's dates and parameters (the shape ``Catalog`` gains per cycle)."""

    base: Catalog
    cycle: int
    dates: Mapping[str, StubDate]
    parameters: Mapping[str, StubParameter]

    def get(self, requirement_id: str) -> object:
        return self.base.get(requirement_id)


def _dates(**overrides: tuple[date | None, str]) -> dict[str, StubDate]:
    values: dict[str, tuple[date | None, str]] = {
        "eras_opens": (date(2026, 6, 3), "[T]"),
        "eras_applications_from": (date(2026, 9, 2), "[T]"),
        "eras_programs_review": (date(2026, 9, 23), "[M]"),
        "lor_upload_by": (date(2026, 9, 2), "[M]"),
        "rol_deadline": (ROL, "[T]"),
        "match_day": (MATCH_DAY, "[T]"),
        "residency_start": (START, "[C]"),
        "pathways_open": (None, "[?]"),
        "pathways_close": (None, "[?]"),
        "oet_test_date_from": (None, "[?]"),
    }
    values.update(overrides)
    return {
        key: StubDate(key, key.replace("_", " ").capitalize(), value, mark, f"source of {key}")
        for key, (value, mark) in values.items()
    }


def _parameters() -> dict[str, StubParameter]:
    return {
        "passport_buffer_months": StubParameter("passport_buffer_months", 6, "[M]", "RULES PASSPORT_VALID_AT_EVENTS"),
        "name_change_business_days": StubParameter(
            "name_change_business_days", 7, "[C]", "ECFMG 2026 IB, name change"
        ),
        "letter_chase_weeks": StubParameter("letter_chase_weeks", 3, "[M]", "our advice"),
        "attempts_per_12_months": StubParameter("attempts_per_12_months", 3, "[C]", "USMLE 2024 IB"),
    }


@pytest.fixture
def cycle(catalog: Catalog) -> CycleCatalog:
    return CycleCatalog(catalog, 2027, _dates(), _parameters())


@dataclass
class Planner:
    cycle: CycleCatalog
    profile: Profile = field(default_factory=factories.profile)
    documents: list[Document] = field(default_factory=list)
    rotations: Sequence[Rotation] = ()
    letters: Sequence[Letter] = ()
    entered: dict[str, date] = field(default_factory=dict)

    def plan(self, as_of: date) -> Plan:
        return build_plan(
            self.cycle,  # type: ignore[arg-type]
            self.profile,
            self.documents,
            rotations=self.rotations,
            letters=self.letters,
            entered=self.entered,
            as_of=as_of,
        )

    def item(self, key: str, as_of: date) -> PlanItem:
        items = {i.key: i for i in self.plan(as_of).items}
        assert key in items, f"{key} not in {sorted(items)}"
        return items[key]

    def statuses(self, key: str, day: date) -> tuple[str, str, str]:
        """The item's status on the day before ``day``, on ``day`` and on the day after."""
        before, on, after = (self.item(key, day + offset * DAY).status for offset in (-1, 0, 1))
        return before, on, after


@pytest.fixture
def planner(cycle: CycleCatalog) -> Planner:
    return Planner(cycle)


# ---------------------------------------------------------------------------------------------- cycle dates


def test_a_deadline_is_due_soon_until_its_day_and_overdue_the_day_after(planner: Planner) -> None:
    assert planner.statuses("rol_deadline", ROL) == ("due-soon", "due-soon", "overdue")


def test_due_soon_starts_thirty_days_before(planner: Planner) -> None:
    assert planner.statuses("rol_deadline", ROL - 30 * DAY) == ("upcoming", "due-soon", "due-soon")


def test_a_milestone_is_done_once_its_day_is_past(planner: Planner) -> None:
    assert planner.statuses("match_day", MATCH_DAY) == ("due-soon", "due-soon", "done")


def test_each_item_carries_the_confidence_and_source_of_its_date(planner: Planner) -> None:
    item = planner.item("match_day", date(2026, 12, 1))
    assert (item.confidence, item.source, item.kind, item.user_entered) == ("T", "source of match_day",
                                                                            "milestone", False)
    assert planner.item("residency_start", date(2026, 12, 1)).confidence == "C"


def test_an_unpublished_date_is_unknown_with_where_to_look_never_a_guess(planner: Planner) -> None:
    item = planner.item("pathways_close", date(2026, 12, 1))
    assert (item.date, item.status, item.confidence) == (None, "unknown", "?")
    assert "check source of pathways_close" in item.detail
    assert item.ref == {"requirement": "pathway-evidence"}


def test_a_user_entered_date_overrides_unknown_and_is_marked_as_theirs(planner: Planner) -> None:
    planner.entered = {"pathways_close": date(2027, 5, 31)}
    assert planner.statuses("pathways_close", date(2027, 5, 31)) == ("due-soon", "due-soon", "overdue")
    item = planner.item("pathways_close", date(2026, 12, 1))
    assert (item.date, item.user_entered, item.status) == (date(2027, 5, 31), True, "upcoming")


def test_a_user_entered_date_overrides_a_third_party_date_but_not_a_confirmed_one(planner: Planner) -> None:
    planner.entered = {"match_day": date(2027, 3, 26), "residency_start": date(2027, 6, 15)}
    assert planner.item("match_day", date(2026, 12, 1)).date == date(2027, 3, 26)
    start = planner.item("residency_start", date(2026, 12, 1))
    assert (start.date, start.user_entered) == (START, False)


def test_unknown_dates_come_last_and_the_rest_by_date(planner: Planner) -> None:
    items = planner.plan(date(2026, 12, 1)).items
    dated = [i.date for i in items if i.date is not None]
    assert dated == sorted(dated)
    first_unknown = next(n for n, i in enumerate(items) if i.date is None)
    assert all(i.date is None for i in items[first_unknown:])
    assert {i.key for i in items[first_unknown:]} == {"pathways_open", "pathways_close", "oet_test_date_from"}


def test_the_pathway_dates_are_left_out_on_the_step2cs_route(planner: Planner) -> None:
    planner.profile = factories.profile(clinical_skills_route="step2cs")
    keys = {i.key for i in planner.plan(date(2026, 12, 1)).items}
    assert not keys & {"pathways_open", "pathways_close", "oet_test_date_from"}
    assert {"rol_deadline", "match_day", NRMP_KEY} <= keys


def test_pathways_close_is_done_once_the_pathway_evidence_is_filed(planner: Planner) -> None:
    planner.entered = {"pathways_close": date(2027, 5, 31)}
    planner.documents = [factories.doc("pw", "pathway-evidence", issued=date(2026, 10, 1))]
    assert planner.statuses("pathways_close", date(2027, 5, 31)) == ("done", "done", "done")


def test_the_oet_window_opens_like_a_milestone_and_is_done_with_a_sitting_inside_it(planner: Planner) -> None:
    opens = date(2025, 1, 1)
    planner.entered = {"oet_test_date_from": opens}
    assert planner.statuses("oet_test_date_from", opens) == ("due-soon", "due-soon", "done")
    planner.documents = [factories.doc("oet", "oet-medicine", issued=opens - DAY)]
    assert planner.item("oet_test_date_from", opens - 5 * DAY).status == "due-soon"
    planner.documents = [factories.doc("oet", "oet-medicine", issued=opens)]
    assert planner.item("oet_test_date_from", opens - 5 * DAY).status == "done"


def test_letters_upload_advice_is_done_when_every_letter_is_in_the_portal(planner: Planner) -> None:
    when = date(2026, 9, 2)
    planner.letters = [Letter("l1", "Dr. Smith", status="requested")]
    assert planner.statuses("lor_upload_by", when) == ("due-soon", "due-soon", "overdue")
    planner.letters = [Letter("l1", "Dr. Smith", status="uploaded"), Letter("l2", "Dr. Wu", status="assigned")]
    assert planner.statuses("lor_upload_by", when) == ("done", "done", "done")


# ---------------------------------------------------------------------------------------------- NRMP rule


def test_the_nrmp_rule_is_a_deadline_on_the_rank_order_list_day(planner: Planner) -> None:
    assert planner.statuses(NRMP_KEY, ROL) == ("due-soon", "due-soon", "overdue")
    item = planner.item(NRMP_KEY, date(2026, 12, 1))
    assert (item.kind, item.date, item.confidence) == ("deadline", ROL, "T")
    assert "Match" in item.detail


def test_the_nrmp_rule_follows_a_user_entered_rank_order_list_deadline(cycle: CycleCatalog) -> None:
    unknown = CycleCatalog(cycle.base, 2028, _dates(rol_deadline=(None, "[?]")), _parameters())
    planner = Planner(unknown)
    assert planner.item(NRMP_KEY, date(2027, 6, 1)).status == "unknown"
    planner.entered = {"rol_deadline": date(2028, 3, 1)}
    item = planner.item(NRMP_KEY, date(2027, 6, 1))
    assert (item.date, item.user_entered) == (date(2028, 3, 1), True)


def test_the_nrmp_rule_is_not_done_while_an_exam_result_is_missing(planner: Planner) -> None:
    planner.documents = [
        factories.doc("oet", "oet-medicine", issued=date(2025, 3, 1)),
        factories.doc("pw", "pathway-evidence", issued=date(2026, 10, 1)),
    ]
    assert planner.item(NRMP_KEY, ROL + DAY).status == "overdue"


# ---------------------------------------------------------------------------------------------- documents


def _passport(expires: date, doc_id: str = "pp") -> Document:
    return factories.doc(doc_id, "passport", expires=expires)


def test_a_passport_valid_through_residency_start_plus_the_buffer_is_done(planner: Planner) -> None:
    needed = date(2028, 1, 1)  # 1 Jul 2027 + 6 months
    planner.documents = [_passport(needed)]
    item = planner.item("passport-expiry:pp", date(2026, 12, 1))
    assert (item.status, item.kind, item.date, item.ref) == ("done", "expiry", needed, {"document": "pp"})
    assert (item.confidence, item.source) == ("M", "RULES PASSPORT_VALID_AT_EVENTS")


def test_a_passport_expiring_before_the_buffer_ends_needs_renewal(planner: Planner) -> None:
    expires = date(2027, 12, 31)
    planner.documents = [_passport(expires)]
    assert planner.statuses("passport-expiry:pp", expires) == ("due-soon", "due-soon", "overdue")
    item = planner.item("passport-expiry:pp", date(2026, 12, 1))
    assert item.status == "upcoming"
    assert "1 Jan 2028" in item.detail


def test_only_the_current_passport_is_planned(planner: Planner) -> None:
    planner.documents = [_passport(date(2025, 1, 1), "old"), _passport(date(2031, 5, 20), "new")]
    keys = {i.key for i in planner.plan(date(2026, 12, 1)).items}
    assert "passport-expiry:new" in keys
    assert "passport-expiry:old" not in keys


def test_a_photo_stops_being_recent_after_the_catalogs_months(planner: Planner) -> None:
    planner.documents = [factories.doc("ph", "photo", issued=date(2026, 5, 2))]
    last = date(2026, 11, 2)
    assert planner.statuses("photo-recency:ph", last) == ("due-soon", "due-soon", "overdue")
    item = planner.item("photo-recency:ph", last)
    assert (item.kind, item.confidence, item.ref) == ("expiry", "M", {"document": "ph"})


def test_the_identity_form_must_reach_ecfmg_within_365_days(planner: Planner) -> None:
    planner.documents = [factories.doc("iif", "identity-form", issued=date(2026, 2, 10))]
    last = date(2027, 2, 10)
    assert planner.statuses("identity-form-window:iif", last) == ("due-soon", "due-soon", "overdue")
    item = planner.item("identity-form-window:iif", last)
    assert (item.kind, item.confidence) == ("deadline", "C-old")


def test_an_undated_document_gives_no_date_item(planner: Planner) -> None:
    planner.documents = [factories.doc("ph", "photo"), factories.doc("iif", "identity-form")]
    keys = {i.key for i in planner.plan(date(2026, 12, 1)).items}
    assert not {k for k in keys if k.startswith(("photo-recency", "identity-form-window"))}


# ---------------------------------------------------------------------------------------------- exams


def test_business_days_skip_weekends() -> None:
    assert business_days_before(date(2027, 1, 15), 7) == date(2027, 1, 6)  # Fri -> Wed of the week before
    assert business_days_before(date(2027, 1, 18), 1) == date(2027, 1, 15)  # Mon -> Fri


def test_an_exam_appointment_is_the_applicants_own_date(planner: Planner) -> None:
    exam = date(2027, 1, 15)
    planner.entered = {"exam:usmle-step2ck": exam}
    assert planner.statuses("exam:usmle-step2ck", exam) == ("due-soon", "due-soon", "done")
    item = planner.item("exam:usmle-step2ck", exam)
    assert (item.user_entered, item.ref) == (True, {"requirement": "usmle-step2ck"})
    assert "name-change-by:usmle-step2ck" not in {i.key for i in planner.plan(exam).items}


def test_a_pending_name_change_must_be_processed_seven_business_days_before_the_exam(planner: Planner) -> None:
    planner.entered = {"exam:usmle-step2ck": date(2027, 1, 15)}
    planner.documents = [factories.doc("nc", "name-change", issued=date(2026, 11, 1))]
    by = date(2027, 1, 6)
    assert planner.statuses("name-change-by:usmle-step2ck", by) == ("due-soon", "due-soon", "overdue")
    item = planner.item("name-change-by:usmle-step2ck", by)
    assert (item.kind, item.confidence, item.source) == ("deadline", "C", "ECFMG 2026 IB, name change")


def test_the_earliest_next_attempt_comes_from_the_spacing_rule(planner: Planner) -> None:
    when = date(2027, 2, 1)
    plan = build_plan(planner.cycle, planner.profile, [], as_of=when,  # type: ignore[arg-type]
                      next_attempt=lambda docs: {"usmle-step1": when})
    (item,) = [i for i in plan.items if i.key == "usmle-next-attempt:usmle-step1"]
    assert (item.kind, item.status, item.ref) == ("milestone", "due-soon", {"requirement": "usmle-step1"})
    assert (item.confidence, item.source) == ("C", "USMLE 2024 IB")
    after = build_plan(planner.cycle, planner.profile, [], as_of=when + DAY,  # type: ignore[arg-type]
                       next_attempt=lambda docs: {"usmle-step1": when})
    assert next(i for i in after.items if i.key == "usmle-next-attempt:usmle-step1").status == "done"


# ---------------------------------------------------------------------------------------------- rotations, letters


def test_each_rotation_task_is_an_item_that_jumps_to_its_rotation(planner: Planner) -> None:
    due = date(2026, 12, 15)
    planner.rotations = [
        Rotation("r1", "clerkship", "Mercy Hospital", "Internal medicine", None, date(2027, 1, 4), date(2027, 1, 29),
                 "confirmed", None,
                 (Task("t1", "Send immunisation records", due, False), Task("t2", "BLS card", due, True))),
    ]
    assert planner.statuses("task:t1", due) == ("due-soon", "due-soon", "overdue")
    assert planner.statuses("task:t2", due) == ("done", "done", "done")
    item = planner.item("task:t1", due)
    assert (item.kind, item.ref, item.title) == ("task", {"rotation": "r1"}, "Send immunisation records")
    assert planner.statuses("rotation-start:r1", date(2027, 1, 4)) == ("due-soon", "due-soon", "done")


def test_a_task_without_a_due_date_is_listed_last(planner: Planner) -> None:
    planner.rotations = [Rotation("r1", "observership", "Mercy", "Surgery", None, date(2027, 1, 4), date(2027, 1, 15),
                                  tasks=(Task("t1", "Background check"),))]
    items = planner.plan(date(2026, 12, 1)).items
    assert items[-1].key == "task:t1" or "task:t1" in {i.key for i in items if i.date is None}
    assert next(i for i in items if i.key == "task:t1").status == "unknown"


def test_a_letter_is_due_and_chased_after_the_catalogs_weeks(planner: Planner) -> None:
    requested = date(2026, 9, 1)
    planner.letters = [Letter("l1", "Dr. Smith", requested=requested, due=date(2026, 10, 1), status="requested")]
    chase = requested + timedelta(weeks=3)
    assert planner.statuses("letter-chase:l1", chase) == ("due-soon", "due-soon", "overdue")
    assert planner.statuses("letter-due:l1", date(2026, 10, 1)) == ("due-soon", "due-soon", "overdue")
    item = planner.item("letter-chase:l1", chase)
    assert (item.ref, item.confidence, item.source) == ({"letter": "l1"}, "M", "our advice")


def test_an_uploaded_letter_is_done_and_not_chased(planner: Planner) -> None:
    planner.letters = [Letter("l1", "Dr. Smith", requested=date(2026, 9, 1), due=date(2026, 10, 1), status="uploaded")]
    keys = {i.key: i.status for i in planner.plan(date(2026, 10, 5)).items}
    assert keys["letter-due:l1"] == "done"
    assert "letter-chase:l1" not in keys


# ---------------------------------------------------------------------------------------------- contract


def test_the_json_has_exactly_the_contracts_keys(planner: Planner) -> None:
    planner.documents = [_passport(date(2030, 1, 1))]
    data = planner.plan(date(2026, 12, 1)).to_json()
    assert set(data) == {"cycle", "as_of", "items"}
    assert (data["cycle"], data["as_of"]) == (2027, "2026-12-01")
    items = data["items"]
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"key", "date", "kind", "title", "status", "confidence", "source", "ref",
                             "user_entered"}
        assert item["status"] in ("done", "overdue", "due-soon", "upcoming", "unknown")
        assert item["confidence"] in ("C", "C-old", "T", "M", "?")
    assert {"key": "passport-expiry:pp"}.items() <= next(i for i in items if i["key"].startswith("passport")).items()


def test_settable_keys_are_the_cycle_dates_and_the_exam_appointments(cycle: CycleCatalog) -> None:
    keys = settable_keys(cycle)  # type: ignore[arg-type]
    assert keys[: len(CATALOG_DATE_KEYS)] == CATALOG_DATE_KEYS
    assert set(keys[len(CATALOG_DATE_KEYS):]) == {"exam:usmle-step1", "exam:usmle-step2ck"}


def test_next_deadlines_are_the_three_nearest_still_ahead(planner: Planner) -> None:
    planner.entered = {"pathways_close": date(2027, 5, 31)}
    plan = planner.plan(date(2026, 12, 1))
    assert [i.key for i in plan.next_deadlines()] == [NRMP_KEY, "rol_deadline", "pathways_close"]
    assert [i.key for i in planner.plan(ROL + DAY).next_deadlines()] == ["pathways_close"]


def test_attention_lists_overdue_then_due_soon(planner: Planner) -> None:
    planner.documents = [factories.doc("ph", "photo", issued=date(2026, 5, 2))]
    plan = planner.plan(date(2027, 2, 20))
    attention = [(i.key, i.status) for i in plan.attention()]
    assert ("photo-recency:ph", "overdue") in attention
    assert ("rol_deadline", "due-soon") in attention
    statuses = [status for _, status in attention]
    assert statuses == sorted(statuses, key=("overdue", "due-soon").index)


def test_an_unknown_key_or_a_confirmed_date_cannot_be_entered(cycle: CycleCatalog) -> None:
    check_entry(cycle, "pathways_close")  # type: ignore[arg-type]
    check_entry(cycle, "exam:usmle-step2ck")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not a date you can enter"):
        check_entry(cycle, "exam:photo")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not a date you can enter"):
        check_entry(cycle, "rol-deadline")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="confirmed"):
        check_entry(cycle, "residency_start")  # type: ignore[arg-type]
