"""The advisor bundle: a round trip, then every way of tampering with one, each refused without writing."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.core.model import Comment, Document, Finding, Review, ValidationResult
from ecfmg_desk.errors import BadInputError, IntegrityError, TamperedBundleError, UnknownDocumentError
from ecfmg_desk.packet.bundle import (
    BUNDLE_FORMAT_VERSION,
    BundleManifest,
    open_bundle,
    verify_bundle,
    write_bundle,
)
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store

VALIDATION = ValidationResult(
    AS_OF, (Finding("warning", "too-old", "photo", "d-photo", "Your photograph is old.", "Retake it."),)
)


@dataclass
class Exported:
    path: Path
    manifest: BundleManifest
    documents: tuple[Document, ...]
    store: Store
    packet: Path


@pytest.fixture
def exported(tmp_path: Path) -> Exported:
    src = tmp_path / "src"
    store = Store()
    diploma = store.document(
        "d-dip",
        "diploma",
        [samples.make_jpeg(src / "front.jpg", size_px=(425, 550), dpi=50), samples.make_png(src / "back.png")],
        language="es",
        issued=date(2022, 7, 15),
        name_on_document="Maria Jose Garcia",
        notes="Original is at my parents' house.",
        review=Review("changes", (Comment("Dr. Ruiz", AS_OF, "Rescan in colour."),), reviewer="Dr. Ruiz"),
    )
    translation = store.document(
        "d-tr",
        "translation",
        [samples.make_text_pdf(src / "translation.pdf", pages=2)],
        language="en",
        translation_of="d-dip",
        translator="Ana Pérez",
        translator_kind="professional",
    )
    # A user file name that looks like a path: it is metadata, never a member name.
    passport = store.document("d-pp", "passport", [samples.make_scan_pdf(src / "passport.pdf", dpi=50)])
    passport = replace(passport, files=(replace(passport.files[0], name="../../etc/passwd.pdf"),))
    photo = store.document(
        "d-photo", "photo", [samples.make_jpeg(src / "photo.jpg", size_px=(300, 300), dpi=None)], expires=None
    )
    documents = (diploma, translation, passport, photo)
    packet = samples.make_text_pdf(src / "packet.pdf", pages=3, text="Packet")
    out = tmp_path / "bundles" / "maria.ecfmgpkt"
    out.parent.mkdir()
    manifest = write_bundle(
        out,
        vault_id="vault-1234",
        profile=PROFILE,
        documents=documents,
        translation_statuses={"d-dip": "attached"},
        validation=VALIDATION,
        read_file=store.read,
        packet_pdf=packet,
        app_version="9.8.7",
        catalog_cycle="2026",
        created=AS_OF,
    )
    return Exported(out, manifest, documents, store, packet)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty temp root and working folder: a test checks that nothing was written in either."""
    temp_root = tmp_path / "tmp"
    cwd = tmp_path / "cwd"
    temp_root.mkdir()
    cwd.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp_root))
    monkeypatch.chdir(cwd)
    yield temp_root
    assert list(cwd.iterdir()) == []


# --- round trip -----------------------------------------------------------------------------------------


def test_private_notes_never_leave_the_vault(exported: Exported) -> None:
    with zipfile.ZipFile(exported.path) as zf:
        for name in zf.namelist():
            assert b"parents' house" not in zf.read(name), name


def test_round_trip_rebuilds_the_documents_exactly(exported: Exported, sandbox: Path) -> None:
    manifest = verify_bundle(exported.path)
    assert manifest == exported.manifest
    # everything but the advisor's review and the applicant's private notes
    assert manifest.documents == tuple(replace(d, review=None, notes="") for d in exported.documents)
    with open_bundle(exported.path) as bundle:
        assert bundle.documents == manifest.documents
        for doc in exported.documents:
            for file in doc.files:
                assert bundle.file_bytes(file) == exported.store.blobs[file.sha256]
        assert bundle.packet_bytes() == exported.packet.read_bytes()
        assert bundle.profile.name_of_record == PROFILE.name_of_record
        assert bundle.profile.usmle_id == PROFILE.usmle_id
        assert bundle.validation == VALIDATION
        assert list(sandbox.iterdir()) == []  # every scan was read, none was written in clear to the temp folder
    assert list(sandbox.iterdir()) == []


