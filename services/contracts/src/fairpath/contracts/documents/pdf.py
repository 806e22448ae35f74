"""The contract as a PDF, set by Typst: shaping (Arabic right to left, Devanagari and Bengali conjuncts), bidi,
line and page breaking, with subsets of the Noto fonts shipped in the service's folder embedded.

The layout is the template `templates/contract.typ`; what the document says goes to it as a JSON file, so
nothing the parties wrote is ever read as Typst markup. Only the fonts of the folder are used (no system font,
none of Typst's own), so a document looks the same on every machine, and a character none of them covers is
refused before anything is drawn, so the document never shows a missing glyph.

Each thread keeps a Typst compiler, and Typst remembers the rows it has laid out (for the last ten documents):
a contract mostly repeats the catalogue's sentences, so the next one only sets what differs.
"""

import json
import logging
import re
import threading
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import typst
from fontTools.ttLib import TTFont

from fairpath.common.errors import RuleViolations, ServiceUnavailable, Violation
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.qr import qr_svg
from fairpath.contracts.documents.render import Column, columns

log = logging.getLogger("fairpath.contracts.documents")

# Every font the documents use (file stem in the fonts folder, as the catalogues name them) and the family
# Typst knows it by; Noto Sans, for Latin text in every column, first.
FONT_FAMILIES = {
    "NotoSans-Regular": "Noto Sans",
    "NotoSansArabic-Regular": "Noto Sans Arabic",
    "NotoSansDevanagari-Regular": "Noto Sans Devanagari",
    "NotoSansBengali-Regular": "Noto Sans Bengali",
}
FONT_FILES = tuple(FONT_FAMILIES)
TEMPLATE = resources.files("fairpath.contracts.documents").joinpath("templates", "contract.typ").read_bytes()


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
        and ch not in "\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069"
    }


# --- the document's data ---------------------------------------------------------------------------

# A run of printable ASCII this long (a hash, a web address) is set in pieces of 16 characters, between which the
# line may break, so it wraps inside its column instead of running into the next one (Typst breaks lines only
# between words).
_LONG_RUN = re.compile(r"[!-~]{40,}")
_ISOLATES = {"\u2066": "ltr", "\u2067": "rtl", "\u2068": "auto"}  # LRI, RLI, FSI; PDI ends one
_POP = "\u2069"
# An isolated run this short is kept whole on its line (a figure, a date, a name); a longer one may wrap.
_WHOLE = 40


def _pieces(text: str) -> list:
    parts: list = []
    end = 0
    for run in _LONG_RUN.finditer(text):
        parts += [text[end : run.start()], {"pieces": [run[0][i : i + 16] for i in range(0, len(run[0]), 16)]}]
        end = run.end()
    return [part for part in [*parts, text[end:]] if part]


def _text_of(parts: list) -> str:
    return "".join(
        p if isinstance(p, str) else "".join(p["pieces"]) if "pieces" in p else _text_of(p["parts"]) for p in parts
    )


def _first_strong(text: str) -> str:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _parts(text: str) -> list:
    """A cell's text as the template sets it: plain text, pieces of a long run, and the runs isolated in a
    direction of their own (`content._iso`: figures, dates and Latin names in an Arabic column).

    The isolate characters never reach Typst. Shaped beside a letter, an invisible character joins that letter's
    glyph and its text in the PDF, and the letter then extracts with it everywhere in the document; and Typst
    sets a run of another direction as an embedding, not an isolate, so two runs with only punctuation between
    them would join ("0.00 QAR (none expected)" read as one left-to-right run in Arabic). An isolated run short
    enough to keep whole is set in a box, which the surrounding text treats as one neutral character, exactly
    as an isolate; a longer one (an address) is an embedding, free to wrap over lines."""
    root: list = []
    stack = [root]
    plain = ""
    for ch in text:
        if ch in _ISOLATES or ch == _POP:
            stack[-1].extend(_pieces(plain))
            plain = ""
            if ch == _POP:
                if len(stack) > 1:
                    stack.pop()
            else:
                inner: list = []
                stack[-1].append({"dir": _ISOLATES[ch], "parts": inner})
                stack.append(inner)
        else:
            plain += ch
    stack[-1].extend(_pieces(plain))
    _settle(root)
    return root


