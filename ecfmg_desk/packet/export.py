"""Export of an open vault: the gate, the packet PDF and the advisor bundle, for the CLI and the GUI alike."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ecfmg_desk import __version__
from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import TRANSLATION_REQUIREMENT, Document, translation_status, translations_of
from ecfmg_desk.core.rules import superseded_documents
from ecfmg_desk.errors import UsageError
from ecfmg_desk.packet.assemble import Paper, Section, assemble_packet, ensure_exportable
from ecfmg_desk.packet.clinical import clinical_summary_sheet
from ecfmg_desk.packet.planning import vault_plan
from ecfmg_desk.vault.store import Vault
from ecfmg_desk.vault.validation import validate_vault


@dataclass(frozen=True)
class ExportSummary:
    packet: Path
    pages: int
    bundle: Path | None
    warnings: tuple[str, ...]
    bundle_key: str | None = None
    """The fingerprint of the key the bundle is signed with (the advisor's app shows and remembers it)."""


def sections_for(catalog: Catalog, documents: list[Document]) -> list[Section]:
    """Requirements in catalog order; in each, every original followed by its translations. A superseded
    document (an old passport kept beside the current one) stays out of the packet."""
    superseded = superseded_documents(catalog, documents)
    sections = []
    for requirement in catalog.requirements:
        if requirement.id == TRANSLATION_REQUIREMENT:
            continue
        ordered: list[Document] = []
        for doc in documents:
            if doc.requirement == requirement.id and not doc.is_translation and doc.id not in superseded:
                ordered.append(doc)
                ordered.extend(translations_of(doc, documents))
        if ordered:
            sections.append(Section(requirement_id=requirement.id, title=requirement.title, documents=tuple(ordered)))
    return sections


def export_vault(
    vault: Vault,
    catalog: Catalog,
    *,
    out: Path,
    bundle: Path | None = None,
    as_of: date,
    password: str | None = None,
    paper: Paper = "letter",
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ExportSummary:
    """Refuse (ExportBlockedError, exit 1, nothing written) while validation finds errors; else write."""
    out, bundle = Path(out), Path(bundle) if bundle else None
    if bundle is not None and bundle.resolve() == out.resolve():
        raise UsageError("The bundle and the packet PDF must be different files.")
    validation = validate_vault(vault, catalog, as_of)
    ensure_exportable(validation)
    documents = vault.documents()
    profile = vault.profile()
    rotations, letters = vault.clinical.rotations(), vault.clinical.letters()
    schedule = vault_plan(vault, as_of, catalog=catalog).plan
    sections = sections_for(catalog, documents)
    files = [file for section in sections for doc in section.documents for file in doc.files]  # the packet's order
    with vault.page_reader(files) as read_pages:
        info = assemble_packet(
            out, sections=sections, profile=profile, validation=validation,
            read_file=vault.read_file, as_of=as_of, app_version=__version__, catalog_cycle=str(catalog.cycle),
            paper=paper, password=password, progress=progress, cancel=cancel, read_pages=read_pages,
            extra_sheets=(clinical_summary_sheet(rotations, letters),) if rotations else (),
            schedule=schedule,
        )
    bundle_key = None
    if bundle is not None:
        from ecfmg_desk.packet.bundle import write_bundle  # with its signing: only when a bundle is asked for
        from ecfmg_desk.vault.signing import vault_signing_key

        try:
            if cancel and cancel():
                from ecfmg_desk.errors import CancelledError

                raise CancelledError("Export cancelled; nothing was written.")
            manifest = write_bundle(
                bundle, signing_key=vault_signing_key(vault), vault_id=vault.id, profile=profile, documents=documents,
                translation_statuses={d.id: translation_status(d, documents) for d in documents},
                validation=validation, read_file=vault.read_file, packet_pdf=info.path, app_version=__version__,
                catalog_cycle=str(catalog.cycle), created=as_of, rotations=rotations, letters=letters,
                schedule=schedule,
            )
            bundle_key = manifest.signer.fingerprint if manifest.signer else None
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                out.unlink()  # all or nothing: no packet without the bundle that was asked for
            raise
    return ExportSummary(
        packet=info.path, pages=info.page_count, bundle=bundle,
        warnings=tuple(f.message for f in validation.warnings), bundle_key=bundle_key,
    )
