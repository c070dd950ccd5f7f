"""Large blobs are sealed and opened a chunk at a time (so a worker decrypting a scan hands the interpreter back
to the window between chunks; how long the window waited is measured in benchmarks/bench_responsiveness.py).
The chunked form is the same AES-GCM: blobs written before it still open, and tampering is still refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ecfmg_desk.vault.blobs import BlobDamaged, BlobMissing, BlobStore, ReadBuffers
from ecfmg_desk.vault.crypto import CHUNK_BYTES, NONCE_BYTES, Cipher, DecryptionFailed

SCAN = os.urandom(24 * CHUNK_BYTES + 123)
KEY = os.urandom(32)


def test_the_chunked_form_is_plain_aes_gcm_both_ways() -> None:
    cipher = Cipher(KEY)
    sealed = cipher.encrypt(SCAN, b"aad")
    assert AESGCM(KEY).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], b"aad") == SCAN
    nonce = os.urandom(NONCE_BYTES)
    old = nonce + AESGCM(KEY).encrypt(nonce, SCAN, b"aad")  # a blob written by an earlier version
    assert cipher.decrypt(old, b"aad") == SCAN
    assert cipher.decrypt(memoryview(old), b"aad") == SCAN


@pytest.mark.parametrize("where", [NONCE_BYTES + 5, NONCE_BYTES + 7 * CHUNK_BYTES, -3])
def test_a_changed_byte_anywhere_is_refused(where: int) -> None:
    cipher = Cipher(KEY)
    sealed = bytearray(cipher.encrypt(SCAN, b"aad"))
    sealed[where] ^= 1
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(bytes(sealed), b"aad")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(cipher.encrypt(SCAN, b"aad"), b"other place")



def test_messages_open_one_after_another_into_one_buffer() -> None:
    """``decrypt_into`` (the export's reader) gives what ``decrypt`` gives, into a buffer reused from one message
    to the next whatever their sizes: many chunks, a chunk boundary, small, empty, then large again; blobs of
    either form."""
    cipher = Cipher(KEY)
    buffer = bytearray()
    nonce = os.urandom(NONCE_BYTES)
    old = nonce + AESGCM(KEY).encrypt(nonce, SCAN[:-7], b"aad")  # one-shot form, as earlier versions wrote
    for plain in (SCAN, SCAN[: 3 * CHUNK_BYTES], SCAN[100:200], b"", SCAN[:-7]):
        sealed = old if len(plain) == len(SCAN) - 7 else cipher.encrypt(plain, b"aad")
        with cipher.decrypt_into(memoryview(sealed), b"aad", buffer) as opened:
            assert opened == plain
        assert cipher.decrypt(sealed, b"aad") == plain
    assert len(buffer) < len(SCAN) + 16, "grown to the largest message once, not per message"


@pytest.mark.parametrize("where", [NONCE_BYTES + 5, NONCE_BYTES + 7 * CHUNK_BYTES + 9, -3, 2])
def test_a_tampered_chunk_is_refused_by_the_buffer_form_too(where: int) -> None:
    cipher = Cipher(KEY)
    sealed = bytearray(cipher.encrypt(SCAN, b"aad"))
    sealed[where] ^= 1
    buffer = bytearray()
    with pytest.raises(DecryptionFailed):
        cipher.decrypt_into(sealed, b"aad", buffer)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt_into(cipher.encrypt(SCAN, b"aad"), b"other place", buffer)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt_into(cipher.encrypt(SCAN, b"aad")[:-1], b"aad", buffer)  # cut short


def test_blobs_read_one_after_another_into_the_same_buffers(tmp_path: Path) -> None:
    """The export's reader (``get_into``): each blob as ``get`` gives it, whatever came before; a missing,
    cut, foreign or tampered blob is refused as ``get`` refuses it."""
    store = BlobStore(tmp_path / "blobs", Cipher(KEY))
    sizes = (len(SCAN), 10, 3 * CHUNK_BYTES, 0, len(SCAN) - 1)
    names = [f"{i:02d}" + "a" * 62 for i in range(len(sizes))]
    for name, size in zip(names, sizes, strict=True):
        store.put(name, SCAN[:size])
    buffers = ReadBuffers()
    for name, size in zip(names, sizes, strict=True):
        with store.get_into(name, buffers) as data:
            assert data == SCAN[:size] == store.get(name)
    with pytest.raises(BlobMissing):
        store.get_into("ff" + "a" * 62, buffers)
    path = store.root / names[0][:2] / names[0]
    sealed = path.read_bytes()
    flipped = sealed[:99] + bytes([sealed[99] ^ 1]) + sealed[100:]
    for damaged in (sealed[:-1], sealed[:3], b"XXXX" + sealed[4:], flipped):
        path.write_bytes(damaged)
        with pytest.raises(BlobDamaged):
            store.get(names[0])
        with pytest.raises(BlobDamaged):
            store.get_into(names[0], buffers)
