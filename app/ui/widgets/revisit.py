"""Pages whose data arrive from elsewhere (packages imported on another page) read it again
each time they are shown after the first."""
from __future__ import annotations


class RefreshOnRevisit:
    """Mixin for a QWidget: calls `self.refresh_on_revisit()` on every later visit."""
    _visited = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._visited and not event.spontaneous():
            self.refresh_on_revisit()
        self._visited = True

    def refresh_on_revisit(self) -> None:
        raise NotImplementedError
