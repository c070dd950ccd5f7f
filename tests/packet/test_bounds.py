"""Bounds on hostile input: oversized manifests, zips with too many members, oversized reviews and comments are
refused with one clear error, and the readers never read past their bounds (shown by what they did not touch,
never by timing)."""

from __future__ import annotations

import json
import os
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ecfmg_desk.core.model import ValidationResult
from ecfmg_desk.errors import ReviewMismatchError, TamperedBundleError, UsageError
from ecfmg_desk.packet.bundle import (
    MAX_MEMBERS,
    BundleManifest,
    open_bundle,
    verify_bundle,
    write_bundle,
)
from ecfmg_desk.packet.review import (
    MAX_COMMENT_CHARS,
    MAX_COMMENTS,
    MAX_REVIEW_BYTES,
    make_review,
    read_review,
    write_review,
)
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, Store

FIFTEEN_MB = 15 * 1024 * 1024


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, BundleManifest]:
    store = Store()
    passport = store.document("d-pp", "passport", [samples.make_text_pdf(tmp_path / "p.pdf")])
    diploma = store.document("d-dip", "diploma", [samples.make_png(tmp_path / "d.png")], language="es")
    out = tmp_path / "b.ecfmgpkt"
    manifest = write_bundle(
        out, vault_id="vault-1", profile=PROFILE, documents=(passport, diploma), translation_statuses={},
        validation=ValidationResult(AS_OF), read_file=store.read,
        packet_pdf=samples.make_text_pdf(tmp_path / "packet.pdf"), app_version="1", catalog_cycle="2026",
        created=AS_OF,
    )  # fmt: skip
    return out, manifest


def _huge_manifest(real: bytes) -> bytes:
    """The real manifest with 15 MB of filler in one of its texts: valid JSON that deflates to a few KB."""
    body = json.loads(real)
    body["app_version"] = "x" * FIFTEEN_MB
    return json.dumps(body).encode()


