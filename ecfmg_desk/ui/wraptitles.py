"""Checklist titles (and the plan's steps) that wrap instead of being cut ("Final medical school transc…" even at
1920 px wide).

Qt's item views can paint wrapped text (``setWordWrap``) but size every row for one line, because a delegate's
``sizeHint`` is not told the column's width. :class:`WrappingDelegate` asks the view for it, measures the title
wrapped in the space the style gives the text, and the view lays its rows out again whenever the column's width
changes. Category headings stay one line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeView

from ecfmg_desk.ui.widgets import own_viewport

Index = QModelIndex | QPersistentModelIndex
SLACK_PX = 4


class WrappingDelegate(QStyledItemDelegate):
    def __init__(self, view: QTreeView, column: int = 0) -> None:
        super().__init__(view)
        self._view = view
        self.column = column
        """The column whose text wraps (the stretched one: the checklist's titles, the plan's steps)."""

    def text_rect(self, option: QStyleOptionViewItem, index: Index) -> QRect:
        """Where the style draws the text of ``index`` in a row as wide as its column."""
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        left = self._view.indentation() * depth if index.column() == 0 else 0
        width = max(1, self._view.columnWidth(index.column()) - left)
        item.rect = QRect(0, 0, width, max(item.rect.height(), item.fontMetrics.height() + 4))
        style = self._view.style()
        return style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, self._view)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if index.column() != self.column or not index.parent().isValid() or not text \
                or self._view.columnWidth(self.column) <= 0:
            return size
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        rect = self.text_rect(option, index)
        width = max(1, rect.width() - SLACK_PX)  # the painter's own rect is a pixel or two narrower
        needed = item.fontMetrics.boundingRect(QRect(0, 0, width, 10_000),
                                               int(Qt.TextFlag.TextWordWrap), str(text)).height()
        one_line = item.fontMetrics.height()
        return QSize(size.width(), size.height() + max(0, needed - one_line))


class _Relayout(QObject):
    """Lays the rows out again when the view's viewport (and so its stretched title column) changes width: the
    view itself resizing, or its scroll bar coming or going (a short window, 1024×600), which takes the
    same width from every title."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._width = -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._view.viewport().width() != self._width:
            self._width = self._view.viewport().width()
            self._view.scheduleDelayedItemsLayout()
        return False


def wrap_titles(view: QTreeView, column: int = 0) -> WrappingDelegate:
    """Make ``view`` wrap the texts of ``column`` under its headings (rows then differ in height)."""
    view.setWordWrap(True)
    view.setUniformRowHeights(False)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)
    delegate = WrappingDelegate(view, column)
    view.setItemDelegate(delegate)
    own_viewport(view).installEventFilter(_Relayout(view))
    view.header().sectionResized.connect(lambda *_args: view.scheduleDelayedItemsLayout())
    return delegate

