"""Helpers for the packet tests: real files (from tests/samples.py) turned into core Documents.

``FileInfo``/``Page`` are measured here with Pillow and pypdf, as the vault does at import, so these tests do
not depend on the vault's code.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtGui import QGuiApplication

from ecfmg_desk.core.model import Document, FileInfo, FileKind, Finding, Page, Profile, ValidationResult

AS_OF = date(2026, 11, 20)


def measure(name: str, data: bytes) -> FileInfo:
    """A FileInfo for ``data`` (kind from the name's extension), with one Page per page or frame."""
    ext = name.rsplit(".", 1)[-1].lower()
    kinds: dict[str, FileKind] = {
        "pdf": "pdf",
        "jpg": "jpeg",
        "jpeg": "jpeg",
        "png": "png",
        "tif": "tiff",
        "tiff": "tiff",
    }
    kind = kinds[ext]
    pages: list[Page] = []
    if kind == "pdf":
        for page in PdfReader(io.BytesIO(data)).pages:
            box = page.mediabox
            w, h = float(box.width), float(box.height)
            if int(page.rotation) % 180:
                w, h = h, w
            pages.append(Page(None, None, None, w, h, True))
    else:
        im = Image.open(io.BytesIO(data))
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            dpi = im.info.get("dpi")
            x = float(dpi[0]) if dpi else None
            y = float(dpi[1]) if dpi else None
            pw = im.width / x * 72 if x else im.width * 0.75
            ph = im.height / y * 72 if y else im.height * 0.75
            pages.append(Page(im.width, im.height, x, pw, ph, im.mode not in ("L", "1")))
    return FileInfo(name, hashlib.sha256(data).hexdigest(), kind, len(data), tuple(pages))


@dataclass
class Store:
    """File bytes by SHA-256: the stand-in for the vault's decrypted blobs (a real dict, not a mock)."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    reads: int = 0

    def add(self, name: str, data: bytes) -> FileInfo:
        info = measure(name, data)
        self.blobs[info.sha256] = data
        return info

    def add_path(self, path: Path) -> FileInfo:
        return self.add(path.name, path.read_bytes())

    def read(self, info: FileInfo) -> bytes:
        self.reads += 1
        return self.blobs[info.sha256]

    def document(self, doc_id: str, requirement: str, files: list[Path], **fields: object) -> Document:
        infos = tuple(self.add_path(p) for p in files)
        digest = hashlib.sha256("".join(f.sha256 for f in infos).encode()).hexdigest()
        return Document(id=doc_id, requirement=requirement, files=infos, sha256=digest, **fields)  # type: ignore[arg-type]


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def gui_app(qapp: QGuiApplication) -> Iterator[QGuiApplication]:
    """The test process's Qt application (pytest-qt's), so the packet never creates its own in-process."""
    yield qapp


PROFILE = Profile(
    given_names="María José",
    family_name="García López",
    usmle_id="1234-5678",
    medical_school="Universidad Nacional de Colombia",
)

READY = ValidationResult(
    as_of=AS_OF,
    findings=(
        Finding(
            "warning", "too-old", "photo", "d-photo", "Your photograph was taken more than 6 months ago.", "Retake it."
        ),
    ),
)
