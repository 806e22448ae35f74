"""Finding the version to print and rendering it in the requested format and languages."""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from fairpath.common.auth import Principal
from fairpath.common.errors import NotFound
from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts.service import get_contract, terms_of
from fairpath.contracts.contracts.tables import ContractVersion
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.pdf import render_pdf
from fairpath.contracts.documents.render import document_languages, render_html


@dataclass(frozen=True)
class RenderedDocument:
    body: bytes
    media_type: str
    filename: str
    content_hash: str
    languages: list[str]


class _RenderedPdfs:
    """Recently rendered PDFs: a version's content never changes, so the same document is drawn once."""

    def __init__(self, size: int = 128) -> None:
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: tuple, body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            while len(self._items) > self._size:
                self._items.popitem(last=False)


rendered_pdfs = _RenderedPdfs()


async def contract_document(
    *,
    session: AsyncSession,
    principal: Principal,
    settings: ContractsSettings,
    contract_id: uuid.UUID,
    format: str,
    lang: str | None,
    version: int | None = None,
) -> RenderedDocument:
    contract = await get_contract(session, principal, contract_id)
    number = version or contract.current_version
    stored = await session.get(ContractVersion, (contract.id, number))
    if stored is None:
        raise NotFound("contract version", f"{contract_id} v{number}")
    facts = DocumentFacts(
        contract_id=str(contract.id),
        status=contract.status,
        version=number,
        content_hash=stored.content_hash,
        terms=terms_of(stored, settings),
        # What happened to this version, as the version records it (a later change never rewrites it).
        issued_at=stored.issued_at,
        signed_at=stored.signed_at,
        superseded_by=stored.superseded_by,
        verification_code=stored.verification_code,
        public_base_url=settings.public_base_url,
    )
    languages = document_languages(facts, lang)
    stem = f"contract-{contract.id}-v{number}-{'-'.join(languages)}"
    if format == "pdf":
        key = (
            facts.contract_id,
            number,
            stored.content_hash,
            tuple(languages),
            facts.status,
            facts.issued_at,
            facts.signed_at,
            facts.superseded_by,
            facts.verification_url,
            str(settings.fonts_dir),
        )
        body = rendered_pdfs.get(key)
        if body is None:
            body = await run_in_threadpool(render_pdf, facts, languages, settings.fonts_dir)
            rendered_pdfs.put(key, body)
        return RenderedDocument(body, "application/pdf", f"{stem}.pdf", stored.content_hash, languages)
    html = render_html(facts, languages)
    return RenderedDocument(html.encode(), "text/html; charset=utf-8", f"{stem}.html", stored.content_hash, languages)
