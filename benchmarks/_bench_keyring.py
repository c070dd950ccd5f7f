"""A keyring backend for benchmarks only: secrets in a JSON file named by ``BENCH_KEYRING_FILE``.

Start-up is timed as a user with a working keyring sees it (the vault key comes from the keyring, no scrypt);
a headless benchmark machine has no Secret Service, and a passphrase would add ~0.1-0.4 s of scrypt that no
keyring user waits for. Selected in the child process with ``PYTHON_KEYRING_BACKEND=_bench_keyring.FileKeyring``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["BENCH_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.is_file() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}\0{username}"] = password
        self._path().write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        entries.pop(f"{service}\0{username}", None)
        self._path().write_text(json.dumps(entries))
