"""Fixtures for the core tests: the shipped catalog (read once), its text, the applicant, a correct packet."""

from __future__ import annotations

import pytest

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.resources import DEFAULT_CATALOG, load_default_catalog, resource_path
from tests.core import factories


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="session")
def catalog_text() -> str:
    """The shipped TOML, for tests that parse a modified copy."""
    return resource_path(*DEFAULT_CATALOG).read_text(encoding="utf-8")


@pytest.fixture
def profile() -> Profile:
    return factories.profile()


@pytest.fixture
def packet() -> list[Document]:
    return factories.complete_packet()
