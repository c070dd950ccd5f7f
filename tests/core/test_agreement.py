"""Packets a careful applicant (or an advisor) would build, where the validator must agree with ECFMG.

Each test is one of the ten wrong answers of issue 10: the validator said Ready where ECFMG rejects the packet,
or blocked a packet ECFMG accepts. The packets are the complete 2026 packet of ``factories`` with one realistic
change.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Document, ValidationResult
from ecfmg_desk.core.rules import requirement_states, superseded_documents, validate
from tests.core.factories import AS_OF, doc, file, pdf_page, replace, scan_page, without
from tests.core.factories import profile as make_profile


def run(catalog: Catalog, documents: list[Document], **profile: object) -> ValidationResult:
    return validate(catalog, make_profile(**profile), documents, AS_OF)


def codes(result: ValidationResult) -> list[tuple[str, str, str, str | None]]:
    return [(f.code, f.severity, f.requirement, f.document) for f in result.findings]


@pytest.mark.rule("STEP2CS_FAILED_ROUTE")
def test_step2cs_route_without_a_step2cs_pass_is_not_ready(catalog: Catalog, packet: list[Document]) -> None:
    """An applicant with an old Step 2 CS pass drops OET and the Pathway, but must show the pass."""
    packet = without(packet, "oet", "pathway")
    result = run(catalog, packet, clinical_skills_route="step2cs")
    assert not result.ready
    assert [(f.code, f.requirement) for f in result.errors] == [("missing", "usmle-step2cs")]
    failed_cs = doc("cs", "usmle-step2cs", issued=date(2019, 6, 4), language="en", fields={"result": "fail"})
    result = run(catalog, [*packet, failed_cs], clinical_skills_route="step2cs")
    assert ("missing", "error", "usmle-step2cs", None) in codes(result)  # a fail never meets it
    passed_cs = failed_cs.with_changes(id="cs2", fields={"result": "pass"})
    assert run(catalog, [*packet, failed_cs, passed_cs], clinical_skills_route="step2cs").ready


@pytest.mark.rule("STEP2CS_FAILED_ROUTE")
def test_failed_step2cs_allows_pathway_6_only(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, packet, failed_step2cs=True)  # the packet's Pathway 3 attestation
    assert [(f.code, f.severity, f.document) for f in result.errors] == [("wrong-pathway", "error", "pathway")]
    assert "Pathway 6" in result.errors[0].message
    pathway6 = replace(packet, "pathway", fields={"pathway": 6})
    assert run(catalog, pathway6, failed_step2cs=True).ready


@pytest.mark.rule("TRANSLATOR_NOT_APPLICANT")
@pytest.mark.parametrize("translator", ["M. Garcia", "Maria G. Garcia", "M. J. Garcia Lopez", "Garcia Lopez, M. J."])
def test_a_translation_signed_with_the_applicants_initials_is_a_self_translation(
    catalog: Catalog, packet: list[Document], translator: str
) -> None:
    packet = replace(packet, "diploma-en", translator=translator, translator_kind="professional")
    result = run(catalog, packet)
    assert codes(result) == [("translation-incomplete", "error", "translation", "diploma-en")]
    assert "own documents" in result.findings[0].message


@pytest.mark.rule("TRANSLATOR_NOT_APPLICANT")
@pytest.mark.parametrize("translator", ["Ana Garcia", "Garcia Translations LLC", "Straker Translations"])
def test_a_relative_or_a_company_is_not_the_applicant(catalog: Catalog, packet: list[Document],
                                                      translator: str) -> None:
    packet = replace(packet, "diploma-en", translator=translator, translator_kind="professional")
    assert run(catalog, packet).findings == ()


def test_jose_garcia_is_not_maria_garcia(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma-en", translator="Jose Garcia", translator_kind="professional")
    result = run(catalog, packet, given_names="Maria", family_name="Garcia")
    assert "translation-incomplete" not in {f.code for f in result.findings}


def test_one_file_filed_under_two_requirements_is_an_error(catalog: Catalog, packet: list[Document]) -> None:
    """The applicant attached the Step 1 score report again as the Step 2 CK result."""
    step1 = next(d for d in packet if d.id == "step1")
    packet = replace(packet, "step2ck", files=step1.files)
    result = run(catalog, packet)
    assert [(f.code, f.severity, f.requirement, f.document) for f in result.errors] == [
        ("duplicate-file", "error", "usmle-step2ck", "step2ck")]
    assert "step1-score-report.pdf" in result.errors[0].message


def test_the_same_file_twice_in_one_requirement_is_not_a_duplicate_file(catalog: Catalog,
                                                                         packet: list[Document]) -> None:
    photo = next(d for d in packet if d.id == "photo")
    assert "duplicate-file" not in {f.code for f in run(catalog, [*packet, photo.with_changes(id="p2")]).findings}


@pytest.mark.rule("LOR_PDF")
def test_a_digitally_signed_letter_is_refused(catalog: Catalog, packet: list[Document]) -> None:
    letter_file = file("dr-smith-letter.pdf", [pdf_page((612.0, 792.0))], size=180_000)
    letter = doc("lor", "recommendation-letter", letter_file, issued=date(2026, 6, 1), language="en")
    assert run(catalog, [*packet, letter]).ready
    signed = letter.with_changes(files=(dataclasses.replace(letter_file, signed=True),))
    result = run(catalog, [*packet, signed])
    assert codes(result) == [("signed-pdf", "error", "recommendation-letter", "lor")]
    assert "digital signature" in result.findings[0].message


@pytest.mark.rule("IDFORM_INVALIDATED_BY_NAME_CHANGE")
def test_a_name_change_after_the_identity_form_invalidates_it(catalog: Catalog, packet: list[Document]) -> None:
    """The form was created on 10 Feb 2026; ECFMG changed the name of record on 2 Mar 2026 (marriage)."""
    result = run(catalog, packet, name_change_date=date(2026, 3, 2))
    assert codes(result) == [("form-invalidated", "error", "identity-form", "idform")]
    assert run(catalog, packet, name_change_date=date(2025, 12, 1)).ready  # the form is newer: fine


@pytest.mark.rule("PASSPORT_NOT_EXPIRED")
def test_an_old_expired_passport_beside_a_valid_one_is_superseded(catalog: Catalog, packet: list[Document]) -> None:
    old = doc("old-passport", "passport", file("old-passport.jpg", [scan_page(dpi=300, size_pt=(354.0, 249.0))]),
              expires=date(2021, 5, 19), name_on_document="MARIA JOSE GARCIA LOPEZ")
    result = run(catalog, [old, *packet])
    assert result.ready
    assert codes(result) == [("superseded", "info", "passport", "old-passport")]
    assert superseded_documents(catalog, [old, *packet]) == {"old-passport"}
    states = requirement_states(catalog, make_profile(), [old, *packet], result)
    assert states["passport"].state == "ready"
    # when every passport has expired, the latest is current and gets "expired"
    expired = replace([old, *packet], "passport", expires=date(2026, 1, 4))
    result = run(catalog, expired)
    assert [(f.code, f.document) for f in result.findings] == [("superseded", "old-passport"),
                                                              ("expired", "passport")]


def test_an_untranslated_final_transcript_sent_by_the_school_is_information(catalog: Catalog,
                                                                           packet: list[Document]) -> None:
    result = run(catalog, without(packet, "transcript-en"))
    assert result.ready
    assert codes(result) == [("translation-missing", "info", "final-transcript", "transcript")]
    assert "charges your account" in result.findings[0].message
    sent_by_applicant = replace(without(packet, "transcript-en"), "transcript", fields={"sent_by": "applicant"})
    assert codes(run(catalog, sent_by_applicant)) == [
        ("translation-missing", "error", "final-transcript", "transcript")]


def test_a_missing_final_transcript_is_information(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, without(packet, "transcript", "transcript-en"))
    assert result.ready
    assert codes(result) == [("missing", "info", "final-transcript", None)]
    states = requirement_states(catalog, make_profile(), without(packet, "transcript", "transcript-en"), result)
    assert states["final-transcript"].state == "optional"


@pytest.mark.rule("IDFORM_AGE")
@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_an_accepted_identity_form_over_a_year_old_passes(catalog: Catalog, packet: list[Document],
                                                          status: str) -> None:
    old_form = replace(packet, "idform", issued=date(2024, 11, 3))
    assert codes(run(catalog, old_form)) == [("too-old", "error", "identity-form", "idform")]  # still created
    assert run(catalog, replace(old_form, "idform", fields={"status": status})).findings == ()


@pytest.mark.rule("DIPLOMA_FIELDS")
def test_a_diploma_without_issue_date_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "diploma", issued=None))
    assert result.ready
    assert codes(result) == [("undated", "warning", "medical-diploma", "diploma")]


@pytest.mark.parametrize("tag", ["en-GB", "EN-us", "en"])
def test_region_tags_are_accepted_and_english_needs_no_translation(catalog: Catalog, packet: list[Document],
                                                                  tag: str) -> None:
    packet = replace(packet, "step1", language=tag)
    assert run(catalog, packet).findings == ()


def test_a_spanish_region_tag_still_needs_a_translation(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(without(packet, "diploma-en"), "diploma", language="es-MX")
    assert codes(run(catalog, packet)) == [("translation-missing", "error", "medical-diploma", "diploma")]


def test_the_schools_untranslated_transcript_does_not_make_translations_missing(catalog: Catalog,
                                                                                packet: list[Document]) -> None:
    packet = without(packet, "transcript-en")
    states = requirement_states(catalog, make_profile(), packet, run(catalog, packet))
    assert states["translation"].state == "ready" and states["final-transcript"].state == "ready"
