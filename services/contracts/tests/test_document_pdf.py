"""The PDF renderer on its own (Typst, pdf.py): what it sends to Typst, the fonts it may use, threads."""

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from pypdf import PdfReader

from fairpath.contracts.config import FONTS_DIR
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.pdf import FONT_FILES, render_pdf

from .conftest import contract_terms

INVISIBLE = "\u200b\u2066\u2067\u2068\u2069"


def facts(name: str = "Sita Kumari Tamang", content_hash: str = "0" * 64, amount: int = 180000) -> DocumentFacts:
    terms = contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    terms["parties"]["worker"]["full_name"] = name
    terms["pay"]["amount"] = amount
    return DocumentFacts(
        "c0ffee00-0000-7000-8000-000000000001",
        ContractState.issued,
        1,
        content_hash,
        ContractTerms.model_validate(terms),
        issued_at=datetime(2026, 1, 5, tzinfo=UTC),
    )


def text_of(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_no_invisible_character_reaches_the_pdf_so_figures_extract_whole_in_arabic():
    """Direction isolates and break opportunities are structure for Typst, never characters: an invisible
    character shaped beside a digit would join that digit's glyph, and every 0 in the document would then
    extract as '0' plus the invisible character (a hash of zeros puts a 0 before each break)."""
    text = text_of(render_pdf(facts(), ["ar"], FONTS_DIR))
    assert not set(INVISIBLE) & set(text)
    assert "1,800.00 QAR" in text and "Sita Kumari Tamang" in text and "2026-01-05" in text


def test_only_the_shipped_fonts_are_embedded():
    """No system font and none of Typst's own: the document looks the same on every machine."""
    pdf = PdfReader(io.BytesIO(render_pdf(facts(), ["bn", "ar"], FONTS_DIR)))
    embedded = {
        str(ref.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in pdf.pages
        for ref in page["/Resources"]["/Font"].values()
    }
    assert embedded <= set(FONT_FILES) and "NotoSansBengali-Regular" in embedded


def test_the_same_version_prints_the_same_bytes():
    """No creation date or random id in the file: a version's PDF is the same whenever it is drawn."""
    assert render_pdf(facts(), ["ne", "ar"], FONTS_DIR) == render_pdf(facts(), ["ne", "ar"], FONTS_DIR)


def test_pdfs_are_drawn_in_parallel_threads_each_with_its_own_contract():
    """The service draws PDFs in a thread pool: each thread has its own Typst compiler."""
    names = [f"Worker Number {i} Gurung" for i in range(12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda name: render_pdf(facts(name), ["ne", "ar"], FONTS_DIR), names))
    for name, body in zip(names, bodies, strict=True):
        text = text_of(body)
        assert name in text and [other for other in names if other in text] == [name]


def test_an_amount_and_a_note_beside_it_keep_their_right_to_left_order_in_arabic():
    """'ضريبة: 0.00 QAR (none expected)': read right to left, the amount, then the note in parentheses. Two
    left-to-right runs with only punctuation between them stay two runs (isolates), not one run
    '0.00 QAR (none expected' with a stray parenthesis."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), cm[4] + tm[4] * cm[0], round(cm[5] + tm[5] * cm[3], 1)))

    for page in PdfReader(io.BytesIO(render_pdf(facts(), ["ar"], FONTS_DIR))).pages:
        page.extract_text(visitor_text=visit)
    (note,) = [run for run in runs if run[0] == "none"]
    line = {text: x for text, x, y in runs if y == note[2]}
    assert line["QAR"] > line["0.00"] > line["expected"] > line["none"]  # the amount right of the note
