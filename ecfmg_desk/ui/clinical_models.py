"""Qt item models for the clinical-experience page: the rotations table (sortable) and each letter column.

Fed from the view's rotations and letters (``core.clinical``), never filled by hand in a widget. Sorting goes
through a proxy with a sort role, so dates sort as dates and weeks as numbers, not as the words shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ecfmg_desk.core.clinical import Rotation
from ecfmg_desk.ui.words import format_date, tr

ROTATION_ROLE = Qt.ItemDataRole.UserRole + 30
"""The rotation id of a row."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 31
DOCUMENT_MIME = "application/x-ecfmg-desk-document"
"""A drag of vault documents (their ids, one per line), e.g. a certificate dragged onto a rotation."""
LETTER_MIME = "application/x-ecfmg-desk-letter"
"""A drag of one letter (its id) across the letters board."""

Index = QModelIndex | QPersistentModelIndex


def kind_word(kind: str) -> str:
    return {
        "clerkship": tr("Clerkship"),
        "elective": tr("Elective"),
        "externship": tr("Externship"),
        "observership": tr("Observership"),
        "research": tr("Research"),
    }.get(kind, kind)


def rotation_status_word(status: str) -> str:
    return {
        "planned": tr("Planned"),
        "applied": tr("Applied"),
        "confirmed": tr("Confirmed"),
        "completed": tr("Completed"),
    }.get(status, status)


def letter_status_word(status: str) -> str:
    return {
        "requested": tr("Requested"),
        "promised": tr("Promised"),
        "uploaded": tr("Uploaded"),
        "assigned": tr("Assigned to programs"),
    }.get(status, status)


def weeks_text(weeks: float) -> str:
    return tr("{n} week").format(n=f"{weeks:g}") if weeks == 1 else tr("{n} weeks").format(n=f"{weeks:g}")


class RotationsModel(QAbstractTableModel):
    """One row per rotation: dates, kind (with hands-on or not), specialty, institution, weeks, status, tasks."""

    COLUMNS = ("dates", "kind", "specialty", "institution", "weeks", "status", "tasks")

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[Rotation] = []

    def set_rotations(self, rotations: Sequence[Rotation]) -> None:
        self.beginResetModel()
        self._rows = list(rotations)
        self.endResetModel()

    def rotation_at(self, row: int) -> Rotation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, rotation_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == rotation_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            "dates": tr("Dates"),
            "kind": tr("Kind"),
            "specialty": tr("Specialty"),
            "institution": tr("Institution"),
            "weeks": tr("Weeks"),
            "status": tr("Status"),
            "tasks": tr("Paperwork"),
        }[self.COLUMNS[section]]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        rotation = self.rotation_at(index.row()) if index.isValid() else None
        if rotation is None:
            return None
        column = self.COLUMNS[index.column()]
        if role == ROTATION_ROLE:
            return rotation.id
        if role == SORT_ROLE:
            return _sort_key(rotation, column)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _display(rotation, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "kind":
            return tr("Hands-on experience") if rotation.hands_on else tr("Not hands-on (programs count it apart)")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "weeks":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDropEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [DOCUMENT_MIME, "text/uri-list"]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        return parent.isValid() and (data.hasFormat(DOCUMENT_MIME) or data.hasUrls())


def _display(rotation: Rotation, column: str) -> str:
    if column == "dates":
        return f"{format_date(rotation.start)} – {format_date(rotation.end)}"
    if column == "kind":
        return kind_word(rotation.kind) + ("" if rotation.hands_on else " " + tr("(not hands-on)"))
    if column == "specialty":
        return rotation.specialty
    if column == "institution":
        return rotation.institution
    if column == "weeks":
        return f"{rotation.weeks:g}"
    if column == "status":
        return rotation_status_word(rotation.status)
    open_tasks = len(rotation.open_tasks)
    if not rotation.tasks:
        return "—"
    if not open_tasks:
        return tr("All done")
    return tr("{n} to do").format(n=open_tasks)


def _sort_key(rotation: Rotation, column: str) -> object:
    if column == "dates":
        return rotation.start.toordinal() * 100_000 + rotation.end.toordinal() % 100_000
    if column == "weeks":
        return rotation.days
    if column == "tasks":
        return len(rotation.open_tasks)
    if column == "status":
        return ("planned", "applied", "confirmed", "completed").index(rotation.status) if rotation.status in (
            "planned", "applied", "confirmed", "completed") else 9
    return _display(rotation, column).casefold()


class RotationsProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` (dates as dates, weeks as numbers)."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.setSortRole(SORT_ROLE)


def due_text(due: date | None) -> str:
    return tr("due {date}").format(date=format_date(due)) if due else ""
