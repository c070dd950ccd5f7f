"""The Plan page: every dated step of the applicant's Match cycle as a timeline grouped by month.

Overdue steps are red and say "Overdue" with an icon (never colour alone, UX.md principle 2), steps due within
30 days are highlighted, done ones are ticked, and dates nobody has published yet come last with where to look.
Each step jumps to the document, requirement, rotation or letter it concerns. "Export to calendar…" writes the
same .ics as ``ecfmg-desk plan --ics``. The plan itself comes from :mod:`ecfmg_desk.packet.planning` (the CLI's
code); this page only shows it.

:class:`PlanBanner` is the dismissible line the window shows on opening a vault when something is overdue or due
soon, as a password manager shows expiring entries on unlock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.plan import Plan, PlanItem
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import heading, icon_button, muted, wrapping
from ecfmg_desk.ui.words import format_date, plural
from ecfmg_desk.ui.wraptitles import wrap_titles

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
"""The :class:`PlanItem` behind a row (month headings hold ``None``)."""

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
OVERDUE_RED = QColor("#b71c1c")
OVERDUE_RED_ON_DARK = QColor("#ff8a80")
DUE_SOON_BACKGROUND = QColor("#fff3c4")
DUE_SOON_TEXT = QColor("#1d1d1d")


def tr(text: str) -> str:
    return QCoreApplication.translate("PlanPage", text)


def overdue_colour() -> QColor:
    """Red that stays readable on the palette's background (a dark theme gets a lighter red)."""
    dark = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return OVERDUE_RED_ON_DARK if dark else OVERDUE_RED


def status_word(status: str) -> str:
    """A plan item's :attr:`~ecfmg_desk.core.plan.PlanItem.shown_status` in words."""
    return {
        "done": tr("Done"),
        "nothing-to-do": tr("Nothing to do"),
        "overdue": tr("Overdue"),
        "due-soon": tr("Due soon"),
        "upcoming": tr("Upcoming"),
        "unknown": tr("Not announced"),
    }.get(status, status)


def status_icon(status: str) -> str:
    return {"done": "ready", "overdue": "error", "due-soon": "attention", "upcoming": "optional"}.get(
        status, "missing"
    )


def how_sure(item: PlanItem) -> str:
    """Where the date comes from, in words (DESIGN.md section 4: never a bracket code)."""
    if item.user_entered:
        return tr("entered by you")
    if item.date is None:
        return tr("check {source}").format(source=item.source) if item.source else tr("not published")
    return {
        "C": tr("confirmed"),
        "C-old": tr("official, older edition"),
        "T": tr("third-party guide"),
        "M": tr("our reading, not confirmed"),
        "?": tr("not confirmed"),
    }[item.confidence]


def month_title(day: date) -> str:
    return f"{tr(_MONTHS[day.month - 1])} {day.year}"


def attention_sentence(plan: Plan) -> str:
    """``1 step overdue and 2 steps due within 30 days. First: … (date).`` (empty when nothing needs attention)."""
    overdue = [i for i in plan.items if i.status == "overdue"]
    soon = [i for i in plan.items if i.status == "due-soon"]
    if not overdue and not soon:
        return ""
    parts = []
    if overdue:
        parts.append(tr("{n} overdue").format(n=plural(len(overdue), tr("step"), tr("steps"))))
    if soon:
        parts.append(tr("{n} due within 30 days").format(n=plural(len(soon), tr("step"), tr("steps"))))
    first = (overdue or soon)[0]
    when = format_date(first.date) if first.date else ""
    return tr("{what}. First: {title} ({when}).").format(what=tr(" and ").join(parts), title=first.title, when=when)


def ref_target(item: PlanItem, documents: Mapping[str, str]) -> str | None:
    """Where a row jumps to: a requirement id, or the clinical-experience page for a rotation or letter."""
    if not item.ref:
        return None
    if "document" in item.ref:
        return documents.get(item.ref["document"])
    if "requirement" in item.ref:
        return item.ref["requirement"]
    if "rotation" in item.ref or "letter" in item.ref:
        return CLINICAL_PAGE
    return None


CLINICAL_PAGE = "clinical"
"""The sidebar key of the clinical-experience page (rotations and letters)."""


def current_plan(view: PacketView, editor: PacketEditor | None) -> Plan:
    """The plan of what the window shows (the same code as ``ecfmg-desk plan``), with the applicant's own dates
    when the window has the vault."""
    from ecfmg_desk.packet.planning import plan_from

    return plan_from(view.catalog, view.profile, view.documents, rotations=view.rotations, letters=view.letters,
                     entered=dict(view.plan_dates()), as_of=view.as_of)