def test_manifest_describes_applicant_documents_and_every_member(exported: Exported) -> None:
    with zipfile.ZipFile(exported.path) as zf:
        body = json.loads(zf.read("manifest.json"))
        names = sorted(zf.namelist())
    assert body["format"] == "ecfmg-desk-bundle" and body["format_version"] == BUNDLE_FORMAT_VERSION
    assert uuid.UUID(body["bundle_id"]) and body["vault_id"] == "vault-1234" and body["created"] == "2026-11-20"
    assert body["app_version"] == "9.8.7" and body["catalog_cycle"] == "2026"
    assert body["applicant"] == {
        "name_of_record": "María José García López",
        "given_names": "María José",
        "family_name": "García López",
        "usmle_id": "1234-5678",
        "medical_school": "Universidad Nacional de Colombia",
    }
    assert body["validation"] == VALIDATION.to_json()
    diploma = body["documents"][0]
    assert set(diploma) >= {
        "id", "requirement", "pages", "files", "issued", "expires", "language", "name_on_document",
        "translation_of", "translations", "translation_status", "translator", "translator_kind", "sha256",
    }  # fmt: skip
    assert "review" not in diploma
    assert (diploma["pages"], diploma["translations"], diploma["translation_status"]) == (2, ["d-tr"], "attached")
    assert set(diploma["files"][0]) >= {"name", "sha256", "kind", "size", "member"}
    assert body["documents"][2]["files"][0]["name"] == "../../etc/passwd.pdf"
    members = {m["name"]: m for m in body["members"]}
    assert sorted([*members, "manifest.json"]) == names
    assert all(n == "packet.pdf" or (n.startswith("files/") and len(n.split("/")[1]) == 64 + 4) for n in members)
    assert members["packet.pdf"] == {
        "name": "packet.pdf",
        "sha256": hashlib.sha256(exported.packet.read_bytes()).hexdigest(),
        "size": exported.packet.stat().st_size,
    }


def test_a_file_used_twice_is_stored_once(tmp_path: Path, exported: Exported) -> None:
    again = replace(exported.documents[0], id="d-copy", requirement="other")
    out = tmp_path / "twice.ecfmgpkt"
    manifest = write_bundle(
        out, vault_id="v", profile=PROFILE, documents=(*exported.documents, again), translation_statuses={},
        validation=VALIDATION, read_file=exported.store.read, packet_pdf=exported.packet, app_version="1",
        catalog_cycle="2026", created=AS_OF,
    )  # fmt: skip
    assert len(manifest.members) == len(exported.manifest.members)
    assert verify_bundle(out).document("d-copy").files == exported.documents[0].files


def test_writing_fails_cleanly(tmp_path: Path, exported: Exported) -> None:
    def failing(file: Any) -> bytes:
        if file.kind == "png":
            raise BadInputError("the vault could not decrypt back.png")
        return exported.store.read(file)

    out = tmp_path / "fail" / "b.ecfmgpkt"
    out.parent.mkdir()
    kwargs: dict[str, Any] = {
        "vault_id": "v", "profile": PROFILE, "documents": exported.documents, "translation_statuses": {},
        "validation": VALIDATION, "packet_pdf": exported.packet, "app_version": "1", "catalog_cycle": "2026",
        "created": AS_OF,
    }  # fmt: skip
    with pytest.raises(BadInputError, match=r"back\.png"):
        write_bundle(out, read_file=failing, **kwargs)
    assert list(out.parent.iterdir()) == []
    with pytest.raises(IntegrityError, match=r"front\.jpg"):
        write_bundle(out, read_file=lambda f: b"other bytes", **kwargs)
    assert list(out.parent.iterdir()) == []


# --- tampering ------------------------------------------------------------------------------------------


