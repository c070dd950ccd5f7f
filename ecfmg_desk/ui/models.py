"""Qt item models over the core objects: the checklist (sidebar) and the findings (review page).

Both are fed from ``core.rules`` (``requirement_states`` and the validation result), never filled by hand in a
widget: a view shows the model, the model mirrors the rules. The checklist is updated in place when only the
states change, so the selection and keyboard focus survive every edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Comment, Document, Finding
from ecfmg_desk.core.rules import RequirementState
from ecfmg_desk.ui import icons
from ecfmg_desk.ui.words import (
    decision_icon,
    decision_word,
    document_files_line,
    format_date,
    plain_tooltip,
    severity_icon,
    severity_word,
    state_icon,
    state_word,
)

REQUIREMENT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The requirement id of a row (``None`` on a category row)."""
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The requirement's state: ready, problems, missing, optional, not-needed."""
FINDING_ROLE = Qt.ItemDataRole.UserRole + 3
"""On the review page: the :class:`Finding` of a row."""
DOCUMENT_ROLE = Qt.ItemDataRole.UserRole + 4
"""In review mode's summary: the document id of a row."""
DECISION_ROLE = Qt.ItemDataRole.UserRole + 5

NOT_NEEDED_GROUP = "not-needed"

Index = QModelIndex | QPersistentModelIndex


def _header_item(text: str, group: str) -> QStandardItem:
    item = QStandardItem(text.upper())
    font = QFont(item.font())
    font.setBold(True)
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85) if font.pointSizeF() > 0 else 8.0)
    item.setFont(font)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    item.setData(None, REQUIREMENT_ROLE)
    item.setData(group, STATE_ROLE)
    item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
    return item


class ChecklistModel(QStandardItemModel):
    """Categories, each with its requirements (icon + title, and the status word in column 1).

    Requirements that are "not needed" for this applicant (e.g. name verification while every name matches)
    are gathered in a last "Not needed" group that the view keeps collapsed.
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(0, 2)
        self.catalog = catalog
        self._layout: tuple[tuple[str, str], ...] = ()
        self._rows: dict[str, tuple[QStandardItem, QStandardItem]] = {}

    def update_states(self, states: Mapping[str, RequirementState]) -> bool:
        """Show ``states``; returns True when rows moved (the view must restore selection/expansion)."""
        layout = tuple(
            (NOT_NEEDED_GROUP if states.get(r.id) and states[r.id].state == "not-needed" else r.category, r.id)
            for r in self.catalog.requirements
        )
        rebuilt = layout != self._layout
        if rebuilt:
            self._rebuild(layout)
        for requirement in self.catalog.requirements:
            found = states.get(requirement.id)
            self._set_state(requirement.id, found.state if found else "missing")
        return rebuilt

    def _rebuild(self, layout: tuple[tuple[str, str], ...]) -> None:
        self.beginResetModel()
        self.blockSignals(True)
        self.removeRows(0, self.rowCount())
        self._rows.clear()
        groups = [*(cid for cid, _title in self.catalog.categories), NOT_NEEDED_GROUP]
        titles = dict(self.catalog.categories)
        titles[NOT_NEEDED_GROUP] = self.tr("Not needed for you")
        for group in groups:
            members = [rid for g, rid in layout if g == group]
            if not members:
                continue
            header = _header_item(titles[group], group)
            spacer = QStandardItem()
            spacer.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for rid in members:
                requirement = self.catalog[rid]
                title = QStandardItem(requirement.title)
                title.setData(rid, REQUIREMENT_ROLE)
                title.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                word = QStandardItem()
                word.setData(rid, REQUIREMENT_ROLE)
                word.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                word.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                header.appendRow([title, word])
                self._rows[rid] = (title, word)
            self.appendRow([header, spacer])
        self._layout = layout
        self.blockSignals(False)
        self.endResetModel()

    def _set_state(self, requirement_id: str, state: str) -> None:
        title, word = self._rows[requirement_id]
        if title.data(STATE_ROLE) == state:
            return
        text = state_word(state)
        for item in (title, word):
            item.setData(state, STATE_ROLE)
            item.setData(f"{title.text()}: {text}", Qt.ItemDataRole.AccessibleTextRole)
            item.setToolTip(plain_tooltip(f"{title.text()}: {text}"))
        title.setIcon(icons.icon(state_icon(state)))
        word.setText(text)

    # -- lookups for the view --------------------------------------------------------------------------

    def index_of(self, requirement_id: str) -> QModelIndex:
        found = self._rows.get(requirement_id)
        return found[0].index() if found else QModelIndex()

    @staticmethod
    def requirement_at(index: Index) -> str | None:
        if not index.isValid():
            return None
        value = index.sibling(index.row(), 0).data(REQUIREMENT_ROLE)
        return value if isinstance(value, str) else None

    def state_of(self, requirement_id: str) -> str | None:
        found = self._rows.get(requirement_id)
        value = found[0].data(STATE_ROLE) if found else None
        return value if isinstance(value, str) else None

    def visible_text(self, requirement_id: str) -> str:
        """What a sighted user reads on the row: "Passport  Ready"."""
        found = self._rows.get(requirement_id)
        return f"{found[0].text()}  {found[1].text()}" if found else ""


class FindingsModel(QStandardItemModel):
    """Every finding of the packet, grouped by requirement in checklist order (the review page)."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(0, 1)
        self.catalog = catalog

    def update(self, findings: Sequence[Finding], states: Mapping[str, RequirementState]) -> None:
        self.beginResetModel()
        self.blockSignals(True)
        self.removeRows(0, self.rowCount())
        by_requirement: dict[str, list[Finding]] = {}
        for finding in findings:
            by_requirement.setdefault(finding.requirement, []).append(finding)
        order = [r.id for r in self.catalog.requirements]
        order += [rid for rid in by_requirement if rid not in order]
        for rid in order:
            items = by_requirement.get(rid)
            if not items:
                continue
            requirement = self.catalog.get(rid)
            title = requirement.title if requirement else rid
            found = states.get(rid)
            state = found.state if found else "problems"
            group = QStandardItem(icons.icon(state_icon(state)), f"{title} — {state_word(state)}")
            font = QFont(group.font())
            font.setBold(True)
            group.setFont(font)
            group.setData(rid, REQUIREMENT_ROLE)
            group.setData(state, STATE_ROLE)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            group.setData(f"{title}: {state_word(state)}", Qt.ItemDataRole.AccessibleTextRole)
            for finding in items:
                word = severity_word(finding.severity)
                text = f"{word}: {finding.message}\n→ {finding.fix}"
                row = QStandardItem(icons.icon(severity_icon(finding.severity)), text)
                row.setData(rid, REQUIREMENT_ROLE)
                row.setData(finding, FINDING_ROLE)
                row.setData(text, Qt.ItemDataRole.AccessibleTextRole)
                row.setToolTip(plain_tooltip(text))
                row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                group.appendRow(row)
            self.appendRow(group)
        self.blockSignals(False)
        self.endResetModel()