class PlanModel(QStandardItemModel):
    """Month headings with the plan's items under them; unknown dates under "Not announced yet", last."""

    COLUMNS = ("When", "Status", "Step", "Where the date comes from")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])

    def set_plan(self, plan: Plan) -> None:
        self.removeRows(0, self.rowCount())
        group: QStandardItem | None = None
        current: tuple[int, int] | None = None
        for item in plan.items:
            month = (item.date.year, item.date.month) if item.date else None
            if group is None or month != current:
                current = month
                title = month_title(item.date) if item.date else tr("Not announced yet")
                group = QStandardItem(title)
                font = QFont(group.font())
                font.setBold(True)
                group.setFont(font)
                group.setEditable(False)
                group.setAccessibleText(title)
                self.appendRow([group, *(self._blank() for _ in self.COLUMNS[1:])])
            group.appendRow(self._row(item))

    @staticmethod
    def _blank() -> QStandardItem:
        cell = QStandardItem("")
        cell.setEditable(False)
        return cell

    def _row(self, item: PlanItem) -> list[QStandardItem]:
        when = QStandardItem(format_date(item.date) if item.date else "—")
        when.setAccessibleText(format_date(item.date) if item.date else tr("not announced yet"))
        status = QStandardItem(icons.icon(status_icon(item.status)), status_word(item.shown_status))
        step = QStandardItem(item.title)
        step.setToolTip(_tooltip(item))
        source = QStandardItem(how_sure(item))
        source.setToolTip(_escape(item.source or ""))
        cells = [when, status, step, source]
        for cell in cells:
            cell.setEditable(False)
            cell.setData(item, ITEM_ROLE)
            cell.setAccessibleText(
                f"{status_word(item.shown_status)}: {item.title}, "
                + (format_date(item.date) if item.date else tr("not announced yet"))
            )
            if item.status == "overdue":
                cell.setForeground(QBrush(overdue_colour()))
            elif item.status == "due-soon":
                cell.setBackground(QBrush(DUE_SOON_BACKGROUND))
                cell.setForeground(QBrush(DUE_SOON_TEXT))
        if item.status == "overdue":
            font = QFont(status.font())
            font.setBold(True)
            status.setFont(font)
        return cells

    def item_at(self, index: QModelIndex | QPersistentModelIndex) -> PlanItem | None:
        value = index.data(ITEM_ROLE)
        return value if isinstance(value, PlanItem) else None


