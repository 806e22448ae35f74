"""A contract document's columns, and the HTML document drawn from them with a Jinja template (the PDF: pdf.py).

The layout is bilingual: the worker's language beside the destination's (one column when
they are the same), each column the same rows in its own language.
"""

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from fairpath.common.errors import RuleViolations, Violation
from fairpath.contracts.documents.catalogues import Catalogue, TextDirection, available_languages, catalogue
from fairpath.contracts.documents.content import DocumentFacts, Section, header, sections
from fairpath.contracts.documents.qr import qr_svg


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
    url = facts.verification_url
    # segno's SVG, made here from the address alone: nothing the parties wrote is in it.
    qr = Markup(qr_svg(url)) if url is not None else None
    return _env.get_template("contract.html.j2").render(columns=columns(facts, languages), qr=qr, verification_url=url)
