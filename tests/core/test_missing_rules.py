"""The rules of RULES.md section 4 that were missing (issue 10, item 3), each on a realistic packet."""

from __future__ import annotations

from dataclasses import replace as replace_finding
from datetime import date

import pytest

from ecfmg_desk.core.catalog import Catalog, Confidence
from ecfmg_desk.core.exams import earliest_next_attempts, step_records
from ecfmg_desk.core.model import Document, ValidationResult
from ecfmg_desk.core.rules import business_days_between, confirmation_questions, for_reviewer, validate
from ecfmg_desk.resources import load_catalog
from tests.core.factories import AS_OF, doc, file, pdf_page, replace, scan_page, without
from tests.core.factories import profile as make_profile


def run(catalog: Catalog, documents: list[Document], *, as_of: date = AS_OF, answers: object = None,
        entered: object = None, **profile: object) -> ValidationResult:
    return validate(catalog, make_profile(**profile), documents, as_of, answers=answers,  # type: ignore[arg-type]
                    entered=entered)  # type: ignore[arg-type]


def codes(result: ValidationResult) -> list[tuple[str, str, str, str | None]]:
    return [(f.code, f.severity, f.requirement, f.document) for f in result.findings]


def step1(doc_id: str, tested: date, result: str, attempt: int | None = None) -> Document:
    fields: dict[str, object] = {"result": result}
    if attempt is not None:
        fields["attempt"] = attempt
    return doc(doc_id, "usmle-step1", file(f"{doc_id}.pdf", [pdf_page()], size=90_000), issued=tested,
               language="en", fields=fields)


@pytest.mark.rule("USMLE_ATTEMPTS")
def test_a_failed_attempt_is_kept_but_never_meets_the_requirement(catalog: Catalog, packet: list[Document]) -> None:
    failed = step1("step1-first", date(2022, 11, 4), "fail", attempt=1)
    only_failed = [failed, *without(packet, "step1")]
    result = run(catalog, only_failed)
    assert codes(result)[:2] == [("missing", "error", "usmle-step1", None),
                                 ("exam-failed", "info", "usmle-step1", "step1-first")]
    assert "failed attempts" in result.findings[0].message
    assert run(catalog, [failed, *packet]).ready  # the later pass meets it; the fail stays on record
    assert ("exam-failed", "info", "usmle-step1", "step1-first") in codes(run(catalog, [failed, *packet]))