class ReviewSummaryModel(QStandardItemModel):
    """Review mode: every document of the bundle in checklist order, with the advisor's decision and comments."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(0, 1)
        self.catalog = catalog

    def update(self, documents: Sequence[Document], title_of: Callable[[Document], str],
               decision_of: Callable[[str], str | None], comments_of: Callable[[str], list[Comment]]) -> None:
        self.beginResetModel()
        self.blockSignals(True)
        self.removeRows(0, self.rowCount())
        order = {r.id: i for i, r in enumerate(self.catalog.requirements)}
        by_id = {d.id: d for d in documents}

        def key(doc: Document) -> tuple[int, int, str]:
            original = by_id.get(doc.translation_of or "") if doc.translation_of else None
            anchor = original or doc
            return (order.get(anchor.requirement, len(order)), 1 if original else 0, anchor.id)

        for doc in sorted(documents, key=key):
            decision = decision_of(doc.id)
            title = title_of(doc)
            text = f"{title} ({document_files_line(doc)}) — {decision_word(decision)}"
            row = QStandardItem(icons.icon(decision_icon(decision)), text)
            row.setData(doc.id, DOCUMENT_ROLE)
            row.setData(doc.requirement if not doc.translation_of else "translation", REQUIREMENT_ROLE)
            row.setData(decision, DECISION_ROLE)
            row.setData(text, Qt.ItemDataRole.AccessibleTextRole)
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            for comment in comments_of(doc.id):
                line = f"{comment.author} · {format_date(comment.date)}: {comment.text}"
                child = QStandardItem(line)
                child.setData(doc.id, DOCUMENT_ROLE)
                child.setData(row.data(REQUIREMENT_ROLE), REQUIREMENT_ROLE)
                child.setData(line, Qt.ItemDataRole.AccessibleTextRole)
                child.setToolTip(plain_tooltip(comment.text))
                child.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                row.appendRow(child)
            self.appendRow(row)
        self.blockSignals(False)
        self.endResetModel()

    def texts(self) -> list[str]:
        lines: list[str] = []
        for r in range(self.rowCount()):
            item = self.item(r)
            lines.append(item.text())
            lines.extend(item.child(i).text() for i in range(item.rowCount()))
        return lines
