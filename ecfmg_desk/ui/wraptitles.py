"""Checklist titles (and the plan's steps) that wrap instead of being cut ("Final medical school transc…" even at
1920 px wide).

Qt's item views can paint wrapped text (``setWordWrap``) but size every row for one line, because a delegate's
``sizeHint`` is not told the column's width. :class:`WrappingDelegate` asks the view for it, measures the title
wrapped in the space the style gives the text, and the view lays its rows out again whenever the column's width
changes. Category headings stay one line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QTreeView

from ecfmg_desk.ui.widgets import own_viewport

Index = QModelIndex | QPersistentModelIndex


class WrappingDelegate(QStyledItemDelegate):
    def __init__(self, view: QTreeView, column: int = 0) -> None:
        super().__init__(view)
        self._view = view
        self.column = column
        """The column whose text wraps (the stretched one: the checklist's titles, the plan's steps)."""

    def cell_width(self, index: Index) -> int:
        """The width of ``index``'s cell: its column, less the tree's indentation in the first column (one step
        more when the top level has its own branch marks, as Qt lays the row out)."""
        depth = 1 if self._view.rootIsDecorated() else 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        left = self._view.indentation() * depth if index.column() == 0 else 0
        return max(1, self._view.columnWidth(index.column()) - left)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Qt's own size of the item, measured in the cell's real width.

        The style wraps the text when the option carries the cell's rectangle, with the same margins and line
        breaks it paints with; an estimate of those (a few pixels of slack) left some rows a line short, their
        last line cut to "…"."""
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if index.column() != self.column or not index.parent().isValid() or not text \
                or self._view.columnWidth(self.column) <= 0:
            return super().sizeHint(option, index)
        item = QStyleOptionViewItem(option)
        item.rect = QRect(0, 0, self.cell_width(index), max(1, option.rect.height()))
        return super().sizeHint(item, index)


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

