"""Wrapped titles: at every column width, each row is as tall as Qt's style needs to paint its text whole.

A row one line short has its last line cut to "…" by the style ("Identity form must reach …" on the Plan page
at 1024×600): the measure must be the painter's, to the pixel."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTreeView
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.wraptitles import wrap_titles
from tests.ui.conftest import painted_text_height

TITLES = [
    "Identity form must reach ECFMG",
    "Final medical school transcript",
    "Letter from Dr. Ellen Park (example) due in the LoR Portal",
    "Photograph no longer recent",
    "Passport",
]


@pytest.mark.parametrize("column", [0, 1], ids=["first column (indented)", "second column"])
def test_no_row_is_cut_at_any_column_width(qtbot: QtBot, column: int) -> None:
    model = QStandardItemModel()
    heading = QStandardItem("HEADING")
    model.appendRow([heading, QStandardItem(""), QStandardItem("")])
    for title in TITLES:  # a third column: the one under test is not the stretched last one
        cells = [QStandardItem(""), QStandardItem(""), QStandardItem("confirmed")]
        cells[column].setText(title)
        heading.appendRow(cells)
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    wrap_titles(view, column)
    view.resize(700, 600)
    view.show()
    view.expandAll()
    one_line = view.fontMetrics().height()
    wrapped = cut = 0
    parent = model.index(0, 0)
    for width in range(90, 330):
        view.setColumnWidth(column, width)
        view.doItemsLayout()
        QApplication.processEvents()
        for row in range(len(TITLES)):
            index = model.index(row, column, parent)
            needed = painted_text_height(view, index)
            wrapped += needed > one_line
            cut += view.visualRect(index).height() < needed
    assert wrapped, "some widths need two lines (the test measures something)"
    assert cut == 0, f"{cut} rows cut to '…'"
