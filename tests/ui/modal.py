"""Answering a modal window in a UI test: found by its title among the visible windows
(other tests' windows may be active), then handled by `act`; never blocks."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def when_shown(title: str, act, tries: int = 500) -> None:
    """Call act(window) once a visible window titled `title` appears (polled every 10 ms)."""
    def poll(left: int) -> None:
        found = [w for w in QApplication.allWidgets()          # windows with a parent too
                 if w.isWindow() and w.isVisible() and w.windowTitle() == title]
        if found:
            act(found[0])
        elif left:
            QTimer.singleShot(10, lambda: poll(left - 1))
    QTimer.singleShot(0, lambda: poll(tries))


def click_button(which: str | int, seen: list | None = None):
    """An act that notes a message box's text and clicks its button labelled `which` (or the
    which-th button: OK reads 确定 only where Qt's translation is loaded)."""
    def act(box) -> None:
        if seen is not None:
            seen.append(box.text())
        buttons = box.buttons()
        [button] = [buttons[which]] if isinstance(which, int) else [b for b in buttons if b.text() == which]
        button.click()
    return act
