"""Contract documents: bilingual HTML and PDF in each shipped language, fonts embedded, no missing glyph,
figures, names and dates extractable; a draft translation says so; without fonts the PDF is a 503."""

import hashlib
import io
import uuid

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ContentStream

from fairpath.common.auth import Role
from fairpath.common.testing import make_principal
from fairpath.contracts.config import DEFAULT_PUBLIC_BASE_URL, FONTS_DIR
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.documents.catalogues import available_languages, catalogue
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.pdf import FONT_FILES, render_pdf, uncovered_characters
from fairpath.contracts.documents.qr import qr_svg
from fairpath.contracts.documents.render import render_html

from .conftest import World, contract_terms

LANGUAGES = ["en", "ar", "ne", "bn", "id", "fil"]
SCRIPT_FONT = {"ar": "NotoSansArabic", "ne": "NotoSansDevanagari", "bn": "NotoSansBengali"}


def embedded_fonts(pdf: PdfReader) -> dict[str, bytes]:
    """Each embedded font program by its family's PostScript name (subset prefix and style dropped)."""
    fonts = {}
    for page in pdf.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            name = str(font["/BaseFont"]).split("+", 1)[-1].removesuffix("-Regular")
            fonts[name] = descriptor["/FontFile2"].get_data()
    return fonts


def viewer_text(body: bytes) -> str:
    """The text as a PDF viewer extracts it (PDFium, as in Chrome: it reads the ActualText that Typst gives
    Devanagari and Bengali clusters, which pypdf ignores), whitespace collapsed."""
    document = pypdfium2.PdfDocument(body)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def notdef_glyphs_drawn(body: bytes) -> int:
    """How many .notdef glyphs (glyph 0, the box of a missing character) the pages draw."""
    pdf = PdfReader(io.BytesIO(body))
    drawn = 0
    for page in pdf.pages:
        fonts = {name: ref.get_object() for name, ref in page["/Resources"]["/Font"].items()}
        font = None
        for operands, operator in ContentStream(page.get_contents(), pdf).operations:
            if operator == b"Tf":
                font = fonts[operands[0]]
                assert font["/Encoding"] == "/Identity-H"  # two bytes a glyph, the glyph's own id
                descendant = font["/DescendantFonts"][0].get_object()
                assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity"
            elif operator in (b"Tj", b"TJ"):
                for item in operands[0] if operator == b"TJ" else operands:
                    if isinstance(item, str | bytes):  # pypdf reads some strings as text: take their bytes
                        glyphs = getattr(item, "original_bytes", item)
                        drawn += sum(glyphs[i : i + 2] == b"\0\0" for i in range(0, len(glyphs), 2))
    return drawn


def test_six_languages_are_shipped_and_only_english_is_reviewed():
    assert set(LANGUAGES) <= available_languages()
    assert {code: catalogue(code).status for code in LANGUAGES} == {
        "en": "reviewed",
        "ar": "draft",
        "ne": "draft",
        "bn": "draft",
        "id": "draft",
        "fil": "draft",
    }
    assert catalogue("ar").direction == "rtl"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_string_is_covered_by_the_shipped_fonts(language):
    text = "".join(catalogue(language).messages.values())
    assert uncovered_characters(text, FONTS_DIR) == set()


def test_a_character_no_font_covers_is_detected():
    assert uncovered_characters("漢", FONTS_DIR) == {"漢"}


