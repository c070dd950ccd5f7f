"""Strict JSON for files that come from someone else (bundle manifests, review files)."""

from __future__ import annotations

import json
from typing import Any


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def strict_loads(raw: bytes) -> Any:
    """``json.loads`` that refuses duplicate keys (two readers could disagree on which one wins) and
    NaN/Infinity (not JSON). Raises ``ValueError`` (``UnicodeDecodeError`` and ``JSONDecodeError`` included)."""
    return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
