"""Rendering a contract document: HTML from a Jinja template, PDF with fpdf2, HarfBuzz shaping and embedded fonts.

The layout is bilingual: the worker's language beside the destination's (one column when
they are the same). The PDF embeds subsets of the Noto fonts shipped with the service,
shapes Arabic right to left and Devanagari and Bengali with their conjuncts, and refuses
to print a character no font covers, so the document never shows a missing glyph.
"""

import logging
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from jinja2 import Environment, PackageLoader, select_autoescape

from fairpath.common.errors import RuleViolations, ServiceUnavailable, Violation
from fairpath.contracts.documents.catalogues import Catalogue, TextDirection, available_languages, catalogue
from fairpath.contracts.documents.content import DocumentFacts, Section, header, sections

log = logging.getLogger("fairpath.contracts.documents")

# Every font the documents use, primary font of a catalogue first; the rest are fallbacks for mixed text.
FONT_FILES = ("NotoSans-Regular", "NotoSansArabic-Regular", "NotoSansDevanagari-Regular", "NotoSansBengali-Regular")
PAGE_MARGIN, COLUMN_GAP, LINE = 14.0, 6.0, 4.6
BODY_SIZE, HEADING_SIZE, TITLE_SIZE = 9.0, 10.5, 14.0


@dataclass(frozen=True)
class Column:
    language: str
    direction: TextDirection
    is_draft: bool
    title: str
    header: list[str]
    sections: list[Section]
    font: str


def document_languages(facts: DocumentFacts, requested: str | None = None) -> list[str]:
    """The worker's language (or the one asked for) and, beside it, the destination's (English if not shipped)."""
    if requested is not None and requested not in available_languages():
        raise RuleViolations(
            [
                Violation(
                    field="lang",
                    rule="language_not_available",
                    message=f"no contract template in {requested} "
                    f"(available: {', '.join(sorted(available_languages()))})",
                )
            ]
        )
    worker = requested or facts.terms.languages.worker_language
    destination = facts.terms.languages.destination_language
    if destination not in available_languages():
        destination = "en"
    return list(dict.fromkeys([worker, destination]))


def columns(facts: DocumentFacts, languages: list[str]) -> list[Column]:
    result = []
    for language in languages:
        cat: Catalogue = catalogue(language)
        result.append(
            Column(
                language, cat.direction, cat.is_draft, cat("title"), header(facts, cat), sections(facts, cat), cat.font
            )
        )
    return result


# --- HTML ----------------------------------------------------------------------------------------