def _seal(body: dict[str, Any]) -> str:
    rest = {k: v for k, v in body.items() if k != "manifest_sha256"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


def _rewrite(
    src: Path,
    dst: Path,
    *,
    drop: tuple[str, ...] = (),
    replace_data: dict[str, bytes] | None = None,
    add: tuple[tuple[zipfile.ZipInfo | str, bytes], ...] = (),
    manifest: Callable[[dict[str, Any]], None] | None = None,
    reseal: bool = False,
) -> Path:
    """Copy the bundle zip entry by entry, changing what the test asks for."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate names we add
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if replace_data and info.filename in replace_data:
                data = replace_data[info.filename]
            if info.filename == "manifest.json" and manifest is not None:
                body = json.loads(data)
                manifest(body)
                if reseal:
                    body["manifest_sha256"] = _seal(body)
                data = json.dumps(body).encode()
            zout.writestr(info, data)
        for name, data in add:
            zout.writestr(name, data)
    return dst


def _first_file(exported: Exported) -> str:
    return next(m.name for m in exported.manifest.members if m.name.endswith(".jpg"))


def _flip_byte(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 1]) + data[101:]


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _patch_sizes(path: Path, name: str, size: int) -> None:
    """Make both zip headers of ``name`` claim ``size`` uncompressed bytes (a lying zip bomb)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name).header_offset
    struct.pack_into("<I", data, local + 22, size)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _bomb_listed(exported: Exported, dst: Path) -> Path:
    """A listed member replaced by 64 MB of zeros whose headers claim the member's declared size."""
    name = _first_file(exported)
    declared = next(m.size for m in exported.manifest.members if m.name == name)
    with zipfile.ZipFile(exported.path) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == name:
                zout.writestr(zipfile.ZipInfo(name), b"\0" * (64 << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                zout.writestr(info, zin.read(info))
    _patch_sizes(dst, name, declared)
    return dst


def _huge_declared(body: dict[str, Any]) -> None:
    body["members"][0]["size"] = 100 * 1024**3


TAMPERINGS: dict[str, tuple[Callable[[Exported, Path], Path], str]] = {
    "changed byte in a file": (
        lambda e, d: _rewrite(
            e.path, d, replace_data={_first_file(e): _flip_byte(e.store.blobs[_first_file(e)[6:70]])}
        ),
        r"front.jpg \(files/[0-9a-f]{64}\.jpg\) was altered: its SHA-256 differs",
    ),
    "changed byte in the packet": (
        lambda e, d: _rewrite(e.path, d, replace_data={"packet.pdf": _flip_byte(e.packet.read_bytes())}),
        r"the packet PDF \(packet.pdf\) was altered",
    ),
    "file of another size": (
        lambda e, d: _rewrite(e.path, d, replace_data={_first_file(e): b"short"}),
        r"front.jpg \(files/.*\.jpg\) was altered: 5 bytes instead of",
    ),
    "removed member": (
        lambda e, d: _rewrite(e.path, d, drop=(_first_file(e),)),
        r"front.jpg \(files/.*\.jpg\) is listed in its manifest but missing",
    ),
    "removed manifest": (lambda e, d: _rewrite(e.path, d, drop=("manifest.json",)), "no manifest.json"),
    "added member": (
        lambda e, d: _rewrite(e.path, d, add=(("files/extra.pdf", b"%PDF-1.7"),)),
        "'files/extra.pdf' is not listed",
    ),
    "parent-folder member": (lambda e, d: _rewrite(e.path, d, add=(("../evil", b"x"),)), "climbs out"),
    "nested parent-folder member": (lambda e, d: _rewrite(e.path, d, add=(("files/../../evil", b"x"),)), "climbs out"),
    "absolute member": (lambda e, d: _rewrite(e.path, d, add=(("/etc/evil", b"x"),)), "absolute path"),
    "backslash member": (lambda e, d: _rewrite(e.path, d, add=(("..\\evil", b"x"),)), "Windows path"),
    "drive-letter member": (lambda e, d: _rewrite(e.path, d, add=(("C:/evil", b"x"),)), "Windows path"),
    "symlink member": (
        lambda e, d: _rewrite(e.path, d, drop=(_first_file(e),), add=((_symlink(_first_file(e)), b"/etc/passwd"),)),
        "symbolic link",
    ),
    "duplicate member": (
        lambda e, d: _rewrite(e.path, d, add=((_first_file(e), b"second copy"),)),
        "appears twice",
    ),
    "edited manifest (a name)": (
        lambda e, d: _rewrite(e.path, d, manifest=lambda b: b["applicant"].update(given_names="Mario")),
        "manifest was edited",
    ),
    "edited manifest (a date)": (
        lambda e, d: _rewrite(e.path, d, manifest=lambda b: b["documents"][0].update(issued="2023-07-15")),
        "manifest was edited",
    ),
    "edited and resealed manifest (a hash)": (
        lambda e, d: _rewrite(e.path, d, manifest=lambda b: b["members"][0].update(sha256="0" * 64), reseal=True),
        "does not match the member",
    ),
    "bad format version": (
        lambda e, d: _rewrite(e.path, d, manifest=lambda b: b.update(format_version=3), reseal=True),
        "format version 3",
    ),
    "wrong shape": (
        lambda e, d: _rewrite(e.path, d, manifest=lambda b: b.update(documents={"a": 1}), reseal=True),
        r"manifest's documents is not a list",
    ),
    "manifest not JSON": (lambda e, d: _rewrite(e.path, d, replace_data={"manifest.json": b"{nope"}), "not valid JSON"),
    "zip bomb in a listed member": (_bomb_listed, r"front.jpg \(files/.*\.jpg\) is damaged or altered"),
    "zip bomb declared in the manifest": (
        lambda e, d: _rewrite(e.path, d, manifest=_huge_declared, reseal=True),
        "more than a bundle may hold",
    ),
    "unlisted zip bomb": (
        lambda e, d: _rewrite(e.path, d, add=(("bomb.bin", b"\0" * (32 << 20)),)),
        "'bomb.bin' is not listed",
    ),
    "not a zip at all": (lambda e, d: samples.write_file(d, b"%PDF-1.7 not a bundle"), "not a readable zip"),
    "truncated zip": (
        lambda e, d: samples.write_file(d, e.path.read_bytes()[: e.path.stat().st_size // 2]),
        "not a readable zip",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_tampering_is_refused_and_nothing_is_written(
    case: str, exported: Exported, sandbox: Path, tmp_path: Path
) -> None:
    make, message = TAMPERINGS[case]
    evil = tmp_path / "evil" / "bundle.ecfmgpkt"
    evil.parent.mkdir()
    make(exported, evil)
    with pytest.raises(TamperedBundleError, match=message) as verified:
        verify_bundle(evil)
    assert verified.value.exit_code == 3
    with pytest.raises(TamperedBundleError, match=message):
        open_bundle(evil)
    assert list(sandbox.iterdir()) == []  # nothing was extracted anywhere
    assert [p.name for p in evil.parent.iterdir()] == ["bundle.ecfmgpkt"]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "evil" / "evil").exists()


def test_a_missing_bundle_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        verify_bundle(tmp_path / "nowhere.ecfmgpkt")
    with pytest.raises(BadInputError):
        open_bundle(tmp_path)


def test_a_bundle_changed_on_disk_after_opening_is_refused(exported: Exported, sandbox: Path, tmp_path: Path) -> None:
    file = exported.documents[0].files[0]
    original = exported.store.blobs[file.sha256]
    with open_bundle(exported.path) as bundle:
        # replaced by another file: the open bundle still reads the one it verified
        other = tmp_path / "other.ecfmgpkt"
        _rewrite(exported.path, other, replace_data={_first_file(exported): _flip_byte(original)})
        saved = exported.path.read_bytes()
        os.replace(other, exported.path)
        assert bundle.file_bytes(file) == original
        exported.path.write_bytes(saved)
    with open_bundle(exported.path) as bundle:
        # changed in place (the same file): every read is checked against the manifest again
        data = bytearray(exported.path.read_bytes())
        at = data.find(original)
        data[at + 100] ^= 1
        with exported.path.open("r+b") as fh:
            fh.write(bytes(data))
        with pytest.raises(TamperedBundleError, match=r"front\.jpg (was|is damaged or) altered"):
            bundle.file_bytes(file)
        with pytest.raises(UnknownDocumentError):
            bundle.file_bytes(replace(file, sha256="1" * 64))
        with pytest.raises(UnknownDocumentError):
            bundle.manifest.document("nope")
    assert bundle.closed
    with pytest.raises(ValueError, match="closed"):
        bundle.packet_bytes()


def test_a_lying_zip_bomb_is_read_no_further_than_its_declared_size(exported: Exported, tmp_path: Path) -> None:
    bomb = _bomb_listed(exported, tmp_path / "bomb.ecfmgpkt")
    name = _first_file(exported)
    with zipfile.ZipFile(bomb) as zf:
        declared = zf.getinfo(name).file_size
        assert declared < 1 << 20  # the headers claim the small size the manifest lists...
    assert bomb.stat().st_size > 60_000  # ...while 64 MB of zeros are compressed in there
    with pytest.raises(TamperedBundleError, match=name.replace(".", r"\.")):
        verify_bundle(bomb)
