"""The invoice as a PDF: the same template as the printable page, rendered by
xhtml2pdf (pure Python, pinned in requirements.txt)."""

from __future__ import annotations

import io


class PdfError(RuntimeError):
    pass


def html_to_pdf(html: str) -> bytes:
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise PdfError(f"the invoice could not be rendered as PDF ({result.err} errors)")
    return out.getvalue()