_env = Environment(
    loader=PackageLoader("fairpath.contracts.documents", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(facts: DocumentFacts, languages: list[str]) -> str:
    return _env.get_template("contract.html.j2").render(columns=columns(facts, languages))


# --- PDF -----------------------------------------------------------------------------------------


class FontsUnavailable(ServiceUnavailable):
    name = "fonts_unavailable"
    description = "the PDF fonts are not installed; the HTML document (format=html) is available"


def _font_paths(fonts_dir: Path) -> dict[str, Path]:
    paths = {name: fonts_dir / f"{name}.ttf" for name in FONT_FILES}
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        raise FontsUnavailable(
            f"the PDF fonts are not installed ({', '.join(missing)} missing from {fonts_dir}); "
            "the HTML document (format=html) is available"
        )
    return paths


@cache
def _coverage(path: Path) -> frozenset[int]:
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def uncovered_characters(text: str, fonts_dir: Path) -> set[str]:
    """Characters no shipped font has a glyph for (they would print as .notdef boxes)."""
    covered: frozenset[int] = frozenset().union(*(_coverage(p) for p in _font_paths(fonts_dir).values()))
    return {
        ch
        for ch in set(text)
        if not ch.isspace()
        and ord(ch) not in covered
        and ord(ch) >= 0x20
        and ch not in "\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069"
    }


def _all_text(cols: list[Column]) -> str:
    parts = []
    for c in cols:
        parts += [c.title, *c.header]
        for s in c.sections:
            parts.append(s.title)
            parts += [f"{label or ''} {value}" for label, value in s.rows]
    return "\n".join(parts)


def _shape_if_needed(pdf: FPDF, text: str) -> None:
    """HarfBuzz shaping for scripts that need it (right to left, Indic conjuncts); plain Latin text skips the
    cost, which is most of the time a page takes."""
    pdf.set_text_shaping(any(ord(ch) >= 0x0590 for ch in text))


def _family(font_file: str) -> str:
    return font_file.removesuffix("-Regular")


def _fonts_needed(text: str, primary: list[str], fonts_dir: Path) -> list[str]:
    paths = _font_paths(fonts_dir)
    needed = list(dict.fromkeys(["NotoSans-Regular", *primary]))
    covered = frozenset().union(*(_coverage(paths[name]) for name in needed))
    rest = {ord(ch) for ch in set(text)} - covered
    for name in FONT_FILES:
        if name not in needed and rest & _coverage(paths[name]):
            needed.append(name)
            rest -= _coverage(paths[name])
    return needed


_pdf_lock = threading.Lock()


class _ContractPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("NotoSans", size=7)  # always loaded: the footer is Latin
        self.cell(0, 4, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")


def render_pdf(facts: DocumentFacts, languages: list[str], fonts_dir: Path) -> bytes:
    paths = _font_paths(fonts_dir)
    cols = columns(facts, languages)
    text = _all_text(cols)
    missing = uncovered_characters(text, fonts_dir)
    if missing:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing))
        raise RuleViolations(
            [
                Violation(
                    field="terms",
                    rule="glyph_missing",
                    message=f"the contract has characters no shipped font covers ({codes})",
                )
            ]
        )
    pdf = _ContractPdf(f"{facts.contract_id} v{facts.version} sha256:{facts.content_hash[:16]}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
    # Only the fonts this document needs: each column's own, and the fallbacks its characters call for.
    needed = _fonts_needed(text, [c.font for c in cols], fonts_dir)
    for name in needed:
        pdf.add_font(_family(name), fname=str(paths[name]))
    pdf.set_fallback_fonts([_family(name) for name in needed])
    pdf.set_title(" / ".join(c.title for c in cols))
    pdf.set_lang(cols[0].language)
    pdf.set_creator("Fairpath contracts")
    pdf.add_page()
    width = (pdf.epw - COLUMN_GAP * (len(cols) - 1)) / len(cols)

    bottom = pdf.h - PAGE_MARGIN - 6

    def row(texts: list[str], size: float, gap: float = 0.8) -> None:
        line = LINE * size / BODY_SIZE
        # Measuring a row costs as much as drawing it (shaping): measure only near the foot of a page,
        # or when the text is long enough to fill more than a page.
        if bottom - pdf.get_y() < 12 * line or max(len(t or "") for t in texts) > 1200:
            heights = []
            for col, text in zip(cols, texts, strict=True):
                pdf.set_font(_family(col.font), size=size)
                _shape_if_needed(pdf, text)
                heights.append(
                    pdf.multi_cell(
                        width,
                        line,
                        text or " ",
                        dry_run=True,
                        output=MethodReturnValue.HEIGHT,
                        align="R" if col.direction == TextDirection.rtl else "L",
                    )
                )
            if max(heights) > bottom - PAGE_MARGIN:
                _long_row(texts, size, line)
                return
            if pdf.get_y() + max(heights) > bottom:
                pdf.add_page()
        top, lowest = pdf.get_y(), pdf.get_y()
        for i, (col, text) in enumerate(zip(cols, texts, strict=True)):
            pdf.set_xy(PAGE_MARGIN + i * (width + COLUMN_GAP), top)
            pdf.set_font(_family(col.font), size=size)
            _shape_if_needed(pdf, text)
            pdf.multi_cell(width, line, text or " ", align="R" if col.direction == TextDirection.rtl else "L")
            lowest = max(lowest, pdf.get_y())
        pdf.set_y(lowest + gap)

    def _long_row(texts: list[str], size: float, line: float) -> None:
        """A row taller than a page: each language in turn across the full width, flowing over pages."""
        pdf.set_auto_page_break(True, margin=PAGE_MARGIN + 6)
        for col, text in zip(cols, texts, strict=True):
            pdf.set_font(_family(col.font), size=size)
            _shape_if_needed(pdf, text)
            pdf.set_x(PAGE_MARGIN)
            pdf.multi_cell(pdf.epw, line, text, align="R" if col.direction == TextDirection.rtl else "L")
            pdf.ln(1)
        pdf.set_auto_page_break(False)

    with warnings.catch_warnings(record=True) as caught, _pdf_lock:
        warnings.simplefilter("always")
        row([c.title for c in cols], TITLE_SIZE, 2)
        for i in range(len(cols[0].header)):
            if any(c.header[i] for c in cols):
                row([c.header[i] for c in cols], BODY_SIZE - 1)
        for s in range(len(cols[0].sections)):
            pdf.ln(1.5)
            y = pdf.get_y()
            pdf.set_draw_color(150)
            pdf.line(PAGE_MARGIN, y, pdf.w - PAGE_MARGIN, y)
            pdf.ln(1)
            row([c.sections[s].title for c in cols], HEADING_SIZE, 1)
            for r in range(len(cols[0].sections[s].rows)):
                cells = []
                for c in cols:
                    label, value = c.sections[s].rows[r]
                    cells.append(f"{label}: {value}" if label and value else label or value)
                row(cells, BODY_SIZE)
        data = bytes(pdf.output())
    glyph_warnings = [str(w.message) for w in caught if "glyph" in str(w.message).lower()]
    if glyph_warnings:
        log.error("a font lacked glyphs while rendering", extra={"contract_id": facts.contract_id})
        raise RuleViolations([Violation(field="terms", rule="glyph_missing", message=glyph_warnings[0][:300])])
    return data
