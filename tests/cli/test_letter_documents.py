"""Documents linked to rotations and letters (``--set rotation=ID`` / ``--set letter=ID``), and a letter's PDF
checked against each of the AAMC LoR Portal's file rules (RULES.md ERAS-LOR, LOR_PDF) before the writer uploads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import samples
from tests.cli.conftest import Cli

AS_OF = "2026-07-15"


@pytest.fixture
def letter(cli: Cli) -> str:
    added = cli("letter", "add", "--writer", "Dr. Eleanor Whitcombe", "--letter-id", "L0042981")
    assert added.code == 0, added.err
    return added.last_line


def add_letter_pdf(cli: Cli, path: Path, letter: str) -> str:
    added = cli("add", "recommendation-letter", path, "--issued", "2026-06-01", "--set", f"letter={letter}")
    assert added.code == 0, added.err
    return added.last_line


def findings_on(cli: Cli, document: str) -> list[dict[str, str]]:
    result = cli("validate", "--as-of", AS_OF, "--json")
    # Questions the applicant answers once (``unconfirmed``) are not file-rule problems.
    return [f for f in result.json()["findings"] if f["document"] == document and f["code"] != "unconfirmed"]


def test_certificates_and_letters_link_to_their_rotation_and_letter(cli: Cli, tmp_path: Path, letter: str) -> None:
    rotation = cli("rotation", "add", "--kind", "observership", "--institution", "Lakeside Hospital", "--specialty",
                   "Internal Medicine", "--start", "2026-01-05", "--end", "2026-01-30").last_line
    certificate = cli("add", "clinical-experience", samples.make_scan_pdf(tmp_path / "cert.pdf", dpi=200),
                      "--issued", "2026-02-02", "--set", f"rotation={rotation}")
    assert certificate.code == 0, certificate.err
    pdf = add_letter_pdf(cli, samples.make_text_pdf(tmp_path / "whitcombe.pdf", text="Letter"), letter)
    assert cli("rotation", "list", "--json").json()["rotations"][0]["documents"] == [certificate.last_line]
    assert cli("letter", "list", "--json").json()["letters"][0]["documents"] == [pdf]
    assert findings_on(cli, pdf) == []  # a letter that meets every portal rule


@pytest.mark.parametrize(
    ("requirement", "assignment"),
    [("clinical-experience", "rotation=nosuch"), ("recommendation-letter", "letter=nosuch")],
)
def test_a_link_to_an_unknown_rotation_or_letter_is_refused_and_nothing_is_added(
    cli: Cli, tmp_path: Path, letter: str, requirement: str, assignment: str
) -> None:
    before = cli("list", "--json").json()
    result = cli("add", requirement, samples.make_text_pdf(tmp_path / "x.pdf"), "--set", assignment)
    assert result.code == 2 and result.err.startswith("error: ") and "nosuch" in result.err
    assert cli("list", "--json").json() == before


def _big_scan(tmp_path: Path) -> Path:
    path = samples.make_scan_pdf(tmp_path / "whitcombe.pdf", dpi=300, texture=True)
    assert path.stat().st_size > 1_048_576  # the case this test is about
    return path


LOR_RULES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "larger than 1 MB": (_big_scan, "1.0 MB"),
    "A4 pages": (lambda d: samples.make_text_pdf(d / "whitcombe.pdf", page_size="a4"), "8.5"),
    "not a PDF": (lambda d: samples.make_jpeg(d / "whitcombe.jpg", size_px=(1700, 2200), dpi=200), "PDF"),
    "a colon in the file name": (lambda d: samples.make_text_pdf(d / "whitcombe: draft.pdf"), ":"),
    "a question mark in the file name": (lambda d: samples.make_text_pdf(d / "final?.pdf"), "?"),
}


@pytest.mark.parametrize("rule", sorted(LOR_RULES))
def test_a_letter_pdf_that_breaks_a_portal_rule_is_an_error(cli: Cli, tmp_path: Path, letter: str, rule: str) -> None:
    make, words = LOR_RULES[rule]
    document = add_letter_pdf(cli, make(tmp_path), letter)
    errors = [f for f in findings_on(cli, document) if f["severity"] == "error"]
    assert errors, f"a letter with {rule} passed"
    assert any(words in f["message"] + f["fix"] for f in errors), [(f["message"], f["fix"]) for f in errors]
    assert cli("letter", "list", "--json").json()["letters"][0]["documents"] == [document]


def test_an_encrypted_letter_pdf_is_refused_at_import(cli: Cli, tmp_path: Path, letter: str) -> None:
    for path in (samples.make_encrypted_pdf(tmp_path / "locked.pdf"),
                 samples.make_encrypted_pdf(tmp_path / "no-password.pdf", user_password="")):
        result = cli("add", "recommendation-letter", path, "--set", f"letter={letter}")
        assert result.code == 2 and "password-protected" in result.err
    assert cli("list", "--json").json() == {"documents": []}
