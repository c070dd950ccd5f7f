"""Rotations and letters in the advisor bundle (format 2): carried without private notes, every value checked."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.core.clinical import Letter, Rotation, Task
from ecfmg_desk.errors import TamperedBundleError
from ecfmg_desk.packet.bundle import BundleManifest, open_bundle, verify_bundle, write_bundle
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store
from tests.packet.test_bundle import VALIDATION, _rewrite

ROTATION = Rotation(
    "r1", "clerkship", "Mercy Saint Brigid Hospital", "Nephrology", "Dr. Eleanor Whitcombe", date(2026, 1, 26),
    date(2026, 2, 22), "completed", "Parking code 4471",
    (Task("t1", "Immunisation record", date(2025, 12, 15), True), Task("t2", "Background check", None, False)),
)
LETTER = Letter("l1", "Dr. Eleanor Whitcombe", "Clerkship Director", "r1", date(2026, 2, 20), date(2026, 4, 1),
                "promised", "L0042981")


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, BundleManifest]:
    store = Store()
    passport = store.document("d-pp", "passport", [samples.make_scan_pdf(tmp_path / "passport.pdf", dpi=50)])
    out = tmp_path / "maria.ecfmgpkt"
    manifest = write_bundle(
        out, vault_id="vault-1234", profile=PROFILE, documents=(passport,), translation_statuses={},
        validation=VALIDATION, read_file=store.read, packet_pdf=samples.make_text_pdf(tmp_path / "p.pdf"),
        app_version="9.8.7", catalog_cycle="2026", created=AS_OF, rotations=(ROTATION,),
        letters=(LETTER, Letter("l2", "Dr. Free", rotation="gone")),
    )
    return out, manifest


def test_rotations_and_letters_round_trip_without_private_notes(bundle: tuple[Path, BundleManifest]) -> None:
    path, _written = bundle
    with zipfile.ZipFile(path) as zf:
        assert b"Parking code" not in zf.read("manifest.json")
    manifest = verify_bundle(path)
    (rotation,) = manifest.rotations
    assert rotation.with_changes(tasks=()) == ROTATION.with_changes(notes=None, tasks=())
    assert [(t.title, t.due, t.done) for t in rotation.tasks] == [
        ("Immunisation record", date(2025, 12, 15), True), ("Background check", None, False)]
    assert manifest.letters[0] == LETTER
    assert manifest.letters[1].rotation is None  # a link to a rotation the bundle does not carry is dropped
    with open_bundle(path) as opened:
        assert opened.manifest.rotations == manifest.rotations




HOSTILE: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown kind": lambda b: b["rotations"][0].update(kind="<b>VIP</b>"),
    "end before start": lambda b: b["rotations"][0].update(end="2025-01-01"),
    "not a date": lambda b: b["rotations"][0].update(start="26/01/2026"),
    "huge institution": lambda b: b["rotations"][0].update(institution="x" * 100_000),
    "extra key": lambda b: b["rotations"][0].update(script="alert(1)"),
    "task not an object": lambda b: b["rotations"][0].update(tasks=["Immunisation record"]),
    "unknown letter status": lambda b: b["letters"][0].update(status="approved by ECFMG"),
    "letter without writer": lambda b: b["letters"][0].update(writer=" "),
    "rotations not a list": lambda b: b.update(rotations={"r1": 1}),
    "rotation twice": lambda b: b["rotations"].append(dict(b["rotations"][0])),
    "too many rotations": lambda b: b.update(rotations=[dict(b["rotations"][0], id=str(i)) for i in range(201)]),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_resealed_manifest_with_a_hostile_rotation_or_letter_is_refused(
    bundle: tuple[Path, BundleManifest], tmp_path: Path, name: str
) -> None:
    path, _ = bundle
    edited = _rewrite(path, tmp_path / "edited.ecfmgpkt", manifest=HOSTILE[name], reseal=True)
    with pytest.raises(TamperedBundleError):
        verify_bundle(edited)


def test_a_format_1_bundle_opens_without_rotations(bundle: tuple[Path, BundleManifest], tmp_path: Path) -> None:
    path, _ = bundle

    def downgrade(body: dict[str, Any]) -> None:
        body["format_version"] = 1
        for key in ("signature", "rotations", "letters"):
            del body[key]
        for document in body["documents"]:  # format 2 added the documents' own fields too
            del document["fields"]

    old = _rewrite(path, tmp_path / "old.ecfmgpkt", manifest=downgrade, reseal=True)
    manifest = verify_bundle(old)
    assert manifest.rotations == () and manifest.letters == ()