def _settle(parts: list) -> None:
    """Each isolated run's direction (first strong character, for FSI) and whether it may wrap."""
    for part in parts:
        if isinstance(part, dict) and "dir" in part:
            _settle(part["parts"])
            text = _text_of(part["parts"])
            if part["dir"] == "auto":
                part["dir"] = _first_strong(text)
            part["wrap"] = len(text) > _WHOLE


def _fonts(column: Column) -> list[str]:
    """The column's own font first, then the others for text in another script (a Latin name in Nepali)."""
    return list(dict.fromkeys([FONT_FAMILIES[column.font], *FONT_FAMILIES.values()]))


def _rows(cols: list[Column]) -> list[dict]:
    """The rows of the document, each the same words in every column's language (see the template)."""
    rows = [{"kind": "title", "cells": [c.title for c in cols]}]
    for i in range(len(cols[0].header)):
        if any(c.header[i] for c in cols):
            # The first two header lines are the draft marks (a draft contract, a draft translation).
            rows.append({"kind": "draft" if i < 2 else "notice", "cells": [c.header[i] for c in cols]})
    for s in range(len(cols[0].sections)):
        rows.append({"kind": "section", "cells": [c.sections[s].title for c in cols]})
        for r in range(len(cols[0].sections[s].rows)):
            cells = []
            for c in cols:
                label, value = c.sections[s].rows[r]
                cells.append(f"{label}: {value}" if label and value else label or value)
            rows.append({"kind": "term", "cells": cells})
    return [{"kind": row["kind"], "cells": [_parts(cell) for cell in row["cells"]]} for row in rows]


def document_data(facts: DocumentFacts, cols: list[Column]) -> dict:
    """What the template prints: plain data, never markup (the QR code is an SVG image, drawn by segno)."""
    rows = _rows(cols)
    url = facts.verification_url
    if url is not None:
        # Below the lines above the terms (the last of which gives the code in each language), the QR code and
        # beside it the address it holds, left to right whatever the columns' directions.
        first_section = next(i for i, row in enumerate(rows) if row["kind"] == "section")
        rows.insert(first_section, {"kind": "qr", "svg": qr_svg(url), "url": url, "caption": _parts(url)})
    return {
        "title": " / ".join(c.title for c in cols),
        "lang": cols[0].language,
        "footer": f"{facts.contract_id} v{facts.version} sha256:{facts.content_hash[:16]}",
        "columns": [{"lang": c.language, "dir": str(c.direction), "fonts": _fonts(c)} for c in cols],
        "rows": rows,
    }


def _all_text(cols: list[Column]) -> str:
    parts = []
    for c in cols:
        parts += [c.title, *c.header]
        for s in c.sections:
            parts.append(s.title)
            parts += [f"{label or ''} {value}" for label, value in s.rows]
    return "\n".join(parts)


# --- Typst -----------------------------------------------------------------------------------------

_compilers = threading.local()


@cache
def _fonts_of(fonts_dir: Path) -> typst.Fonts:
    """The folder's fonts, read once and shared by every thread's compiler: no system font, none of Typst's."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(fonts_dir)])


def _files(data: bytes) -> dict[str, bytes]:
    # The same file names every time: Typst's memory of laid-out rows is keyed on them (bytes passed as the
    # main file would get a new name, and sys.inputs a new library, on every call, and nothing would be reused).
    return {"main.typ": TEMPLATE, "data.json": data}


def _compiler(fonts_dir: Path) -> typst.Compiler:
    """This thread's compiler for the folder (a compiler serves one call at a time: one per thread, so
    PDFs are drawn in parallel off the event loop)."""
    compilers: dict[Path, typst.Compiler] = _compilers.__dict__.setdefault("by_folder", {})
    compiler = compilers.get(fonts_dir)
    if compiler is None:
        compiler = compilers[fonts_dir] = typst.Compiler(
            _files(b"{}"), font_paths=_fonts_of(fonts_dir), ignore_system_fonts=True
        )
    return compiler


def render_pdf(facts: DocumentFacts, languages: list[str], fonts_dir: Path) -> bytes:
    _font_paths(fonts_dir)  # 503 fonts_unavailable when the folder lacks one
    cols = columns(facts, languages)
    missing = uncovered_characters(_all_text(cols), fonts_dir)
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
    data = json.dumps(document_data(facts, cols), ensure_ascii=False).encode()
    pdf, warnings = _compiler(fonts_dir).compile_with_warnings(_files(data), format="pdf")
    for warning in warnings:
        log.warning("typst: %s", warning.message, extra={"contract_id": facts.contract_id})
    return pdf
