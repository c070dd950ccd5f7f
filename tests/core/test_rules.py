"""The validation engine, one rule at a time, on a realistic applicant: Maria Jose Garcia Lopez, UNAM 2022."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ecfmg_desk.core.catalog import KNOWN_CONDITIONS, Catalog
from ecfmg_desk.core.model import Comment, Document, Finding, Profile, Review, ValidationResult
from ecfmg_desk.core.rules import CONDITIONS, add_months, format_date, format_size, validate
from tests.core.conftest import parse_with_base
from tests.core.factories import (
    A4_PT,
    AS_OF,
    LETTER_PT,
    RECORD,
    REQUIRED_IN_COMPLETE_PACKET,
    doc,
    file,
    pdf_page,
    replace,
    scan_page,
    without,
)
from tests.core.factories import profile as make_profile


def run(
    catalog: Catalog, documents: list[Document], profile: Profile | None = None, **kwargs: object
) -> ValidationResult:
    return validate(catalog, profile or make_profile(), documents, AS_OF, **kwargs)  # type: ignore[arg-type]


def codes(result: ValidationResult) -> list[tuple[str, str, str, str | None]]:
    """(code, severity, requirement, document) of every finding, in order."""
    return [(f.code, f.severity, f.requirement, f.document) for f in result.findings]


def only(result: ValidationResult, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, codes(result)
    return found[0]


def lor(doc_id: str = "lor-smith", *files: object, **fields: object) -> Document:
    default = file("smith-letter.pdf", [pdf_page(LETTER_PT), pdf_page(LETTER_PT)], size=310_000)
    values: dict[str, object] = {"issued": date(2026, 6, 1), "language": "en", **fields}
    return doc(doc_id, "recommendation-letter", *(files or (default,)), **values)  # type: ignore[arg-type]


# -- the whole packet ------------------------------------------------------------------------------------


def test_complete_packet_is_ready_without_any_finding(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, packet)
    assert result.ready
    assert result.findings == ()


@pytest.mark.parametrize(
    ("doc_id", "requirement"), [p for p in REQUIRED_IN_COMPLETE_PACKET if p[1] != "final-transcript"]
)  # the school sends the final transcript itself: tests/core/test_agreement.py
def test_removing_a_required_document_makes_the_packet_not_ready(
    catalog: Catalog, packet: list[Document], doc_id: str, requirement: str
) -> None:
    result = run(catalog, without(packet, doc_id))
    assert not result.ready
    missing = [f for f in result.findings if f.code == "missing"]
    assert [(f.requirement, f.severity, f.document) for f in missing] == [(requirement, "error", None)]
    noun = catalog[requirement].noun
    assert noun in missing[0].message
    assert missing[0].fix.startswith(f"Add your {noun}.")


def test_removing_a_translation_makes_the_packet_not_ready(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, without(packet, "diploma-en"))
    assert codes(result) == [("translation-missing", "error", "medical-diploma", "diploma")]


def test_step2cs_route_drops_oet_and_pathway(catalog: Catalog, packet: list[Document]) -> None:
    packet = without(packet, "oet", "pathway")
    assert {f.requirement for f in run(catalog, packet).findings} == {"oet-medicine", "pathway-evidence"}
    step2cs_route = make_profile(clinical_skills_route="step2cs")
    result = run(catalog, packet, step2cs_route)
    assert not result.ready  # the route needs evidence of the former Step 2 CS pass
    assert [(f.code, f.requirement) for f in result.errors] == [("missing", "usmle-step2cs")]
    cs = doc("step2cs", "usmle-step2cs", issued=date(2019, 5, 3), language="en", fields={"result": "pass"})
    result = run(catalog, [*packet, cs], step2cs_route)
    assert result.ready
    assert result.findings == ()


@pytest.mark.rule("TRANSFER_TRANSCRIPT_REQUIRED")
def test_transferred_credits_make_the_transfer_transcript_required(
    catalog: Catalog, packet: list[Document]
) -> None:
    credits = make_profile(transferred_credits=True)
    result = run(catalog, packet, credits)
    finding = only(result, "missing")
    assert (finding.requirement, finding.severity) == ("transfer-transcript", "error")
    assert "transferred credits" in finding.message
    transfer = doc(
        "transfer", "transfer-transcript", issued=date(2019, 12, 1), language="en", name_on_document=RECORD
    )
    assert run(catalog, [*packet, transfer], credits).findings == ()


def test_every_catalog_condition_has_an_implementation() -> None:
    assert set(CONDITIONS) == set(KNOWN_CONDITIONS)


# -- dates -----------------------------------------------------------------------------------------------


@pytest.mark.rule("PASSPORT_NOT_EXPIRED")
def test_expired_passport_is_an_error_naming_the_date(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "passport", expires=date(2026, 3, 14)))
    finding = only(result, "expired")
    assert (finding.severity, finding.requirement, finding.document) == ("error", "passport", "passport")
    assert finding.message == "Your passport expired on 14 Mar 2026."
    assert "passport" in finding.fix
    assert not result.ready


@pytest.mark.rule("PASSPORT_VALID_AT_EVENTS")
def test_passport_expiring_within_the_catalog_months_is_a_warning(
    catalog: Catalog, packet: list[Document]
) -> None:
    soon = run(catalog, replace(packet, "passport", expires=date(2026, 11, 30)))
    finding = only(soon, "expired")
    assert finding.severity == "warning"
    assert "30 Nov 2026" in finding.message and "6 months" in finding.message
    assert soon.ready
    assert run(catalog, replace(packet, "passport", expires=date(2027, 2, 1))).findings == ()


def test_passport_valid_on_its_last_day(catalog: Catalog, packet: list[Document]) -> None:
    assert only(run(catalog, replace(packet, "passport", expires=AS_OF)), "expired").severity == "warning"


def test_passport_without_expiry_date_is_undated(catalog: Catalog, packet: list[Document]) -> None:
    finding = only(run(catalog, replace(packet, "passport", expires=None)), "undated")
    assert (finding.severity, finding.document) == ("error", "passport")
    assert "expiry date" in finding.message and "passport" in finding.fix


def test_diploma_dated_in_the_future(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma", issued=date(2027, 7, 15))
    packet = replace(packet, "diploma-en", issued=date(2027, 8, 1))
    result = run(catalog, packet)
    assert [c for c in codes(result) if c[0] == "future-date"] == [
        ("future-date", "error", "medical-diploma", "diploma"),
        ("future-date", "error", "translation", "diploma-en"),
    ]
    assert "15 Jul 2027" in result.findings[0].message
    assert "medical diploma" in result.findings[0].fix


@pytest.mark.rule("PHOTO_RECENCY")
def test_photo_older_than_the_catalog_allows_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "photo", issued=date(2025, 10, 3)))
    finding = only(result, "too-old")
    assert (finding.severity, finding.requirement) == ("warning", "photo")
    assert "3 Oct 2025" in finding.message and "6 months" in finding.message
    assert "photograph" in finding.fix
    assert result.ready


def test_undated_photo_is_only_a_warning_because_its_age_rule_is_unconfirmed(
    catalog: Catalog, packet: list[Document]
) -> None:
    finding = only(run(catalog, replace(packet, "photo", issued=None)), "undated")
    assert (finding.severity, finding.document) == ("warning", "photo")


@pytest.mark.rule("IDFORM_AGE")
def test_identity_form_older_than_a_year_is_an_error(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "idform", issued=date(2025, 7, 1)))
    finding = only(result, "too-old")
    assert (finding.severity, finding.requirement) == ("error", "identity-form")
    assert "365 days" in finding.message and "1 Jul 2025" in finding.message
    assert "identity form" in finding.fix
    assert only(run(catalog, replace(packet, "idform", issued=date(2025, 7, 14))), "too-old")
    assert run(catalog, replace(packet, "idform", issued=date(2025, 7, 15))).findings == ()


def test_oet_before_the_cycle_window_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    finding = only(run(catalog, replace(packet, "oet", issued=date(2023, 11, 10))), "out-of-window")
    assert (finding.severity, finding.requirement) == ("warning", "oet-medicine")  # the 2026 window is [M]
    assert "1 Jan 2024" in finding.message and "OET Medicine" in finding.fix
    assert "our reading" in finding.message and "[" not in finding.message


# -- translations ----------------------------------------------------------------------------------------


@pytest.mark.rule("TRANSLATION_PAIR")
def test_spanish_diploma_without_translation(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, without(packet, "diploma-en"))
    finding = only(result, "translation-missing")
    assert (finding.severity, finding.requirement, finding.document) == (
        "error",
        "medical-diploma",
        "diploma",
    )
    assert finding.message.startswith("Your medical diploma is in Spanish")
    assert "medical diploma" in finding.fix and "word-for-word" in finding.fix
    assert not result.ready


def test_ordered_translation_is_still_missing_but_says_so(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(without(packet, "diploma-en"), "diploma", manual_translation_status="ordered")
    finding = only(run(catalog, packet), "translation-missing")
    assert finding.severity == "error"
    assert "ordered" in finding.message


@pytest.mark.rule("TRANSLATION_PAIR")
def test_translation_whose_original_is_missing(catalog: Catalog, packet: list[Document]) -> None:
    packet = [
        *packet,
        doc(
            "orphan",
            "translation",
            translation_of="gone",
            translator="Straker Translations",
            translator_kind="professional",
        ),
    ]
    finding = only(run(catalog, packet), "translation-missing")
    assert (finding.severity, finding.requirement, finding.document) == ("error", "translation", "orphan")
    assert "original" in finding.message and "orphan.pdf" in finding.fix


def test_translation_linked_to_nothing(catalog: Catalog, packet: list[Document]) -> None:
    packet = [
        *packet,
        doc("loose", "translation", translator="Straker Translations", translator_kind="professional"),
    ]
    assert ("translation-missing", "error", "translation", "loose") in codes(run(catalog, packet))


@pytest.mark.rule("TRANSLATOR_TYPE")
def test_self_translation_is_an_error(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma-en", translator_kind="self", translator=RECORD)
    result = run(catalog, packet)
    finding = only(result, "translation-incomplete")
    assert (finding.severity, finding.document) == ("error", "diploma-en")
    assert "English translation of the medical diploma" in finding.message
    assert "medical diploma" in finding.fix
    assert not result.ready


@pytest.mark.rule("TRANSLATOR_TYPE")
def test_notary_translation_is_an_error(catalog: Catalog, packet: list[Document]) -> None:
    finding = only(
        run(catalog, replace(packet, "diploma-en", translator_kind="notary")), "translation-incomplete"
    )
    assert finding.severity == "error"
    assert "notary" in finding.message


@pytest.mark.rule("TRANSLATOR_NOT_APPLICANT")
def test_translator_with_the_applicants_own_name_is_an_error(
    catalog: Catalog, packet: list[Document]
) -> None:
    packet = replace(
        packet, "diploma-en", translator="MARIA JOSÉ GARCIA LOPEZ", translator_kind="professional"
    )
    finding = only(run(catalog, packet), "translation-incomplete")
    assert finding.severity == "error"
    assert "your own name" in finding.message


@pytest.mark.rule("TRANSLATION_COMPLETENESS")
def test_translation_with_fewer_pages_than_the_original_is_a_warning(
    catalog: Catalog, packet: list[Document]
) -> None:
    packet = replace(packet, "diploma-en", files=(file("diploma-translation.pdf", [pdf_page()]),))
    result = run(catalog, packet)
    finding = only(result, "translation-incomplete")
    assert (finding.severity, finding.document) == ("warning", "diploma-en")
    assert "1 page" in finding.message and "medical diploma" in finding.fix
    assert result.ready


@pytest.mark.rule("TRANSLATION_COMPLETENESS")
def test_translation_dated_before_its_original_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    finding = only(
        run(catalog, replace(packet, "diploma-en", issued=date(2022, 6, 1))), "translation-incomplete"
    )
    assert finding.severity == "warning"
    assert "1 Jun 2022" in finding.message and "15 Jul 2022" in finding.message


def test_translation_without_translator_details(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "diploma-en", translator=None, translator_kind=None))
    assert [c[:2] for c in codes(result)] == [("missing-details", "error"), ("missing-details", "error")]
    assert all("English translation of the medical diploma" in f.fix for f in result.findings)


# -- names -----------------------------------------------------------------------------------------------


@pytest.mark.rule("NAME_CREDENTIAL_MATCH", "NAME_DIFF_CLASSIFIER")
def test_diploma_in_initials_needs_name_verification(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "diploma", name_on_document="M. J. Garcia"))
    assert codes(result) == [
        ("missing", "error", "name-verification", None),
        ("name-mismatch", "error", "medical-diploma", "diploma"),
    ]
    finding = result.findings[1]
    assert "“M. J. Garcia”" in finding.message and RECORD in finding.message
    assert "initials" in finding.message and "“Lopez”" in finding.message
    assert "medical diploma" in finding.fix and "“M. J. Garcia”" in finding.fix


def test_name_verification_with_exactly_the_printed_name_resolves_it(
    catalog: Catalog, packet: list[Document]
) -> None:
    packet = replace(packet, "diploma", name_on_document="M. J. Garcia")
    verification = doc("birth", "name-verification", name_on_document="M. J.  GARCIA", language="en")
    assert run(catalog, [*packet, verification]).findings == ()


def test_name_verification_with_another_name_does_not(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma", name_on_document="M. J. Garcia")
    verification = doc("birth", "name-verification", name_on_document="Maria J. Garcia", language="en")
    finding = only(run(catalog, [*packet, verification]), "name-mismatch")
    assert "None of your name verification documents" in finding.message


def test_passport_name_case_and_spacing_do_not_matter(catalog: Catalog, packet: list[Document]) -> None:
    assert (
        run(catalog, replace(packet, "passport", name_on_document="  maria JOSE   garcia lopez ")).findings
        == ()
    )


@pytest.mark.rule("NAME_RECORD_EQ_PASSPORT")
def test_passport_name_must_match_exactly(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, replace(packet, "passport", name_on_document="MARIA JOSE GARCIA-LOPEZ"))
    assert codes(result) == [
        ("name-mismatch", "error", "passport", "passport"),
        ("missing", "error", "name-change", None),
    ]
    assert "hyphen" in result.findings[0].message
    assert "passport" in result.findings[0].fix and "name change request" in result.findings[0].fix


def test_name_change_request_in_the_packet_leaves_a_note(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "passport", name_on_document="MARIA JOSE GARCIA DE PEREZ")
    result = run(catalog, [*packet, doc("namechange", "name-change", language="en")])
    assert codes(result) == [("name-change-pending", "info", "passport", "passport")]
    assert result.ready
    assert "FSMB" in result.findings[0].fix


@pytest.mark.rule("TRANSCRIPT_FIELDS")
def test_credential_without_a_printed_name_is_a_finding_not_a_crash(
    catalog: Catalog, packet: list[Document]
) -> None:
    result = run(catalog, replace(packet, "diploma", name_on_document=None, language=None))
    assert codes(result) == [("missing-details", "error", "medical-diploma", "diploma")] * 2
    assert "language" in result.findings[0].message and "name printed" in result.findings[1].message
    result = run(catalog, replace(packet, "transcript", name_on_document="  "))
    assert codes(result) == [("missing-details", "error", "final-transcript", "transcript")]


def test_profile_without_a_name(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, packet, make_profile(given_names="", family_name=""))
    assert codes(result) == [("missing-details", "error", "passport", None)]
    assert "profile" in result.findings[0].fix


# -- scans and files -------------------------------------------------------------------------------------


@pytest.mark.rule("SCAN_DPI_MIN")
def test_150_dpi_diploma_is_low_resolution(catalog: Catalog, packet: list[Document]) -> None:
    low = file("diploma-front.jpg", [scan_page(dpi=150)], size=900_000)
    result = run(catalog, replace(packet, "diploma", files=(low,)))
    finding = only(result, "low-resolution")
    assert (finding.severity, finding.document) == ("warning", "diploma")
    assert "150 dpi" in finding.message and "200 dpi" in finding.fix and "medical diploma" in finding.fix


@pytest.mark.rule("PASSPORT_SCAN_COLOR")
def test_grayscale_passport_scan(catalog: Catalog, packet: list[Document]) -> None:
    gray = file("passport-bw.jpg", [scan_page(color=False, size_pt=(354.0, 249.0))], size=700_000)
    finding = only(run(catalog, replace(packet, "passport", files=(gray,))), "not-color")
    assert (finding.severity, finding.document) == ("warning", "passport")
    assert "passport" in finding.fix and "colour" in finding.fix


@pytest.mark.rule("PHOTO_COLOR")
def test_grayscale_photo_is_an_error(catalog: Catalog, packet: list[Document]) -> None:
    gray = file("photo.jpg", [scan_page(color=False, size_pt=(144.0, 180.0))], size=300_000)
    assert only(run(catalog, replace(packet, "photo", files=(gray,))), "not-color").severity == "error"


def test_correct_letter_of_recommendation(catalog: Catalog, packet: list[Document]) -> None:
    assert run(catalog, [*packet, lor()]).findings == ()


@pytest.mark.rule("LOR_PDF", "FILE_SIZE_MAX")
def test_letter_of_recommendation_over_1_mb(catalog: Catalog, packet: list[Document]) -> None:
    big = file("smith-letter.pdf", [pdf_page(LETTER_PT)], size=1_468_006)
    result = run(catalog, [*packet, lor("lor-smith", big)])
    finding = only(result, "file-rule")
    assert (finding.severity, finding.requirement) == ("error", "recommendation-letter")
    assert "1.4 MB" in finding.message and "1.0 MB" in finding.message
    assert "letter of recommendation" in finding.fix
    assert not result.ready


@pytest.mark.rule("LOR_PDF")
def test_letter_of_recommendation_on_a4_pages(catalog: Catalog, packet: list[Document]) -> None:
    a4 = file("smith-letter.pdf", [pdf_page(LETTER_PT), pdf_page(A4_PT)], size=300_000)
    finding = only(run(catalog, [*packet, lor("lor-smith", a4)]), "file-rule")
    assert "Page 2" in finding.message and "8.3 × 11.7 in" in finding.message and "8.5 × 11 in" in finding.fix


def test_letter_of_recommendation_within_tolerance(catalog: Catalog, packet: list[Document]) -> None:
    almost = file("smith-letter.pdf", [pdf_page((612.5, 791.2)), pdf_page((792.0, 612.0))], size=300_000)
    assert run(catalog, [*packet, lor("lor-smith", almost)]).findings == ()


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ((file("smith-letter.jpg", [scan_page(300, size_pt=LETTER_PT)], size=500_000),), "JPEG"),
        ((file("a.pdf", [pdf_page()], 90_000), file("b.pdf", [pdf_page()], 90_000)), "2 files"),
        ((file("smith: final?.pdf", [pdf_page()], size=90_000),), ": ?"),
    ],
)
def test_letter_of_recommendation_file_rules(
    catalog: Catalog, packet: list[Document], files: tuple[object, ...], words: str
) -> None:
    result = run(catalog, [*packet, lor("lor-smith", *files)])
    finding = only(result, "file-rule")
    assert finding.severity == "error"
    assert words in finding.message


def test_two_letters_are_told_apart_by_file_name(catalog: Catalog, packet: list[Document]) -> None:
    big = file("jones-letter.pdf", [pdf_page(LETTER_PT)], size=2_000_000)
    result = run(catalog, [*packet, lor(), lor("lor-jones", big)])
    assert "letter of recommendation “jones-letter.pdf”" in only(result, "file-rule").message


def test_undated_letter_of_recommendation_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    assert only(run(catalog, [*packet, lor(issued=None)]), "undated").severity == "warning"


@pytest.mark.rule("ERAS_PHOTO")
def test_eras_photo_limits_are_warnings(catalog: Catalog, packet: list[Document]) -> None:
    photo = file("eras.png", [scan_page(dpi=300, size_pt=(180.0, 252.0))], size=150_000)
    result = run(catalog, [*packet, doc("eras", "eras-photo", photo)])
    assert codes(result) == [
        ("file-rule", "warning", "eras-photo", "eras"),
        ("file-rule", "warning", "eras-photo", "eras"),
    ]
    assert "146 KB" in result.findings[0].message and "100 KB" in result.findings[0].message
    assert "750 × 1050 pixels" in result.findings[1].message and "375 × 525" in result.findings[1].fix
    good = file("eras.jpg", [scan_page(dpi=150, size_pt=(180.0, 252.0))], size=80_000)
    assert run(catalog, [*packet, doc("eras", "eras-photo", good)]).findings == ()


@pytest.mark.rule("PDF_OPENABLE")
def test_unreadable_document(catalog: Catalog, packet: list[Document]) -> None:
    result = run(
        catalog,
        replace(packet, "photo", files=(file("photo.jpg", [], size=0),)),
        unreadable=frozenset({"photo"}),
    )
    assert codes(result) == [("unreadable", "error", "photo", "photo")]
    assert "photograph" in result.findings[0].fix


def test_document_without_files_or_metadata_does_not_crash(catalog: Catalog, packet: list[Document]) -> None:
    bare = Document(id="bare", requirement="medical-diploma")
    result = run(catalog, [*without(packet, "diploma", "diploma-en"), bare])
    assert [c[0] for c in codes(result)] == ["undated", "missing-details", "missing-details"]


def test_document_of_an_unknown_requirement_is_a_note(catalog: Catalog, packet: list[Document]) -> None:
    result = run(catalog, [*packet, doc("cv", "curriculum-vitae")])
    assert codes(result) == [("unknown-requirement", "info", "curriculum-vitae", "cv")]
    assert result.ready


# -- the advisor -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("review", "expected"),
    [
        (
            Review(
                "changes",
                (Comment("Dr. Okafor", date(2026, 7, 1), "Scan the back too."),),
                reviewer="Dr. Okafor",
            ),
            [("advisor-changes", "warning", "medical-diploma", "diploma")],
        ),
        (Review("changes", stale=True), []),
        (Review("approved"), []),
    ],
)
def test_advisor_asked_for_changes(
    catalog: Catalog, packet: list[Document], review: Review, expected: list[object]
) -> None:
    result = run(catalog, replace(packet, "diploma", review=review))
    assert codes(result) == expected
    if expected:
        assert (
            "Scan the back too." in result.findings[0].message and "Dr. Okafor" in result.findings[0].message
        )
        assert "medical diploma" in result.findings[0].fix


# -- catalog-driven behaviour ----------------------------------------------------------------------------


def test_changing_a_catalog_parameter_changes_the_result(catalog_text: str, packet: list[Document]) -> None:
    packet = replace(packet, "photo", issued=date(2025, 10, 3))
    packet = replace(packet, "diploma", files=(file("diploma.jpg", [scan_page(dpi=150)]),))
    shipped = parse_with_base(catalog_text)
    assert {f.code for f in run(shipped, packet).findings} == {"too-old", "low-resolution"}
    assert catalog_text.count("max_age_months = 6") == 1
    relaxed_text = catalog_text.replace("max_age_months = 6", "max_age_months = 12").replace(
        "min_dpi = 200", "min_dpi = 150"
    )
    relaxed = parse_with_base(relaxed_text)
    assert run(relaxed, packet).findings == ()


def test_a_confirmed_rule_blocks_and_a_lowered_one_does_not(
    catalog_text: str, packet: list[Document]
) -> None:
    packet = replace(packet, "passport", files=(file("bw.jpg", [scan_page(color=False)]),))
    shipped = parse_with_base(catalog_text)
    assert run(shipped, packet).ready
    strict = parse_with_base(catalog_text.replace('warn_only = ["color_required"]', ""))
    assert not run(strict, packet).ready


# -- order, determinism, helpers -------------------------------------------------------------------------


def test_findings_follow_catalog_order_then_document_order(catalog: Catalog, packet: list[Document]) -> None:
    broken = replace(packet, "passport", expires=date(2026, 1, 1))
    broken = replace(broken, "oet", issued=date(2023, 1, 1))
    broken = replace(broken, "diploma", issued=None)
    broken = without(broken, "photo", "transcript-en")
    broken = [
        *broken,
        lor("lor-b", file("b.pdf", [pdf_page()], size=2_000_000)),
        lor("lor-a", file("a.pdf", [pdf_page()], size=3_000_000)),
    ]
    expected = codes(run(catalog, broken))
    order = {rid: i for i, rid in enumerate(catalog.ids)}
    assert [order[c[2]] for c in expected] == sorted(order[c[2]] for c in expected)
    assert [c[3] for c in expected if c[2] == "recommendation-letter"] == ["lor-b", "lor-a"]
    shuffled = broken[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(codes(run(catalog, shuffled))) == sorted(expected)
    assert codes(run(catalog, broken)) == expected


def test_dates_are_written_with_the_month_as_a_word() -> None:
    assert format_date(date(2022, 7, 15)) == "15 Jul 2022"
    assert format_date(date(2026, 3, 4)) == "4 Mar 2026"


def test_sizes_use_binary_units() -> None:
    assert format_size(1_048_576) == "1.0 MB"
    assert format_size(1_468_006) == "1.4 MB"
    assert format_size(102_400) == "100 KB"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 7, 15), -6, date(2026, 1, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_every_fix_names_its_document(catalog: Catalog, packet: list[Document]) -> None:
    broken = replace(packet, "passport", expires=date(2026, 1, 1), files=(file("p.jpg", [scan_page(150, False)]),))
    broken = replace(broken, "photo", issued=None)
    broken = replace(broken, "diploma", name_on_document="M. J. Garcia", issued=date(2027, 1, 1))
    broken = replace(broken, "transcript-en", translator_kind="self", issued=date(2020, 1, 1))
    broken = replace(broken, "oet", issued=date(2023, 5, 5), review=Review("changes"))
    broken = [*without(broken, "idform"), lor(files=(file("x.jpg", [scan_page()], size=2_000_000),))]
    result = run(catalog, broken, unreadable=frozenset({"step1"}))
    assert len({f.code for f in result.findings}) >= 12
    for finding in result.findings:
        noun = catalog[finding.requirement].noun
        assert noun.lower() in finding.fix.lower(), finding
        assert noun.lower() in finding.message.lower(), finding