def _with_manifest(src: Path, dst: Path, raw_deflate: bytes, size: int, crc: int) -> Path:
    """Copy the bundle, putting in a manifest member made of ``raw_deflate`` whose headers claim ``size``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename != "manifest.json":
                zout.writestr(info, zin.read(info))
        info = zipfile.ZipInfo("manifest.json", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        placeholder = b"\0" * len(raw_deflate)
        zout.writestr(info, placeholder, compress_type=zipfile.ZIP_STORED)
    # now write the real compressed bytes and sizes into the stored placeholder's headers
    data = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as zf:
        entry = zf.getinfo("manifest.json")
        local = entry.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_len + extra_len
    data[start : start + len(raw_deflate)] = raw_deflate
    struct.pack_into("<HIII", data, local + 8, zipfile.ZIP_DEFLATED, 0, 0, 0)  # method, then time/date reset
    struct.pack_into("<III", data, local + 14, crc, len(raw_deflate), size)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == b"manifest.json":
            struct.pack_into("<H", data, at + 10, zipfile.ZIP_DEFLATED)
            struct.pack_into("<III", data, at + 16, crc, len(raw_deflate), size)
        at = data.find(b"PK\x01\x02", at + 4)
    dst.write_bytes(bytes(data))
    return dst


def _deflate(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def _refused(path: Path) -> str:
    with pytest.raises(TamperedBundleError) as verified:
        verify_bundle(path)
    with pytest.raises(TamperedBundleError):
        open_bundle(path)
    return verified.value.message


def _real_manifest(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("manifest.json")


def test_a_15_mb_manifest_compressed_to_kilobytes_is_refused_unread(
    bundle: tuple[Path, BundleManifest], tmp_path: Path
) -> None:
    path, _ = bundle
    huge = _huge_manifest(_real_manifest(path))
    packed = _deflate(huge)
    assert len(packed) < 40_000 and len(huge) > FIFTEEN_MB  # the 23 KB-compressed 15 MB manifest of the issue
    honest = _with_manifest(path, tmp_path / "honest.ecfmgpkt", packed, len(huge), zlib.crc32(huge))
    assert "manifest is larger than any manifest would be" in _refused(honest)
    # the same zip with the compressed bytes replaced by garbage is refused the same way: not a byte was
    # inflated (inflating garbage would fail with a decompression error instead)
    garbage = _with_manifest(path, tmp_path / "garbage.ecfmgpkt", b"\xff" * len(packed), len(huge), 0)
    assert "manifest is larger than any manifest would be" in _refused(garbage)


def test_a_zip_with_more_members_than_any_bundle_is_refused(bundle: tuple[Path, BundleManifest],
                                                            tmp_path: Path) -> None:
    path, _ = bundle
    crowded = tmp_path / "crowded.ecfmgpkt"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(crowded, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for i in range(MAX_MEMBERS + 1):
            zout.writestr(f"files/{i:064x}.pdf", b"")
    assert "more members than any bundle" in _refused(crowded)


def _reseal(body: dict[str, Any]) -> None:
    import hashlib

    rest = {k: v for k, v in body.items() if k != "manifest_sha256"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    body["manifest_sha256"] = hashlib.sha256(canonical).hexdigest()


@pytest.mark.parametrize(("where", "grow"), [
    ("documents", lambda b: b["documents"].extend([b["documents"][0]] * 600)),
    ("validation.findings", lambda b: b["validation"]["findings"].extend(
        [{"severity": "info", "code": "x", "requirement": "r", "document": None, "message": "m", "fix": "f"}] * 2001)),
])  # fmt: skip
def test_a_manifest_with_too_many_entries_is_refused(bundle: tuple[Path, BundleManifest], tmp_path: Path,
                                                     where: str, grow: Callable[[dict[str, Any]], None]) -> None:
    path, _ = bundle
    body = json.loads(_real_manifest(path))
    grow(body)
    _reseal(body)
    raw = json.dumps(body).encode()
    crowded = _with_manifest(path, tmp_path / "crowded.ecfmgpkt", _deflate(raw), len(raw), zlib.crc32(raw))
    assert f"manifest's {where} is not a list of at most" in _refused(crowded)


# --- reviews --------------------------------------------------------------------------------------------


def _review_body(manifest: BundleManifest, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "ok.json"
    write_review(path, make_review(manifest, {"d-pp": "approved"}, {"d-dip": ["Rescan."]}, "Dr. Ruiz", AS_OF))
    body: dict[str, Any] = json.loads(path.read_text())
    return body


def test_a_38_mb_review_is_refused(bundle: tuple[Path, BundleManifest], tmp_path: Path) -> None:
    body = _review_body(bundle[1], tmp_path)
    body["documents"]["d-dip"]["comments"] = [
        {"author": "Dr. Ruiz", "date": "2026-11-20", "text": "y" * 4000} for _ in range(950)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(body))
    assert 3_700_000 < path.stat().st_size < 4_000_000  # accepted by the reader before this change
    with pytest.raises(ReviewMismatchError, match="larger than 1 MB"):
        read_review(path)


def test_the_review_reader_never_reads_past_its_bound(tmp_path: Path) -> None:
    """A FIFO fed by a writer that counts what was taken: the reader stops at the bound, so the writer is cut
    off (broken pipe) long before the 3.8 MB it had to give."""
    fifo = tmp_path / "review.json"
    os.mkfifo(fifo)
    sent = 0
    total = 3_800_000

    def feed() -> None:
        nonlocal sent
        with fifo.open("wb", buffering=0) as fh:
            chunk = b" " * 4096
            try:
                while sent < total:
                    sent += fh.write(chunk)
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed)
    writer.start()
    with pytest.raises(ReviewMismatchError, match="larger than 1 MB"):
        read_review(fifo)
    writer.join(timeout=30)
    assert not writer.is_alive()
    pipe_buffer = 1024 * 1024  # generous: Linux pipes hold 64 KB by default
    assert MAX_REVIEW_BYTES < sent <= MAX_REVIEW_BYTES + pipe_buffer < total


def _comments(n: int, length: int = 10) -> list[dict[str, str]]:
    return [{"author": "Dr. Ruiz", "date": "2026-11-20", "text": "z" * length} for _ in range(n)]


@pytest.mark.parametrize(("change", "message"), [
    (lambda b: b["documents"]["d-dip"].update(comments=_comments(MAX_COMMENTS + 1)), "more comments"),
    (lambda b: b["documents"]["d-dip"].update(comments=_comments(1, MAX_COMMENT_CHARS + 1)), "not a valid text"),
    (lambda b: b["documents"].update({f"d-{i}": {"decision": None, "comments": _comments(100), "sha256": ""}
                                      for i in range(11)}), "more comments"),
])  # fmt: skip
def test_too_many_or_too_long_comments_are_refused(bundle: tuple[Path, BundleManifest], tmp_path: Path,
                                                   change: Callable[[dict[str, Any]], None], message: str) -> None:
    body = _review_body(bundle[1], tmp_path)
    body["signature"] = None
    change(body)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(body))
    assert path.stat().st_size < MAX_REVIEW_BYTES
    with pytest.raises(ReviewMismatchError, match=message):
        read_review(path)


def test_the_advisor_cannot_write_a_review_beyond_the_bounds(bundle: tuple[Path, BundleManifest]) -> None:
    manifest = bundle[1]
    with pytest.raises(UsageError, match="longer than"):
        make_review(manifest, {}, {"d-pp": ["x" * (MAX_COMMENT_CHARS + 1)]}, "Dr. Ruiz", AS_OF)
    with pytest.raises(UsageError, match="more than"):
        make_review(manifest, {}, {"d-pp": [f"note {i}" for i in range(MAX_COMMENTS + 1)]}, "Dr. Ruiz",
                    date(2026, 11, 20))
