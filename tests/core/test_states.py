"""Checklist states and the "9 of 14 required items ready" count the UI and CLI show."""

from __future__ import annotations

from datetime import date

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.core.rules import (
    RequirementState,
    needed_requirements,
    progress,
    requirement_states,
    validate,
)
from tests.core.factories import AS_OF, LETTER_PT, doc, file, pdf_page, replace, without
from tests.core.factories import profile as make_profile


def states_of(
    catalog: Catalog, documents: list[Document], profile: Profile | None = None
) -> dict[str, RequirementState]:
    profile = profile or make_profile()
    return requirement_states(catalog, profile, documents, validate(catalog, profile, documents, AS_OF))


def words(states: dict[str, RequirementState]) -> dict[str, str]:
    return {rid: s.state for rid, s in states.items()}


def test_complete_packet(catalog: Catalog, packet: list[Document]) -> None:
    states = states_of(catalog, packet)
    assert list(states) == list(catalog.ids)
    assert words(states) == {
        "passport": "ready",
        "photo": "ready",
        "identity-form": "ready",
        "name-change": "not-needed",
        "name-verification": "not-needed",
        "medical-diploma": "ready",
        "final-transcript": "ready",
        "transfer-transcript": "not-needed",
        "translation": "ready",
        "usmle-step1": "ready",
        "usmle-step2ck": "ready",
        "usmle-step2cs": "not-needed",
        "oet-medicine": "ready",
        "pathway-evidence": "ready",
        "clinical-experience": "optional",
        "mspe": "optional",
        "recommendation-letter": "optional",
        "eras-photo": "optional",
    }
    assert progress(states) == (10, 10)
    assert states["translation"] == RequirementState("translation", "ready", True, 2, 0, 0)


def test_missing_and_problems(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(without(packet, "photo"), "passport", expires=date(2026, 1, 31))
    states = states_of(catalog, packet)
    assert states["photo"].state == "missing"
    assert states["passport"] == RequirementState("passport", "problems", True, 1, 1, 0)
    assert progress(states) == (8, 10)


def test_warnings_alone_keep_an_item_ready(catalog: Catalog, packet: list[Document]) -> None:
    states = states_of(catalog, replace(packet, "photo", issued=date(2025, 1, 2)))
    assert states["photo"] == RequirementState("photo", "ready", True, 1, 0, 1)


def test_untranslated_original(catalog: Catalog, packet: list[Document]) -> None:
    states = states_of(catalog, without(packet, "diploma-en"))
    assert states["translation"].state == "missing"
    assert states["medical-diploma"].state == "problems"
    assert progress(states) == (8, 10)


def test_english_only_packet_needs_no_translations(catalog: Catalog, packet: list[Document]) -> None:
    english = replace(
        replace(without(packet, "diploma-en", "transcript-en"), "diploma", language="en"),
        "transcript",
        language="en",
    )
    states = states_of(catalog, english)
    assert states["translation"].state == "not-needed"
    assert progress(states) == (9, 9)


def test_step2cs_route(catalog: Catalog, packet: list[Document]) -> None:
    states = states_of(
        catalog, without(packet, "oet", "pathway"), make_profile(clinical_skills_route="step2cs")
    )
    assert (states["oet-medicine"].state, states["pathway-evidence"].state) == ("not-needed", "not-needed")
    assert states["usmle-step2cs"].state == "missing"  # the route needs the former Step 2 CS pass
    assert progress(states) == (8, 9)


def test_conditional_items_become_required(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma", name_on_document="M. J. Garcia")
    states = states_of(catalog, packet, make_profile(transferred_credits=True))
    assert states["name-verification"] == RequirementState("name-verification", "missing", True, 0, 1, 0)
    assert states["transfer-transcript"].state == "missing"
    assert progress(states) == (9, 12)
    needed = needed_requirements(catalog, make_profile(transferred_credits=True), packet)
    assert {"name-verification", "transfer-transcript"} <= needed and "name-change" not in needed


def test_optional_document_with_an_error(catalog: Catalog, packet: list[Document]) -> None:
    letter = doc(
        "lor",
        "recommendation-letter",
        file("letter.pdf", [pdf_page(LETTER_PT)], size=5_000_000),
        issued=date(2026, 5, 1),
    )
    states = states_of(catalog, [*packet, letter])
    assert states["recommendation-letter"] == RequirementState(
        "recommendation-letter", "problems", False, 1, 1, 0
    )
    assert progress(states) == (10, 10)
