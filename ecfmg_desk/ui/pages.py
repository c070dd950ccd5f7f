"""The sidebar's extra pages, beside the checklist: how a new page joins the window.

A page is a widget made from the packet's read-only view and, in the student's window, its editor::

    def _plan(view: PacketView, editor: PacketEditor | None, parent: QWidget) -> QWidget:
        from ecfmg_desk.ui.plan import PlanPage  # imported when the window is built, not at start-up

        return PlanPage(view, editor, parent)

    SIDEBAR_PAGES = (
        SidebarPage("plan", "Plan", "calendar", _plan, shortcut="Ctrl+Shift+D"),
    )

Add one function and one line here. The window then gives the page a button in the sidebar (under the
checklist, in this order), an entry in the View menu, and ``navigate("plan")`` from any other page.

What a page may rely on, and what it must do:
- ``editor`` is ``None`` in an advisor's review: show no control that changes anything (never ask which mode you
  are in). ``modes`` says where the page appears at all (``"student"``, ``"review"``).
- Redraw on ``view.changed``; the view's lists and findings are the only truth (no business rules in a page).
- Optional members the window uses when present: a ``navigate = Signal(str)`` (a requirement id, ``"review"``,
  or another page's key) and ``flush()`` (save what is typed, called before the page is left, locked or closed).
- Every control has an accessible name (a test walks the widget tree); plain-text labels for anything from a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ecfmg_desk.ui.view import PacketEditor, PacketView

PageFactory = Callable[[PacketView, PacketEditor | None, QWidget], QWidget]
STUDENT = "student"
REVIEW = "review"


@dataclass(frozen=True)
class SidebarPage:
    key: str
    """Its name for ``navigate`` (not a requirement id, not ``"review"``)."""
    title: str
    """The button's and the View menu's words."""
    icon: str
    """A name from :mod:`ecfmg_desk.ui.icons`."""
    make: PageFactory
    shortcut: str | None = None
    modes: frozenset[str] = frozenset({STUDENT, REVIEW})
    accessible_name: str = ""
    """What a screen reader says for the button (default: the title)."""


def _clinical(view: PacketView, editor: PacketEditor | None, parent: QWidget) -> QWidget:
    from ecfmg_desk.ui.clinical import ClinicalPage  # imported when the window is built, not at start-up

    return ClinicalPage(view, editor, parent)


def _plan(view: PacketView, editor: PacketEditor | None, parent: QWidget) -> QWidget:
    from ecfmg_desk.ui.plan_page import PlanPage  # imported when the window is built, not at start-up

    return PlanPage(view, editor, parent)


SIDEBAR_PAGES: tuple[SidebarPage, ...] = (
    SidebarPage("plan", "Plan", "calendar", _plan, shortcut="Ctrl+Shift+D", modes=frozenset({STUDENT}),
                accessible_name="Plan: your deadlines"),
    SidebarPage("clinical", "Clinical experience", "clinical", _clinical, shortcut="Ctrl+Shift+K"),
)
"""The extra pages every window gets (the student's profile is added by the student's mode itself)."""