@pytest.mark.rule("USMLE_ATTEMPTS")
def test_four_attempts_without_a_pass_is_the_limit(catalog: Catalog, packet: list[Document]) -> None:
    attempts = [step1(f"s1-{n}", date(2022 + n // 3, 1 + 3 * (n % 3), 5), "fail") for n in range(3)]
    result = run(catalog, [*attempts, *without(packet, "step1")])
    assert "attempt-limit" not in {f.code for f in result.findings}
    fourth = step1("s1-3", date(2024, 6, 20), "fail", attempt=4)
    result = run(catalog, [*attempts, fourth, *without(packet, "step1")])
    assert ("attempt-limit", "error", "usmle-step1", None) in codes(result)
    # a typed attempt number counts even when the earlier reports are not filed
    assert ("attempt-limit", "error", "usmle-step1", None) in codes(run(catalog, [fourth, *without(packet, "step1")]))
    assert step_records(catalog, [fourth])["usmle-step1"].attempts == 4


@pytest.mark.rule("USMLE_ATTEMPT_SPACING")
def test_earliest_next_attempt_follows_the_retake_spacing(catalog: Catalog) -> None:
    one = [step1("a", date(2025, 3, 10), "fail")]
    assert earliest_next_attempts(catalog, one) == {"usmle-step1": date(2025, 3, 11)}
    three = [*one, step1("b", date(2025, 6, 2), "fail"), step1("c", date(2025, 9, 15), "fail")]
    # the 4th: at least 12 months after the first and 6 after the latest (and not a 4th in 12 months)
    assert earliest_next_attempts(catalog, three) == {"usmle-step1": date(2026, 3, 15)}
    assert earliest_next_attempts(catalog, [*three, step1("d", date(2026, 4, 1), "fail")]) == {}  # no attempt left
    assert earliest_next_attempts(catalog, [*one, step1("p", date(2025, 6, 1), "pass")]) == {}


@pytest.mark.rule("OET_SCORES")
def test_an_oet_sitting_below_the_scores_is_an_error_unless_another_passes(catalog: Catalog,
                                                                          packet: list[Document]) -> None:
    low_writing = replace(packet, "oet", fields={"listening": 400, "reading": 390, "speaking": 410, "writing": 290})
    result = run(catalog, low_writing)
    assert [(f.code, f.severity, f.document) for f in result.errors] == [("missing", "error", None),
                                                                         ("score-below", "error", "oet")]
    assert "Writing 290 (at least 300)" in next(f.message for f in result.errors if f.code == "score-below")
    # scores from two sittings never combine: each sitting is judged on its own
    other = doc("oet-2", "oet-medicine", file("oet-2.pdf", [pdf_page()]), issued=date(2025, 9, 2), language="en",
                name_on_document="Maria Jose Garcia Lopez",
                fields={"listening": 340, "reading": 350, "speaking": 350, "writing": 380})
    assert not run(catalog, [*low_writing, other]).ready
    passing = other.with_changes(fields={"listening": 360, "reading": 350, "speaking": 350, "writing": 380})
    result = run(catalog, [*low_writing, passing])
    assert result.ready
    assert ("score-below", "info", "oet-medicine", "oet") in codes(result)


@pytest.mark.rule("OET_DATE_WINDOW")
def test_switching_cycles_moves_the_date_rules(packet: list[Document]) -> None:
    """The same packet, validated for the 2026 and the 2027 Match: the OET window and residency start move."""
    c2026, c2027 = load_catalog(2026), load_catalog(2027)
    packet = replace(packet, "oet", issued=date(2023, 11, 10))
    packet = replace(packet, "passport", expires=date(2027, 4, 30))
    in_2026 = {(f.code, f.requirement) for f in run(c2026, packet).findings}
    in_2027 = {(f.code, f.requirement) for f in run(c2027, packet).findings}
    assert ("out-of-window", "oet-medicine") in in_2026  # 1 Jan 2024, [M]: a warning
    assert ("out-of-window", "oet-medicine") not in in_2027  # the 2027 window is not announced: no guess
    assert ("expired", "passport") not in in_2026  # valid through 1 Jul 2026
    assert ("expired", "passport") in in_2027  # expires before residency starts on 1 Jul 2027


@pytest.mark.rule("ECFMG_SEVEN_YEAR")
def test_exams_passed_more_than_seven_years_apart_warn(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "step1", issued=date(2016, 5, 3))
    result = run(catalog, packet)
    assert codes(result) == [("exam-time-limit", "warning", "usmle-step2ck", None)]
    assert result.ready


@pytest.mark.rule("NAME_CHANGE_LEAD_TIME")
def test_a_pending_name_change_right_before_a_scheduled_exam_blocks(catalog: Catalog, packet: list[Document]) -> None:
    married = replace(packet, "passport", name_on_document="MARIA JOSE GARCIA DIAZ")
    change = doc("nc", "name-change", file("name-change.pdf", [pdf_page()]))
    married = [*married, change]
    assert business_days_between(date(2026, 7, 15), date(2026, 7, 24)) == 7
    soon = {"exam:usmle-step2ck": date(2026, 7, 22)}
    result = run(catalog, married, entered=soon)
    assert ("name-change-lead-time", "error", "name-change", None) in codes(result)
    later = run(catalog, married, entered={"exam:usmle-step2ck": date(2026, 8, 3)})
    assert "name-change-lead-time" not in {f.code for f in later.findings}
    assert "name-change-lead-time" not in {f.code for f in run(catalog, packet, entered=soon).findings}


@pytest.mark.rule("PATHWAY_DEADLINE", "NRMP_ROL")
def test_cycle_deadlines_warn_while_exam_items_are_not_ready(catalog: Catalog, packet: list[Document]) -> None:
    c2027 = load_catalog(2027)
    unfinished = without(packet, "oet")
    as_of = date(2027, 2, 20)
    result = run(c2027, unfinished, as_of=as_of, entered={"rol_deadline": date(2027, 3, 3)})
    deadline = [f for f in result.findings if f.code == "deadline"]
    assert [(f.severity, f.requirement) for f in deadline] == [("warning", "usmle-step2ck")]
    assert "3 Mar 2027" in deadline[0].message
    assert not [f for f in run(c2027, unfinished, as_of=as_of).findings if f.code == "deadline"]  # unknown date
    done = run(c2027, packet, as_of=as_of, entered={"rol_deadline": date(2027, 3, 3), "pathways_close": as_of})
    assert "deadline" not in {f.code for f in done.findings}
    closing = run(c2027, unfinished, as_of=as_of, entered={"pathways_close": date(2027, 1, 31)})
    assert [(f.code, f.requirement) for f in closing.findings if f.code == "deadline"] == [
        ("deadline", "pathway-evidence")]


@pytest.mark.rule("PATHWAY_EXPIRY")
def test_a_pathway_expiring_before_residency_needs_revalidation(catalog: Catalog, packet: list[Document]) -> None:
    c2027 = load_catalog(2027)
    packet = replace(packet, "pathway", expires=date(2027, 5, 31))
    assert codes(run(c2027, packet)) == [("revalidation", "warning", "pathway-evidence", "pathway")]
    assert run(c2027, packet).ready


@pytest.mark.rule("COLOR_SCAN")
def test_a_grey_identity_form_scan_is_a_warning(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "idform", files=(file("iif.jpg", [scan_page(dpi=300, color=False)]),))
    assert codes(run(catalog, packet)) == [("not-color", "warning", "identity-form", "idform")]


@pytest.mark.rule("SCHOOL_WDOMS_NOTE", "GRAD_YEAR_IN_RANGE", "DEGREE_TITLE_MATCH", "DEGREE_EXCLUDED",
                  "NO_EVALUATIONS", "ALL_PAGES_ONE_FILE", "TRANSLATION_STATEMENT", "TRANSLATION_LETTERHEAD_SIGNATURE",
                  "CREDIT_YEARS_MIN", "NO_BUSY_BACKGROUND", "PASSPORT_EXTRA_PAGES")
def test_confirmations_are_asked_once_and_a_no_says_what_follows(catalog: Catalog, packet: list[Document]) -> None:
    questions = confirmation_questions(catalog, make_profile(), packet, {})
    asked = [(q.id, q.document) for q in questions]
    assert asked == [
        ("school-listed", None), ("degree-title", None), ("no-evaluations", None),
        ("all-pages", "diploma"), ("all-pages", "transcript"),
        ("translation-statement", "diploma-en"), ("translation-statement", "transcript-en"),
        ("translation-letterhead", "diploma-en"), ("translation-letterhead", "transcript-en"),
        ("credit-years", None), ("plain-background", "transcript"), ("passport-pages", "passport"),
    ]
    unanswered = run(catalog, packet, answers={})
    assert unanswered.ready  # unanswered questions warn
    assert [f.code for f in unanswered.findings] == ["unconfirmed"] * len(asked)
    assert "World Directory of Medical Schools" in unanswered.findings[0].message
    yes = {(q.id, q.document or ""): True for q in questions}
    assert run(catalog, packet, answers=yes).findings == ()
    no_statement = {**yes, ("translation-statement", "diploma-en"): False}
    result = run(catalog, packet, answers=no_statement)
    assert codes(result) == [("answered-no", "error", "translation", "diploma-en")]
    assert "rejects a translation without a certification statement" in result.findings[0].message
    missing_side = {**yes, ("all-pages", "diploma"): False}
    assert codes(run(catalog, packet, answers=missing_side)) == [
        ("answered-no", "warning", "medical-diploma", "diploma")]
    not_listed = {**yes, ("school-listed", ""): False}
    assert not run(catalog, packet, answers=not_listed).ready


def test_the_advisor_reads_the_students_questions_as_the_students(catalog: Catalog, packet: list[Document]) -> None:
    questions = confirmation_questions(catalog, make_profile(), packet, {})
    unanswered = {(f.question, f.document): f for f in run(catalog, packet, answers={}).findings}
    school = for_reviewer(unanswered["school-listed", None])
    assert school.message.startswith("Not answered by the student yet: “Is your medical school listed in the World ")
    assert school.message.endswith("”")
    assert school.fix == "The student answers it in their app (yes or no); it cannot be seen in the files."
    pages = for_reviewer(unanswered["passport-pages", "passport"])
    assert pages.message.startswith("Not answered by the student yet (their passport): “If your passport")
    assert (pages.code, pages.severity, pages.requirement, pages.document) == ("unconfirmed", "warning", "passport",
                                                                               "passport")
    yes = {(q.id, q.document or ""): True for q in questions}
    side = run(catalog, packet, answers={**yes, ("all-pages", "diploma"): False}).findings[0]
    assert side.message.startswith("For your medical diploma, you answered no: ")
    assert for_reviewer(side).message == side.message.replace("For your medical diploma, you answered no: ",
                                                              "For their medical diploma, the student answered no: ")
    school_no = run(catalog, packet, answers={**yes, ("school-listed", ""): False}).findings[0]
    assert for_reviewer(school_no).message == "The student answered no: " + school_no.message.removeprefix(
        "You answered no: ")
    others = run(catalog, without(packet, "passport"), answers=yes).findings
    assert others and [for_reviewer(f) for f in others] == list(others), "other findings are shown as exported"
    odd = replace_finding(school, message="Still to answer, in words of another version")
    assert for_reviewer(odd) == odd


@pytest.mark.rule("TRANSLATOR_NOT_APPLICANT")
def test_a_translator_who_shares_the_applicants_name_can_be_confirmed(catalog: Catalog, packet: list[Document]) -> None:
    packet = replace(packet, "diploma-en", translator="M. Garcia", translator_kind="professional")
    asked = [(q.id, q.document) for q in confirmation_questions(catalog, make_profile(), packet, {})]
    assert ("translator-not-applicant", "diploma-en") in asked
    assert not run(catalog, packet, answers={}).ready
    confirmed = run(catalog, packet, answers={("translator-not-applicant", "diploma-en"): True})
    assert "translation-incomplete" not in {f.code for f in confirmed.findings}


@pytest.mark.rule("LOR_CONTENT", "MSPE_FIELDS")
def test_letters_and_the_mspe_are_asked_about_their_content(catalog: Catalog, packet: list[Document]) -> None:
    letter = doc("lor", "recommendation-letter", file("lor.pdf", [pdf_page()], size=120_000), issued=date(2026, 6, 1))
    mspe = doc("mspe", "mspe", file("mspe.pdf", [pdf_page()]), name_on_document="Maria Jose Garcia Lopez")
    asked = {(q.id, q.document) for q in confirmation_questions(catalog, make_profile(), [*packet, letter, mspe])}
    assert {("letter-content", "lor"), ("mspe-content", "mspe")} <= asked
    answers = {(q.id, q.document or ""): True for q in confirmation_questions(catalog, make_profile(),
                                                                               [*packet, letter, mspe])}
    answers[("letter-content", "lor")] = False
    result = run(catalog, [*packet, letter, mspe], answers=answers)
    assert result.ready and codes(result) == [("answered-no", "warning", "recommendation-letter", "lor")]


def _published(catalog: Catalog, key: str, value: date, confidence: Confidence) -> Catalog:
    """The catalog as it will read once ECFMG publishes the window (today it is ``unknown``)."""
    import dataclasses
    from types import MappingProxyType

    parameter = dataclasses.replace(catalog.parameters[key], value=value, confidence=confidence)
    return dataclasses.replace(catalog, parameters=MappingProxyType({**catalog.parameters, key: parameter}))


@pytest.mark.rule("P345_GRAD_DATE")
def test_pathways_3_to_5_need_a_graduation_date_inside_the_published_window(catalog: Catalog,
                                                                            packet: list[Document]) -> None:
    c2027 = load_catalog(2027)
    graduated = date(2021, 6, 30)
    assert c2027.parameter("p345_min_grad_date") is None
    assert not [f for f in run(c2027, packet, graduation_date=graduated).findings if f.code == "out-of-window"], \
        "an unpublished window is never guessed"
    confirmed = _published(c2027, "p345_min_grad_date", date(2023, 1, 1), "[C]")
    (finding,) = [f for f in run(confirmed, packet, graduation_date=graduated).findings if f.code == "out-of-window"]
    assert (finding.severity, finding.requirement, finding.document) == ("error", "pathway-evidence", "pathway")
    assert "1 Jan 2023" in finding.message and "30 Jun 2021" in finding.message
    assert run(confirmed, packet, graduation_date=date(2023, 6, 30)).ready
    # a window only read from a third party warns, never blocks; Pathway 6 is not concerned
    assert run(_published(c2027, "p345_min_grad_date", date(2023, 1, 1), "[T]"), packet,
               graduation_date=graduated).ready
    six = replace(packet, "pathway", fields={"pathway": 6})
    assert not [f for f in run(confirmed, six, graduation_date=graduated).findings if f.code == "out-of-window"]


@pytest.mark.rule("P1_LICENSE_WINDOW")
def test_pathway_1_needs_a_licence_valid_inside_the_published_window(catalog: Catalog,
                                                                     packet: list[Document]) -> None:
    c2027 = load_catalog(2027)
    licence = replace(packet, "pathway", fields={"pathway": 1}, expires=date(2028, 12, 31))
    assert not [f for f in run(c2027, licence).findings if f.code == "out-of-window"]
    confirmed = _published(c2027, "p1_license_from", date(2029, 1, 1), "[C]")
    (finding,) = [f for f in run(confirmed, licence).findings if f.code == "out-of-window"]
    assert (finding.severity, finding.document) == ("error", "pathway")
    assert "31 Dec 2028" in finding.message
    assert not [f for f in run(_published(c2027, "p1_license_from", date(2025, 1, 1), "[C]"), licence).findings
                if f.code == "out-of-window"]
