"""Document fields in the advisor bundle (format 2): the exam result, the OET sub-scores, the identity form's
status travel with their documents, and a manifest's fields are hostile input like the rest of it: only the
names the catalog declares for the document's requirement, each value of its type and range, short plain
text. Anything else refuses the bundle with a message naming the document and the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.errors import TamperedBundleError
from ecfmg_desk.packet.bundle import BundleManifest, open_bundle, verify_bundle, write_bundle
from ecfmg_desk.packet.bundle_fields import MAX_FIELDS
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store
from tests.packet.test_bundle import VALIDATION, _rewrite

STEP1 = {"result": "pass", "test_date": date(2025, 5, 2), "attempt": 1}
OET = {"listening": 380, "reading": 400, "speaking": 360, "writing": 330}


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, BundleManifest]:
    store = Store()
    src = tmp_path / "src"
    documents = (
        store.document("d-s1", "usmle-step1", [samples.make_scan_pdf(src / "s1.pdf", dpi=50, text="Step 1")],
                       fields=STEP1),
        store.document("d-oet", "oet-medicine", [samples.make_scan_pdf(src / "oet.pdf", dpi=50, text="OET")],
                       fields=OET),
        store.document("d-iif", "identity-form", [samples.make_scan_pdf(src / "iif.pdf", dpi=50, text="Form")],
                       fields={"status": "accepted"}),
        store.document("d-pp", "passport", [samples.make_scan_pdf(src / "pp.pdf", dpi=50, text="Passport")]),
    )
    out = tmp_path / "maria.ecfmgpkt"
    manifest = write_bundle(
        out, vault_id="vault-1234", profile=PROFILE, documents=documents, translation_statuses={},
        validation=VALIDATION, read_file=store.read, packet_pdf=samples.make_text_pdf(src / "p.pdf"),
        app_version="9.8.7", catalog_cycle="2026", created=AS_OF,
    )
    return out, manifest


def test_document_fields_travel_with_their_documents(bundle: tuple[Path, BundleManifest]) -> None:
    path, written = bundle
    manifest = verify_bundle(path)
    assert manifest == written
    fields = {d.id: dict(d.fields) for d in manifest.documents}
    assert fields == {"d-s1": STEP1, "d-oet": OET, "d-iif": {"status": "accepted"}, "d-pp": {}}
    assert isinstance(fields["d-s1"]["test_date"], date)  # typed again, not the manifest's text
    with open_bundle(path) as opened:
        assert dict(opened.manifest.document("d-oet").fields) == OET


def test_bundles_without_fields_still_open(bundle: tuple[Path, BundleManifest], tmp_path: Path) -> None:
    path, _ = bundle

    def before_fields(body: dict[str, Any]) -> None:  # a format-2 bundle from a build before the fields
        for document in body["documents"]:
            del document["fields"]

    manifest = verify_bundle(_rewrite(path, tmp_path / "older.ecfmgpkt", manifest=before_fields, reseal=True))
    assert all(dict(d.fields) == {} for d in manifest.documents)


def _on(doc_index: int, change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(body: dict[str, Any]) -> None:
        change(body["documents"][doc_index]["fields"])

    return edit


def _set(doc_index: int, **values: object) -> Callable[[dict[str, Any]], None]:
    return _on(doc_index, lambda fields: fields.update(values))


def _replace_fields(doc_index: int, value: object) -> Callable[[dict[str, Any]], None]:
    def edit(body: dict[str, Any]) -> None:
        body["documents"][doc_index]["fields"] = value

    return edit


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "a field the requirement does not have": (_set(0, listening=400), "documents[0].fields has a field 'listening'"),
    "a name the catalog does not know": (_set(0, colour="red"), "documents[0].fields has a field 'colour'"),
    "a field on a passport": (_set(3, result="pass"), "documents[3].fields has a field 'result'"),
    "a name that is not a field name": (_set(0, **{"<b>result</b>": "pass"}), "a field with an invalid name"),
    "a result that is not one of the choices": (_set(0, result="passed with honours"),
                                                "documents[0].fields.result is not a valid"),
    "a result of the wrong type": (_set(0, result=1), "documents[0].fields.result is not a valid"),
    "a score out of range": (_set(1, listening=9999), "documents[1].fields.listening is not a valid"),
    "a score that is text": (_set(1, writing="330"), "documents[1].fields.writing is not a valid"),
    "a score that is true": (_set(1, writing=True), "documents[1].fields.writing is not a valid"),
    "an attempt below one": (_set(0, attempt=0), "documents[0].fields.attempt is not a valid"),
    "a date that is not a date": (_set(0, test_date="2025-02-30"), "documents[0].fields.test_date is not a valid"),
    "a date with a time": (_set(0, test_date="2025-05-02T10:00:00"), "documents[0].fields.test_date is not"),
    "an oversized text": (_set(2, status="accepted" * 5000), "documents[2].fields.status is not a valid"),
    "a control character": (_set(2, status="accepted\x1b[31m"), "documents[2].fields.status is not a valid"),
    "fields that are a list": (_replace_fields(0, ["result", "pass"]), "documents[0].fields is not an object"),
    "too many fields": (_replace_fields(0, {f"f{i}": 1 for i in range(MAX_FIELDS + 1)}),
                        f"at most {MAX_FIELDS} fields"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_fields_refuse_the_bundle_with_a_clear_message(bundle: tuple[Path, BundleManifest], tmp_path: Path,
                                                               name: str) -> None:
    path, _ = bundle
    edit, words = HOSTILE[name]
    hostile = _rewrite(path, tmp_path / "hostile.ecfmgpkt", manifest=edit, reseal=True)
    with pytest.raises(TamperedBundleError) as caught:
        verify_bundle(hostile)
    assert caught.value.message.startswith("The bundle cannot be trusted:")
    assert words in caught.value.message
    assert "\x1b" not in caught.value.message and "<b>" not in caught.value.message


def test_a_format_1_bundle_never_carried_fields(bundle: tuple[Path, BundleManifest], tmp_path: Path) -> None:
    path, _ = bundle

    def downgrade_keeping_fields(body: dict[str, Any]) -> None:
        body["format_version"] = 1
        for key in ("signature", "rotations", "letters"):
            del body[key]

    hostile = _rewrite(path, tmp_path / "v1.ecfmgpkt", manifest=downgrade_keeping_fields, reseal=True)
    with pytest.raises(TamperedBundleError, match=r"documents\[0\] has the wrong shape \(unexpected \['fields'\]\)"):
        verify_bundle(hostile)