@pytest.fixture(scope="module")
async def issued_contract(contracts_app, contracts, minter):
    world = World(contracts_app, contracts, minter)
    p = await world.parties()
    await world.worker(worker_id=p.worker, version=2, languages=LANGUAGES)
    return p, await p.issued()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_pdf_in_each_language_embeds_fonts_covering_it_and_its_figures_are_extractable(
    issued_contract, language
):
    p, contract = issued_contract
    r = await p.world.client.get(
        f"/v1/contracts/{contract['id']}/document",
        params={"format": "pdf", "lang": language},
        headers=p.world.headers(p.worker_user),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.content))
    fonts = embedded_fonts(pdf)
    assert SCRIPT_FONT.get(language, "NotoSans") in fonts
    assert "NotoSansArabic" in fonts  # the destination's column (Qatar: Arabic)
    text = "\n".join(page.extract_text() for page in pdf.pages)
    departure = contract["terms"]["period"]["departure_date"]
    # Every character the document prints comes back out of the PDF as a viewer reads it (the embedded
    # fonts' ToUnicode maps, and ActualText where a cluster's glyphs do not map one to one), so none was
    # left out; no glyph drawn is .notdef.
    cat = catalogue(language)
    printed = "".join(cat(key) for key in ("title", "parties", "pay", "basic_pay", "free_to_leave", "custody_text"))
    assert {ch for ch in printed if not ch.isspace()} - set(viewer_text(r.content)) == set()
    assert notdef_glyphs_drawn(r.content) == 0
    for figure in (
        "1,800.00 QAR",
        departure,
        "Sita Kumari Tamang",
        "Gulf Horizon Construction LLC",
        contract["content_hash"][:16],
    ):
        assert figure in text, (figure, language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_html_is_bilingual_and_marks_draft_translations(issued_contract, language):
    p, contract = issued_contract
    r = await p.world.client.get(
        f"/v1/contracts/{contract['id']}/document", params={"lang": language}, headers=p.world.headers(p.worker_user)
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert catalogue(language)("title") in html and catalogue("ar")("title") in html
    assert 'dir="rtl"' in html
    draft_notice = catalogue(language)("draft_translation", prevailing="X").split(":")[0]
    assert (draft_notice in html) == catalogue(language).is_draft
    assert "Sita Kumari Tamang" in html and "1,800.00 QAR" in html
    assert catalogue(language)("draft_contract") not in html  # issued: no longer a draft


async def test_a_past_version_is_printed_as_it_was(world):
    p = await world.parties()
    created = await p.contract()
    await world.client.patch(
        f"/v1/contracts/{created['id']}",
        json={"terms": {"pay": {"amount": 190000}}},
        headers=world.headers(p.agency_user),
    )
    old = await world.client.get(
        f"/v1/contracts/{created['id']}/document", params={"version": 1}, headers=world.headers(p.agency_user)
    )
    new = await world.client.get(f"/v1/contracts/{created['id']}/document", headers=world.headers(p.agency_user))
    assert "1,800.00 QAR" in old.text and "1,900.00 QAR" in new.text
    assert created["content_hash"] in old.text
    assert catalogue("ne")("draft_contract") in old.text and catalogue("ar")("draft_contract") in old.text
    missing = await world.client.get(
        f"/v1/contracts/{created['id']}/document", params={"version": 9}, headers=world.headers(p.agency_user)
    )
    assert missing.status_code == 404


async def test_html_escapes_what_the_parties_wrote(world):
    p = await world.parties()
    terms = p.terms()
    terms["job"]["description"] = "<script>alert(1)</script>"
    created = await p.contract(terms)
    r = await world.client.get(f"/v1/contracts/{created['id']}/document", headers=world.headers(p.agency_user))
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


async def test_a_name_no_shipped_font_can_print_is_refused_rather_than_printed_with_gaps(world):
    p = await world.parties()
    terms = p.terms()
    terms["parties"]["worker"]["full_name"] = "李小龍"
    created = await p.contract(terms)
    r = await world.client.get(
        f"/v1/contracts/{created['id']}/document", params={"format": "pdf"}, headers=world.headers(p.agency_user)
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "glyph_missing"
    assert "U+674E" in r.json()["violations"][0]["message"]


async def test_a_language_that_is_not_shipped_is_422(issued_contract):
    p, contract = issued_contract
    r = await p.world.client.get(
        f"/v1/contracts/{contract['id']}/document", params={"lang": "xx"}, headers=p.world.headers(p.worker_user)
    )
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "language_not_available"


async def test_without_fonts_the_pdf_is_a_503_problem_and_html_still_works(issued_contract, contracts_app, tmp_path):
    p, contract = issued_contract
    settings = contracts_app.state.settings
    saved = settings.fonts_dir
    settings.fonts_dir = tmp_path
    try:
        r = await p.world.client.get(
            f"/v1/contracts/{contract['id']}/document", params={"format": "pdf"}, headers=p.world.headers(p.worker_user)
        )
        assert r.status_code == 503
        assert r.json()["type"] == "urn:fairpath:problem:fonts_unavailable" and "format=html" in r.json()["detail"]
        html = await p.world.client.get(
            f"/v1/contracts/{contract['id']}/document", headers=p.world.headers(p.worker_user)
        )
        assert html.status_code == 200
    finally:
        settings.fonts_dir = saved


async def test_documents_are_out_of_reach_like_their_contracts(issued_contract):
    p, contract = issued_contract
    stranger = make_principal(Role.worker, worker_id=uuid.uuid4())
    r = await p.world.client.get(f"/v1/contracts/{contract['id']}/document", headers=p.world.headers(stranger))
    assert r.status_code == 404


def test_the_shipped_fonts_come_with_their_licence():
    assert (FONTS_DIR / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    for name in FONT_FILES:
        assert (FONTS_DIR / f"{name}.ttf").stat().st_size < 600_000


@pytest.mark.parametrize("worker_language, destination_language", [("ne", "en"), ("en", "ar"), ("en", "en")])
async def test_columns_stay_side_by_side_whichever_translations_are_drafts(
    world, worker_language, destination_language
):
    p = await world.parties()
    await world.worker(worker_id=p.worker, version=2, languages=[worker_language])
    terms = p.terms()
    terms["languages"] = {
        "worker_language": worker_language,
        "destination_language": destination_language,
        "prevailing": worker_language,
    }
    created = await p.contract(terms)
    for format in ("html", "pdf"):
        r = await world.client.get(
            f"/v1/contracts/{created['id']}/document", params={"format": format}, headers=world.headers(p.agency_user)
        )
        assert r.status_code == 200, r.text
    html = (
        await world.client.get(f"/v1/contracts/{created['id']}/document", headers=world.headers(p.agency_user))
    ).text
    for language in {worker_language, destination_language}:
        cat = catalogue(language)
        assert cat("status_line", status=cat("status_draft")) in html
        assert catalogue(language)("draft_contract") in html


async def test_a_term_longer_than_a_page_flows_over_pages_and_loses_nothing(world):
    p = await world.parties()
    terms = p.terms()
    terms["job"]["description"] = ("Brick and block laying, plastering and finishing. " * 78)[:3990] + " ENDMARK"
    created = await p.contract(terms)
    r = await world.client.get(
        f"/v1/contracts/{created['id']}/document",
        params={"format": "pdf", "lang": "en"},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200
    lowest = []

    def record(text, cm, tm, font_dict, font_size):
        if text.strip():
            lowest.append(tm[5] * cm[3] + cm[5])

    pages = PdfReader(io.BytesIO(r.content)).pages
    text = "\n".join(page.extract_text(visitor_text=record) for page in pages)
    assert "ENDMARK" in text and "Sita Kumari Tamang" in text
    assert text.count("ENDMARK") == 2  # in the English column and again beside the Arabic
    assert min(lowest) > 0, "text was drawn below the foot of a page"


@pytest.fixture(scope="module")
async def housing_charged_contract(contracts_app, contracts, minter):
    world = World(contracts_app, contracts, minter)
    p = await world.parties(housing="charged_to_worker")
    await world.worker(worker_id=p.worker, version=2, languages=LANGUAGES)
    terms = p.terms()
    terms["food_and_housing"]["housing"] = {
        "provision": "charged_to_worker",
        "monthly_charge": 25000,
        "worker_agrees_to_deduction": True,
    }
    return p, await p.issued(terms)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_housing_charged_to_the_worker_is_printed_in_every_language(housing_charged_contract, language):
    p, contract = housing_charged_contract
    cat = catalogue(language)
    pdf = await p.world.client.get(
        f"/v1/contracts/{contract['id']}/document",
        params={"lang": language, "format": "pdf"},
        headers=p.world.headers(p.worker_user),
    )
    assert pdf.status_code == 200, pdf.text
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "250.00 QAR" in text
    html = (
        await p.world.client.get(
            f"/v1/contracts/{contract['id']}/document",
            params={"lang": language},
            headers=p.world.headers(p.worker_user),
        )
    ).text
    for key in ("charged_to_worker", "worker_agrees_to_deduction"):
        assert cat(key) in html
        assert language == "en" or cat(key) != catalogue("en")(key)  # a translation, not the English words
    assert cat("charge_deducted", amount="250.00 QAR").split("250.00 QAR")[-1] in html  # the amount, then the words
    assert f"{cat('reason_housing')}: 250.00 QAR" in html.replace("\u2066", "").replace("\u2069", "")  # a deduction


@pytest.mark.parametrize("language", ["ne", "ar"])
async def test_the_status_word_is_translated(issued_contract, language):
    p, contract = issued_contract
    html = (
        await p.world.client.get(
            f"/v1/contracts/{contract['id']}/document",
            params={"lang": language},
            headers=p.world.headers(p.worker_user),
        )
    ).text
    cat = catalogue(language)
    assert cat("status_line", status=cat("status_issued")) in html
    assert cat("status_line", status="issued") not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_has_a_word_of_its_own_in_every_language(language):
    cat = catalogue(language)
    for state in ContractState:
        assert f"status_{state.value}" in cat.messages
    if language != "en":
        assert cat("status_issued") != "issued" and cat("status_draft") != "draft"


def squeeze(text: str) -> str:
    """Text without its spaces: a viewer infers spaces from where words are drawn, and PDFium misses some
    after a Devanagari cluster it reads from ActualText."""
    return "".join(text.split())


async def test_the_pdf_marks_drafts_and_says_which_version_replaced_this_one_in_the_workers_words(world):
    p = await world.parties()
    issued = await p.issued()
    await world.client.patch(
        f"/v1/contracts/{issued['id']}",
        json={"terms": {"leave": {"sick_leave_days": 20}}},
        headers=world.headers(p.agency_user),
    )
    cat = catalogue("ne")

    async def pdf_text(version: int) -> str:
        r = await world.client.get(
            f"/v1/contracts/{issued['id']}/document",
            params={"format": "pdf", "lang": "ne", "version": version},
            headers=world.headers(p.agency_user),
        )
        assert r.status_code == 200, r.text
        return squeeze(viewer_text(r.content))

    replaced, draft = await pdf_text(1), await pdf_text(2)
    draft_translation = squeeze(cat("draft_translation", prevailing="X").split(":")[0])
    assert draft_translation in replaced and draft_translation in draft  # Nepali is not reviewed yet
    assert squeeze(cat("status_line", status=cat("status_superseded", version=2))) in replaced
    assert squeeze(cat("draft_contract")) not in replaced  # it did reach the worker
    assert squeeze(f"{cat('issued_on')}: {issued['issued_at'][:10]}") in replaced
    assert squeeze(cat("draft_contract")) in draft
    assert squeeze(cat("status_line", status=cat("status_draft"))) in draft
    assert squeeze(cat("version_line", version=2, hash="")) in draft


async def test_what_the_parties_wrote_is_printed_as_text_never_read_as_typst_markup(world):
    p = await world.parties()
    terms = p.terms()
    written = '#panic("x") $x^2$ *b* _i_ `r` <l> @ref [c] \\ // not a comment /* nor this */ = no heading'
    terms["job"]["description"] = written
    terms["parties"]["worker"]["full_name"] = "Sita #set text(size: 1pt) Tamang"
    created = await p.contract(terms)
    r = await world.client.get(
        f"/v1/contracts/{created['id']}/document",
        params={"format": "pdf", "lang": "en"},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200, r.text
    text = viewer_text(r.content)
    assert written in text and "Sita #set text(size: 1pt) Tamang" in text


async def test_a_long_run_without_spaces_wraps_inside_the_page(world):
    """Typst breaks lines between words only: a run with no break opportunity (a hash, a reference) longer
    than the column is set in pieces the line may break between."""
    p = await world.parties()
    terms = p.terms()
    run = hashlib.sha256(b"a reference").hexdigest() * 4
    terms["job"]["description"] = run
    created = await p.contract(terms)
    r = await world.client.get(
        f"/v1/contracts/{created['id']}/document",
        params={"format": "pdf", "lang": "ne"},
        headers=world.headers(p.agency_user),
    )
    assert r.status_code == 200, r.text
    document = pypdfium2.PdfDocument(r.content)
    try:
        for page in document:
            width = page.get_width()
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                left, _, right, _ = textpage.get_charbox(i)
                assert 0 <= left and right <= width, (i, left, right, width)
    finally:
        document.close()
    assert run in squeeze(viewer_text(r.content))


# --- the verification code and its QR code ---------------------------------------------------------


def qr_codes_of(body: bytes) -> list[str]:
    """What the QR codes drawn on the PDF's first page hold, read from the page as a phone's camera would see it
    (rendered by PDFium, decoded by ZXing)."""
    document = pypdfium2.PdfDocument(body)
    try:
        pixels = document[0].render(scale=3, grayscale=True).to_numpy()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(pixels) if found.format == zxingcpp.BarcodeFormat.QRCode]


def links_of(body: bytes) -> set[str]:
    """The addresses the first page links to (Typst draws the SVG image as vector paths in the page, inline)."""
    page = PdfReader(io.BytesIO(body)).pages[0]
    return {str(a.get_object()["/A"]["/URI"]) for a in page.get("/Annots", []) if "/A" in a.get_object()}


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_the_pdf_prints_the_code_and_a_qr_code_of_the_public_page_that_checks_it(issued_contract, language):
    p, contract = issued_contract
    r = await p.world.client.get(
        f"/v1/contracts/{contract['id']}/document",
        params={"format": "pdf", "lang": language},
        headers=p.world.headers(p.worker_user),
    )
    assert r.status_code == 200, r.text
    code = contract["verification_code"]
    url = f"{DEFAULT_PUBLIC_BASE_URL}/portal/verify/{code}"
    assert links_of(r.content) == {url}
    assert qr_codes_of(r.content) == [url]
    # The code in the line above the terms (Latin, isolated in the Arabic column) and the address beside the QR code.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert code in text
    assert url in squeeze(text)
    assert notdef_glyphs_drawn(r.content) == 0


async def test_the_html_prints_the_code_and_embeds_the_qr_code_segno_draws_for_the_public_page(issued_contract):
    p, contract = issued_contract
    r = await p.world.client.get(f"/v1/contracts/{contract['id']}/document", headers=p.world.headers(p.worker_user))
    assert r.status_code == 200
    code = contract["verification_code"]
    url = f"{DEFAULT_PUBLIC_BASE_URL}/portal/verify/{code}"
    for language in ("ne", "ar"):
        assert catalogue(language)("verification_line", code=code) in r.text.replace("\u2066", "").replace("\u2069", "")
    assert qr_svg(url) in r.text and f'href="{url}"' in r.text


def test_each_version_s_document_holds_its_own_code_at_the_configured_public_address():
    terms = ContractTerms.model_validate(contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()))
    facts = DocumentFacts(
        "c0ffee00-0000-7000-8000-000000000002",
        ContractState.issued,
        3,
        "1" * 64,
        terms,
        verification_code="7KQ2M9XD4RTHW",
        public_base_url="https://fairpath.example.org/",
    )
    assert facts.verification_url == "https://fairpath.example.org/portal/verify/7KQ2-M9XD-4RTH-W"
    assert qr_codes_of(render_pdf(facts, ["en"], FONTS_DIR)) == [facts.verification_url]
    assert qr_svg(facts.verification_url) in render_html(facts, ["en"])


def test_a_document_printed_without_a_code_has_no_qr_code():
    terms = ContractTerms.model_validate(contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()))
    facts = DocumentFacts("c0ffee00-0000-7000-8000-000000000003", ContractState.issued, 1, "2" * 64, terms)
    assert qr_codes_of(render_pdf(facts, ["en"], FONTS_DIR)) == []
    assert "<svg" not in render_html(facts, ["en"])
