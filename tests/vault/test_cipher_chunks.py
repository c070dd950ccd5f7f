"""Large blobs are sealed and opened a chunk at a time (so a worker decrypting a scan hands the interpreter back
to the window between chunks; how long the window waited is measured in benchmarks/bench_responsiveness.py).
The chunked form is the same AES-GCM: blobs written before it still open, and tampering is still refused."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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
