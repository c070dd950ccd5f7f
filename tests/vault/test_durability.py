"""What reaches the disk before a rename: the vault's own files are flushed (fsync) before they replace anything;
files made from the vault (a packet, a bundle, portal files) are not (they can be made again, and flushing a
443 MB packet cost ~0.75 s of an export; issue 14), but they still appear whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecfmg_desk.errors import CancelledError
from ecfmg_desk.packet._output import atomic_output
from ecfmg_desk.vault.blobs import BlobStore
from ecfmg_desk.vault.crypto import CHUNK_BYTES, Cipher


@pytest.fixture
def fsynced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors ``os.fsync`` is called on (the real call still happens)."""
    calls: list[int] = []
    real = os.fsync

    def spy(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return calls


def test_a_blob_is_flushed_with_its_folder_before_it_counts(tmp_path: Path, fsynced: list[int]) -> None:
    store = BlobStore(tmp_path / "blobs", Cipher(os.urandom(32)))
    data = os.urandom(2 * CHUNK_BYTES + 5)
    assert store.put("ab" + "0" * 62, data)
    assert len(fsynced) >= 2, "the blob file and its folder"
    assert store.get("ab" + "0" * 62) == data


def test_an_export_file_is_renamed_into_place_without_a_flush(tmp_path: Path, fsynced: list[int]) -> None:
    out = tmp_path / "out" / "packet.pdf"
    with atomic_output(out, "packet") as fh:
        fh.write(b"%PDF-1.7 first")
        assert not out.exists(), "nothing under the final name while it is written"
    assert out.read_bytes() == b"%PDF-1.7 first"
    assert fsynced == []


def test_an_export_stopped_before_the_rename_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "packet.pdf").write_bytes(b"previous export")
    with pytest.raises(CancelledError), atomic_output(folder / "packet.pdf", "packet") as fh:
        fh.write(b"%PDF-1.7 " + os.urandom(1 << 20))
        raise CancelledError("Export cancelled; no packet was written.")
    with pytest.raises(CancelledError), atomic_output(folder / "new.pdf", "packet") as fh:
        fh.write(b"%PDF-1.7 half")
        raise CancelledError("Export cancelled; no packet was written.")
    assert sorted(p.name for p in folder.iterdir()) == ["packet.pdf"]
    assert (folder / "packet.pdf").read_bytes() == b"previous export"
