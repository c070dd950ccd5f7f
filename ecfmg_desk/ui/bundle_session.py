"""Review mode: a student's bundle, opened read-only, as the same kind of session the window already shows.

:class:`BundleSession` is a :class:`~ecfmg_desk.ui.view.PacketView`, the vault session's sibling: its documents,
profile and findings come from the verified bundle's manifest (the findings *as exported*, not re-validated) and
its pages from the bundle's files. It has no write methods at all: the advisor's decisions and comments live in
its :class:`~ecfmg_desk.ui.reviewing.ReviewDraft` until :meth:`BundleSession.save_review` writes REVIEW.json.

Imported only when a bundle is opened (the packet code is not needed to start the app).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Document, FileInfo, Profile, ValidationResult
from ecfmg_desk.core.rules import RequirementState, StateName, for_reviewer, requirement_states
from ecfmg_desk.packet.bundle import OpenedBundle
from ecfmg_desk.packet.review import make_review, write_review
from ecfmg_desk.ui.reviewing import ReviewDraft
from ecfmg_desk.ui.view import ViewCore
from ecfmg_desk.ui.words import file_name
from ecfmg_desk.vault.student_keys import BundleTrust

THUMBNAIL_PX = 256


def exported_states(catalog: Catalog, profile: Profile, documents: Sequence[Document],
                    result: ValidationResult) -> dict[str, RequirementState]:
    """The checklist as the student saw it at export.

    The bundle carries only part of the profile (not the clinical-skills route or transferred credits), so a
    conditional item cannot be re-evaluated here; whether an empty item was needed is read from the exported
    findings instead: it was needed exactly when the student's validation reported it ``missing``.
    """
    states = requirement_states(catalog, profile, documents, result)
    missing = {f.requirement for f in result.findings if f.code == "missing"}
    fixed: dict[str, RequirementState] = {}
    for rid, state in states.items():
        requirement = catalog.get(rid)
        if state.documents == 0 and state.state in ("missing", "not-needed", "optional") and requirement \
                and rid != "translation":
            if rid in missing:
                state = replace(state, state="missing", required=True)
            else:
                word: StateName = "optional" if requirement.required is False else "not-needed"
                state = replace(state, state=word, required=False)
        fixed[rid] = state
    return fixed


class BundleSession(ViewCore):
    """A student's verified bundle, read-only, with the advisor's review draft (the window's review mode)."""

    def __init__(self, bundle: OpenedBundle, path: Path, catalog: Catalog, *, today: date | None = None,
                 reviewer: str = "", trust: BundleTrust | None = None, parent: QObject | None = None) -> None:
        QObject.__init__(self, parent)
        self.bundle = bundle
        self.trust = trust
        """What this computer knows of the student's key (None: not judged, e.g. a test's bundle)."""
        self.bundle_path = Path(path)
        self.manifest = bundle.manifest
        self.today = today or date.today()
        self.draft = ReviewDraft(reviewer, self.today, self, student=self.manifest.applicant.name_of_record,
                                 exported=self.manifest.created)
        self.signed_with: str | None = None
        """The fingerprint of the advisor's key the last saved review was signed with (None: unsigned)."""
        self.unsigned_because = ""
        self._init_state(catalog, bundle.validation.as_of)
        self.reload()

    # -- what the window shows ------------------------------------------------------------------------

    @property
    def student(self) -> str:
        return self.manifest.applicant.name_of_record

    @property
    def exported(self) -> date:
        return self.manifest.created

    def reload(self) -> None:
        documents = list(self.manifest.documents)
        self.documents = documents
        self.profile = self.manifest.applicant.to_profile()
        self.rotations = list(self.manifest.rotations)
        self.letters = list(self.manifest.letters)
        exported = self.manifest.validation  # worded for the advisor (the student's questions are theirs)
        self.result = replace(exported, findings=tuple(for_reviewer(f) for f in exported.findings))
        self.states = exported_states(self.catalog, self.profile, documents, self.result)
        self.changed.emit()

    def _file_reader(self) -> Callable[[FileInfo], bytes]:
        return self.bundle.file_bytes

    def _thumbnail_reader(self) -> Callable[[FileInfo], bytes | None]:
        bundle = self.bundle

        def thumbnail(info: FileInfo) -> bytes | None:
            from ecfmg_desk.vault.inspect import render_page

            return render_page(bundle.file_bytes(info), info.kind, 0, THUMBNAIL_PX)

        return thumbnail

    def close(self) -> None:
        self.bundle.close()

    # -- the review -------------------------------------------------------------------------------------

    @property
    def saved_to(self) -> Path | None:
        """Where the review was last saved (``None``: not yet)."""
        return self.draft.saved_to

    def document_ids(self) -> list[str]:
        return [d.id for d in self.documents]

    def suggested_review_path(self) -> Path:
        name = file_name(f"{self.student or 'Student'} - review {self.draft.today.isoformat()}") + ".json"
        return self.bundle_path.parent / name

    def save_review(self, path: Path) -> None:
        """Write REVIEW.json (``DeskError`` when it cannot be written; nothing is then marked saved)."""
        from ecfmg_desk.vault.advisor_key import signing_key_or_reason
        from ecfmg_desk.vault.keys import passphrase_from_env

        review = make_review(self.manifest, self.draft.decisions, self.draft.comment_texts, self.draft.reviewer,
                             self.draft.today)
        key, self.unsigned_because = signing_key_or_reason(passphrase_from_env())
        write_review(path, review, key.private if key else None)
        self.signed_with = key.signer.fingerprint if key else None
        self.draft.mark_saved(Path(path))
