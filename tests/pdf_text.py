"""The text of a PDF the program wrote, read with pypdf (a test dependency), so tests need no
poppler tools on the machine."""
from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def pdf_text(path: str | Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
