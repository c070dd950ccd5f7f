"""Fixtures for the core tests: the shipped catalog (read once), its text, the applicant, a correct packet."""

from __future__ import annotations

import pytest

from ecfmg_desk.core.catalog import Catalog, parse_catalog
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.resources import BASE_CATALOG, load_catalog, resource_path
from tests.core import factories


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The 2026 cycle, the one the core tests' packets (validated in July 2026) were built for."""
    return load_catalog(2026)


@pytest.fixture(scope="session")
def catalog_text() -> str:
    """The shipped base TOML (what every cycle shares), for tests that parse a modified copy."""
    return resource_path(*BASE_CATALOG).read_text(encoding="utf-8")


def cycle_text(cycle: int = 2026) -> str:
    return resource_path("requirements", f"ecfmg-{cycle}.toml").read_text(encoding="utf-8")


def parse_with_base(base_text: str, cycle: int = 2026, cycle_override: str | None = None) -> Catalog:
    """A catalog from an edited base (and optionally an edited cycle file), as resources would load it."""
    return parse_catalog(
        cycle_override if cycle_override is not None else cycle_text(cycle),
        f"ecfmg-{cycle}.toml",
        base=base_text,
        base_name="ecfmg-base.toml",
    )


@pytest.fixture
def profile() -> Profile:
    return factories.profile()


@pytest.fixture
def packet() -> list[Document]:
    return factories.complete_packet()
