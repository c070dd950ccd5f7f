"""Live validation budget (DESIGN.md section 5): validate() on 40 documents must take well under 20 ms.

Builds a realistic full packet (Spanish credentials with translations, transfer transcripts, letters, clinical
experience) with a few problems in it, so that name comparison and message building run too, then prints the
median of many runs. Run: ``.venv/bin/python benchmarks/bench_validate.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecfmg_desk.core.model import Document, FileInfo, Page, Profile
from ecfmg_desk.core.names import compare_names
from ecfmg_desk.core.rules import requirement_states, validate
from ecfmg_desk.resources import load_default_catalog

RUNS = 200
BUDGET_MS = 20.0
AS_OF = date(2026, 7, 15)
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def _page(dpi: float | None = 300, color: bool = True, size: tuple[float, float] = A4) -> Page:
    px = (round(size[0] / 72 * dpi), round(size[1] / 72 * dpi)) if dpi else (None, None)
    return Page(width_px=px[0], height_px=px[1], dpi=dpi, width_pt=size[0], height_pt=size[1], color=color)


def _doc(
    doc_id: str,
    requirement: str,
    pages: int = 1,
    size: int = 900_000,
    page_size: tuple[float, float] = A4,
    **fields: object,
) -> Document:
    info = FileInfo(
        f"{doc_id}.pdf",
        f"{doc_id:0>64}"[-64:],
        "pdf",
        size,
        tuple(_page(size=page_size) for _ in range(pages)),
    )
    return Document(id=doc_id, requirement=requirement, files=(info,)).with_changes(**fields)


def packet() -> tuple[Profile, list[Document]]:
    """A 40-document packet of Maria Jose Garcia Lopez, with a few realistic problems."""
    profile = Profile(given_names="Maria Jose", family_name="Garcia Lopez", transferred_credits=True)
    name = profile.name_of_record
    docs = [
        _doc("passport", "passport", expires=date(2026, 10, 1), name_on_document=name.upper()),
        _doc("photo", "photo", issued=date(2025, 11, 2)),
        _doc("idform", "identity-form", 2, issued=date(2026, 2, 10)),
        _doc(
            "diploma",
            "medical-diploma",
            2,
            issued=date(2022, 7, 15),
            language="es",
            name_on_document="M. J. Garcia",
        ),
        _doc(
            "diploma-en",
            "translation",
            2,
            translation_of="diploma",
            translator="Straker Translations",
            translator_kind="professional",
            issued=date(2023, 1, 10),
        ),
        _doc(
            "transcript",
            "final-transcript",
            6,
            issued=date(2022, 7, 20),
            language="es",
            name_on_document=name,
        ),
        _doc(
            "transcript-en",
            "translation",
            5,
            translation_of="transcript",
            translator="A. Perez",
            translator_kind="professional",
            issued=date(2023, 1, 12),
        ),
        _doc("verify", "name-verification", language="es", name_on_document="M. J. Garcia"),
        _doc(
            "verify-en",
            "translation",
            translation_of="verify",
            translator="Consulado",
            translator_kind="government",
        ),
        _doc("step1", "usmle-step1", issued=date(2023, 6, 1), language="en"),
        _doc("step2ck", "usmle-step2ck", issued=date(2024, 3, 8), language="en"),
        _doc("oet", "oet-medicine", issued=date(2023, 11, 8), language="en", name_on_document=name),
        _doc("pathway", "pathway-evidence", issued=date(2025, 10, 1), language="en"),
        _doc("mspe", "mspe", 4, language="en", name_on_document="Maria José García López"),
        _doc("eras-photo", "eras-photo", size=140_000),
    ]
    for i in range(3):
        docs.append(_doc(f"transfer-{i}", "transfer-transcript", 3, language="pt", name_on_document=name))
        docs.append(
            _doc(
                f"transfer-{i}-en",
                "translation",
                2,
                translation_of=f"transfer-{i}",
                translator="Lingua",
                translator_kind="self" if i == 0 else "professional",
            )
        )
    for i in range(9):
        docs.append(
            _doc(
                f"lor-{i}",
                "recommendation-letter",
                2,
                size=1_500_000 if i == 3 else 300_000,
                page_size=LETTER,
                issued=date(2026, 5, i + 1),
                language="en",
            )
        )
    for i in range(10):
        docs.append(_doc(f"usce-{i}", "clinical-experience", issued=date(2025, i + 1, 1), language="en"))
    assert len(docs) == 40, len(docs)
    return profile, docs


def main() -> int:
    catalog = load_default_catalog()
    profile, docs = packet()
    result = validate(catalog, profile, docs, AS_OF)  # warm-up
    alone: list[float] = []
    with_states: list[float] = []
    cold: list[float] = []
    for _ in range(RUNS):
        compare_names.cache_clear()
        start = time.perf_counter()
        validate(catalog, profile, docs, AS_OF)
        cold.append((time.perf_counter() - start) * 1000)
    for _ in range(RUNS):
        start = time.perf_counter()
        result = validate(catalog, profile, docs, AS_OF)
        middle = time.perf_counter()
        requirement_states(catalog, profile, docs, result)
        end = time.perf_counter()
        alone.append((middle - start) * 1000)
        with_states.append((end - start) * 1000)
    print(f"{len(docs)} documents, {len(result.findings)} findings, {RUNS} runs, budget {BUDGET_MS:.0f} ms")
    rows = (
        ("validate, first run (no cached names)", cold),
        ("validate", alone),
        ("validate + requirement_states", with_states),
    )
    for what, timings in rows:
        median = statistics.median(timings)
        print(f"  {what:<40} median {median:6.2f} ms  ({median / BUDGET_MS:.1%} of the budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
