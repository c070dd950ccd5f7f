"""Review files: made from a real bundle's manifest, written, read back, and every malformed one refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.core.model import Comment, Review, ValidationResult
from ecfmg_desk.errors import BadInputError, ReviewMismatchError, UnknownDocumentError, UsageError
from ecfmg_desk.packet.bundle import BundleManifest, write_bundle
from ecfmg_desk.packet.review import (
    ReviewEntry,
    ReviewFile,
    check_review_for_bundle,
    check_review_for_vault,
    make_review,
    read_review,
    write_review,
)
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store

ON = date(2026, 11, 21)


@pytest.fixture
def manifest(tmp_path: Path) -> BundleManifest:
    store = Store()
    diploma = store.document("d-dip", "diploma", [samples.make_png(tmp_path / "d.png")], language="es")
    passport = store.document("d-pp", "passport", [samples.make_text_pdf(tmp_path / "p.pdf")])
    return write_bundle(
        tmp_path / "b.ecfmgpkt",
        vault_id="vault-1",
        profile=PROFILE,
        documents=(diploma, passport),
        translation_statuses={},
        validation=ValidationResult(AS_OF),
        read_file=store.read,
        packet_pdf=samples.make_text_pdf(tmp_path / "packet.pdf"),
        app_version="1",
        catalog_cycle="2026",
        created=AS_OF,
    )


def _review(manifest: BundleManifest) -> ReviewFile:
    return make_review(
        manifest,
        decisions={"d-dip": "changes", "d-pp": "approved"},
        comments={"d-dip": ["The seal is cut off; rescan the whole page.", "  ", "Also the back, please."]},
        reviewer=" Dr. Ana Ruiz ",
        on=ON,
    )


def test_write_and_read_round_trip(manifest: BundleManifest, tmp_path: Path) -> None:
    review = _review(manifest)
    assert review.reviewer == "Dr. Ana Ruiz"
    assert review.documents["d-dip"] == ReviewEntry(
        "changes",
        (
            Comment("Dr. Ana Ruiz", ON, "The seal is cut off; rescan the whole page."),
            Comment("Dr. Ana Ruiz", ON, "Also the back, please."),
        ),
        manifest.document("d-dip").sha256,
    )
    path = tmp_path / "review.json"
    write_review(path, review)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp left
    again = read_review(path)
    assert again == review
    assert json.loads(path.read_text("utf-8"))["documents"]["d-pp"] == {
        "decision": "approved",
        "comments": [],
        "sha256": manifest.document("d-pp").sha256,
    }
    assert again.reviews()["d-pp"] == Review("approved", (), reviewer="Dr. Ana Ruiz", reviewed_on=ON)
    check_review_for_vault(again, "vault-1")
    check_review_for_bundle(again, manifest)
    write_review(path, make_review(manifest, {}, {"d-pp": ["Fine."]}, "Dr. Ruiz", ON))  # replaces the file
    assert read_review(path).documents["d-pp"].decision is None


def test_documents_without_a_decision_or_comment_are_left_out(manifest: BundleManifest) -> None:
    review = make_review(manifest, {"d-pp": "approved"}, {"d-dip": ["  "]}, "Dr. Ruiz", ON)
    assert list(review.documents) == ["d-pp"]


def test_make_review_refuses_what_is_not_in_the_bundle(manifest: BundleManifest) -> None:
    with pytest.raises(UnknownDocumentError, match="no document d-elsewhere"):
        make_review(manifest, {"d-elsewhere": "approved"}, {}, "Dr. Ruiz", ON)
    with pytest.raises(UnknownDocumentError):
        make_review(manifest, {}, {"d-elsewhere": ["hello"]}, "Dr. Ruiz", ON)
    with pytest.raises(UsageError, match="Unknown decision 'maybe'"):
        make_review(manifest, {"d-pp": "maybe"}, {}, "Dr. Ruiz", ON)
    with pytest.raises(UsageError, match="reviewer"):
        make_review(manifest, {"d-pp": "approved"}, {}, "   ", ON)


def test_a_review_of_another_vault_is_refused(manifest: BundleManifest) -> None:
    review = _review(manifest)
    with pytest.raises(ReviewMismatchError, match="another vault") as raised:
        check_review_for_vault(review, "vault-2")
    assert raised.value.exit_code == 2
    with pytest.raises(ReviewMismatchError, match="another bundle"):
        check_review_for_bundle(ReviewFile("0" * 8 + "-0000-0000-0000-" + "0" * 12, "vault-1", "x", ON, {}), manifest)


def _valid() -> dict[str, Any]:
    return {
        "format": "ecfmg-desk-review",
        "format_version": 1,
        "bundle_id": "12345678-1234-5678-1234-567812345678",
        "vault_id": "vault-1",
        "reviewer": "Dr. Ruiz",
        "date": "2026-11-21",
        "documents": {
            "d-dip": {
                "decision": "changes",
                "comments": [{"author": "Dr. Ruiz", "date": "2026-11-21", "text": "Rescan."}],
                "sha256": "a" * 64,
            }
        },
    }


def _set(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    body = _valid()
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


MALFORMED: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"{decision: approved}", "not valid JSON"),
    "not UTF-8": (b'{"format": "\xff"}', "not valid JSON"),
    "a list": (b"[]", "not an ECFMG Desk review"),
    "another format": (json.dumps(_set(("format",), "ecfmg-desk-bundle")).encode(), "not an ECFMG Desk review"),
    "newer version": (json.dumps(_set(("format_version",), 3)).encode(), "format version 3"),
    "missing key": (json.dumps({k: v for k, v in _valid().items() if k != "reviewer"}).encode(), "no \\['reviewer'\\]"),
    "extra key": (json.dumps(_set(("extra",), 1)).encode(), "unexpected \\['extra'\\]"),
    "unknown decision": (json.dumps(_set(("documents", "d-dip", "decision"), "maybe")).encode(), "unknown decision"),
    "bad date": (json.dumps(_set(("date",), "21/11/2026")).encode(), "not a date"),
    "bad comment date": (
        json.dumps(_set(("documents", "d-dip", "comments", 0, "date"), "2026-02-30")).encode(),
        "not a date",
    ),
    "comment not an object": (json.dumps(_set(("documents", "d-dip", "comments"), ["hi"])).encode(), "not an object"),
    "bad hash": (json.dumps(_set(("documents", "d-dip", "sha256"), "xyz")).encode(), "invalid sha256"),
    "bad bundle id": (json.dumps(_set(("bundle_id",), "../../etc")).encode(), "not a bundle id"),
    "empty reviewer": (json.dumps(_set(("reviewer",), " ")).encode(), "reviewer is not a valid text"),
    "number as text": (json.dumps(_set(("vault_id",), 7)).encode(), "vault_id is not a valid text"),
    "duplicate key": (b'{"format": "ecfmg-desk-review", "format": "x"}', "duplicate key"),
    "NaN": (b'{"format": NaN}', "not valid JSON"),
    "too large": (b" " * (1024 * 1024 + 1), "larger than 1 MB"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_review_is_refused_with_a_clear_message(case: str, tmp_path: Path) -> None:
    data, message = MALFORMED[case]
    path = tmp_path / "review.json"
    path.write_bytes(data)
    with pytest.raises(ReviewMismatchError, match=message):
        read_review(path)


def test_the_valid_sample_reads(tmp_path: Path) -> None:
    path = tmp_path / "review.json"
    path.write_text(json.dumps(_valid()), "utf-8")
    review = read_review(path)
    assert review.documents["d-dip"].comments == (Comment("Dr. Ruiz", ON, "Rescan."),)


def test_a_missing_review_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        read_review(tmp_path / "nope.json")