def _escape(text: str) -> str:
    """Tooltips guess rich text like labels do: plain text only (TECH-NOTES, QLabel and tooltips)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tooltip(item: PlanItem) -> str:
    return _escape(item.detail or item.title)


class PlanPage(QWidget):
    """The timeline. ``editor`` (the student's vault) enables "Export to calendar…"; without one the page only
    shows."""

    navigate = Signal(str)

    def __init__(self, view: PacketView, editor: PacketEditor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.editor = editor
        self.plan: Plan | None = None
        self.setAccessibleName(tr("Plan"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.title = heading(tr("Plan"), 1, self)
        top.addWidget(self.title, 1)
        self.export_button = icon_button("export", tr("Export to calendar…"), self)
        self.export_button.setToolTip(tr("Save every dated step as a calendar file (.ics) with reminders"))
        self.export_button.clicked.connect(self.export_calendar)
        self.export_button.setVisible(editor is not None)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        self.summary = wrapping("", self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName(tr("Plan summary"))
        layout.addWidget(self.summary)

        self.model = PlanModel(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(tr("Plan steps by month"))
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(False)
        self.step_delegate = wrap_titles(self.tree, column=2)  # a step is read whole, never "… due in the LoR …"
        header = self.tree.header()
        header.setStretchLastSection(False)
        metrics = self.tree.fontMetrics()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        widest = max(metrics.horizontalAdvance(format_date(date(2026, month, 28))) for month in range(1, 13))
        header.resizeSection(0, 2 * self.tree.indentation() + widest + 12)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self._source_width = metrics.horizontalAdvance("our reading, not confirmed") + 16
        header.resizeSection(3, self._source_width)
        self.tree.activated.connect(self._activated)
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)
        layout.addWidget(self.tree, 1)

        self.detail = QFrame(self)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(10, 8, 10, 8)
        self.detail_title = wrapping("", self.detail, selectable=True)
        self.detail_title.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.detail_title.font())
        font.setBold(True)
        self.detail_title.setFont(font)
        self.detail_text = wrapping("", self.detail, selectable=True)
        self.detail_text.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_source = muted(wrapping("", self.detail, selectable=True))
        self.detail_source.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.detail_title, 1)
        self.go_button = QPushButton(tr("Open"), self.detail)
        self.go_button.setAccessibleName(tr("Open what this step concerns"))
        self.go_button.clicked.connect(self._go)
        self.enter_button = QPushButton(tr("Enter the date…"), self.detail)
        self.enter_button.setAccessibleName(tr("Enter the date of this step yourself"))
        self.enter_button.setToolTip(tr("For a date not announced yet, or your own appointment"))
        self.enter_button.clicked.connect(self.enter_date)
        row.addWidget(self.enter_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.go_button, 0, Qt.AlignmentFlag.AlignTop)
        detail_layout.addLayout(row)
        detail_layout.addWidget(self.detail_text)
        detail_layout.addWidget(self.detail_source)
        self.detail.setVisible(False)
        layout.addWidget(self.detail)

        self.empty = muted(wrapping(tr("No dated steps yet."), self))
        self.empty.setVisible(False)
        layout.addWidget(self.empty)

        view.changed.connect(self.refresh)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """On a wide screen the sources get room too (a long source is elided, whole in the detail below)."""
        super().resizeEvent(event)
        self.tree.header().resizeSection(3, max(self._source_width, self.tree.viewport().width() * 3 // 10))

    # ------------------------------------------------------------------------------------------ data

    def compute(self) -> Plan:
        return current_plan(self.view, self.editor)

    def refresh(self) -> None:
        selected = self.current_item()
        try:
            self.plan = self.compute()
        except DeskError as exc:  # a damaged stored date: say so instead of showing a wrong plan
            self.plan = None
            self.summary.setText(exc.message)
            self.model.set_plan(Plan(cycle=0, as_of=self.view.as_of))
            return
        plan = self.plan
        self.title.setText(tr("Plan for the {year} Match").format(year=plan.cycle))
        self.title.setAccessibleName(self.title.text())
        sentence = attention_sentence(plan)
        self.summary.setText(
            tr("On {day}: {sentence}").format(day=format_date(plan.as_of), sentence=sentence)
            if sentence
            else tr("On {day} nothing is overdue or due within 30 days.").format(day=format_date(plan.as_of))
        )
        self.model.set_plan(plan)
        for row in range(self.model.rowCount()):  # a month's heading spans the row: it is not a date
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        self.empty.setVisible(not plan.items)
        self.tree.setVisible(bool(plan.items))
        if selected is not None:
            self.select(selected.key)

    # ------------------------------------------------------------------------------------------ rows

    def rows(self) -> list[PlanItem]:
        """The items in the order shown (for tests and screen readers alike)."""
        found: list[PlanItem] = []
        for g in range(self.model.rowCount()):
            group = self.model.item(g, 0)
            for r in range(group.rowCount()):
                item = self.model.item_at(group.child(r, 0).index())
                if item is not None:
                    found.append(item)
        return found

    def group_titles(self) -> list[str]:
        return [self.model.item(g, 0).text() for g in range(self.model.rowCount())]

    def index_of(self, key: str) -> QModelIndex | None:
        for g in range(self.model.rowCount()):
            group = self.model.item(g, 0)
            for r in range(group.rowCount()):
                cell = group.child(r, 0)
                item = self.model.item_at(cell.index())
                if item is not None and item.key == key:
                    return cell.index()
        return None

    def select(self, key: str) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def current_item(self) -> PlanItem | None:
        return self.model.item_at(self.tree.currentIndex())

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_at(current)
        self.detail.setVisible(item is not None)
        if item is None:
            return
        when = format_date(item.date) if item.date else tr("not announced yet")
        self.detail_title.setText(f"{status_word(item.shown_status)} · {when} · {item.title}")
        self.detail_text.setText(item.detail)
        self.detail_text.setVisible(bool(item.detail))
        source = tr("Source: {source}").format(source=item.source) if item.source else ""
        sure = how_sure(item) if item.date is not None else ""
        self.detail_source.setText(" · ".join(part for part in (sure, source) if part))
        target = self._target(item)
        self.enter_button.setVisible(self._can_enter(item))
        self.enter_button.setText(tr("Change your date…") if item.user_entered else tr("Enter the date…"))
        self.go_button.setVisible(target is not None)
        self.go_button.setText(tr("Open rotations and letters") if target == CLINICAL_PAGE else tr("Open"))

    def _target(self, item: PlanItem) -> str | None:
        return ref_target(item, {d.id: d.requirement for d in self.view.documents})

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.item_at(index)
        if item is not None:
            self.open_item(item)

    def _go(self) -> None:
        item = self.current_item()
        if item is not None:
            self.open_item(item)

    def open_item(self, item: PlanItem) -> None:
        """Jump to what the step concerns (a requirement page, or rotations and letters)."""
        target = self._target(item)
        if target is not None:
            self.navigate.emit(target)

    # ------------------------------------------------------------------------------------------ own dates

    def _can_enter(self, item: PlanItem) -> bool:
        from ecfmg_desk.core.plan import can_override, settable_keys

        catalog = self.view.catalog
        return (
            self.editor is not None
            and item.key in settable_keys(catalog)
            and can_override(catalog, item.key)
        )

    def enter_date(self) -> None:
        """Ask for the applicant's own date of the selected step (empty: forget it), store it, redraw."""
        item = self.current_item()
        if item is None or self.editor is None or not self._can_enter(item):
            return
        from ecfmg_desk.packet.planning import enter_dates

        answer = prompts.ask_date(
            self,
            tr("Enter the date"),
            tr("{title}: the date as you write it, or leave it empty to forget yours.").format(title=item.title),
            item.date if item.user_entered else None,
        )
        if answer is None:
            return
        day = answer.value
        try:
            enter_dates(self.editor.vault, self.view.catalog, {item.key: day})
        except DeskError as exc:
            prompts.show_error(self, tr("Enter the date"), exc.message)
            return
        self.refresh()
        self.select(item.key)
        self.view.notice.emit(tr("Saved your date.") if day else tr("Your date was removed."))

    # ------------------------------------------------------------------------------------------ export

    def export_calendar(self) -> None:
        if self.editor is None or self.plan is None:
            return
        suggested = Path.home() / f"ECFMG Desk plan {self.plan.cycle}.ics"
        path = prompts.choose_save_path(self, tr("Export the plan to a calendar file"), suggested,
                                        tr("Calendar files (*.ics)"))
        if path is None:
            return
        if path.suffix.lower() != ".ics":
            path = path.with_name(path.name + ".ics")
        from ecfmg_desk.packet.planning import export_calendar

        try:
            count = export_calendar(self.editor.vault, self.plan, path)
        except DeskError as exc:
            prompts.show_error(self, tr("Export to calendar"), exc.message)
            return
        self.view.notice.emit(
            tr("Saved {n} to {path}. Import it into your calendar; importing again updates it.").format(
                n=plural(count, tr("date"), tr("dates")), path=str(path)
            )
        )


class PlanBanner(QFrame):
    """Shown once on opening a vault: what is overdue or due within 30 days. Dismissible; "Show plan" opens it."""

    show_plan = Signal()

    def __init__(self, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        overdue = any(i.status == "overdue" for i in plan.items)
        self.setStyleSheet(
            "#planBanner { background: %s; border: 1px solid %s; }"
            % (("#fdecea", "#b71c1c") if overdue else ("#fff3c4", "#b58900"))
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        mark = QLabel(self)
        mark.setPixmap(icons.pixmap("error" if overdue else "attention", 18, self.devicePixelRatioF()))
        mark.setAccessibleName(tr("Overdue") if overdue else tr("Due soon"))
        layout.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(attention_sentence(plan), self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setStyleSheet("color: #1d1d1d;")
        self.text.setAccessibleName(self.text.text())
        layout.addWidget(self.text, 1)
        self.show_button = QPushButton(tr("Show plan"), self)
        self.show_button.setAccessibleName(tr("Show plan"))
        self.show_button.clicked.connect(self.show_plan)
        self.show_button.clicked.connect(self.dismiss)
        layout.addWidget(self.show_button)
        self.dismiss_button = QPushButton(tr("Dismiss"), self)
        self.dismiss_button.setAccessibleName(tr("Dismiss the plan reminder"))
        self.dismiss_button.clicked.connect(self.dismiss)
        layout.addWidget(self.dismiss_button)

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


def with_banner(content: QWidget, view: PacketView, editor: PacketEditor | None) -> tuple[QWidget, PlanBanner | None]:
    """``content`` with the plan's banner above it when something is overdue or due soon on opening (else
    ``content`` itself and ``None``)."""
    try:
        plan = current_plan(view, editor)
    except DeskError:
        return content, None  # the Plan page says what is wrong
    if not plan.attention():
        return content, None
    central = QWidget()
    column = QVBoxLayout(central)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    banner = PlanBanner(plan, central)
    column.addWidget(banner)
    column.addWidget(content, 1)
    return central, banner
