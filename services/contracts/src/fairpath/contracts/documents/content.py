"""What a contract document says, section by section, in the words of one catalogue.

Figures, dates and codes are printed with Latin digits and ISO dates in every language,
so that they read the same in both columns and can be extracted from the PDF.
"""

from dataclasses import dataclass
from datetime import datetime

from fairpath.common.occupations import occupation
from fairpath.contracts.config import DEFAULT_PUBLIC_BASE_URL
from fairpath.contracts.contracts.codes import grouped
from fairpath.contracts.contracts.pay import money
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms, DocumentHolder, PaidBy, Provision
from fairpath.contracts.documents.catalogues import Catalogue, TextDirection, available_languages, catalogue
from fairpath.contracts.documents.qr import verification_url


@dataclass(frozen=True)
class DocumentFacts:
    """The contract as printed: its terms and the facts of its lifecycle."""

    contract_id: str
    status: ContractState
    version: int
    content_hash: str
    terms: ContractTerms
    issued_at: datetime | None = None  # when this version was issued to the worker (None: never)
    signed_at: datetime | None = None  # when the worker signed this version
    superseded_by: int | None = None  # the version that replaced this one, if any
    verification_code: str | None = None  # the version's code, as stored (None: printed without one)
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL  # where the public page that checks the code is

    @property
    def verification_url(self) -> str | None:
        """The public page that checks this document (what its QR code holds)."""
        return verification_url(self.public_base_url, self.verification_code) if self.verification_code else None

    @property
    def unissued_draft(self) -> bool:
        """A version that never reached the worker: the current draft, or one replaced before it was issued."""
        return self.issued_at is None and (self.status == ContractState.draft or self.superseded_by is not None)


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str | None, str]]


LRI, PDI = "\u2066", "\u2069"


def _iso(cat: Catalogue, text: str) -> str:
    """Left-to-right figures (amounts, dates, names in Latin script) isolated inside a right-to-left column,
    so that 2026-12-23 stays 2026-12-23 and 1,800.00 QAR keeps its order."""
    return f"{LRI}{text}{PDI}" if cat.direction == TextDirection.rtl else text


def _name(cat: Catalogue, text: str) -> str:
    """What the parties wrote (names, addresses, descriptions) may be in any script: isolated left to right inside a
    right-to-left column unless it is itself written right to left."""
    if cat.direction != TextDirection.rtl or any(
        "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc" for ch in text
    ):
        return text
    # Decided here rather than left to a first-strong isolate, so the HTML and the PDF read the same.
    return f"{LRI}{text}{PDI}"


def _money(cat: Catalogue, amount: int, currency: str) -> str:
    return _iso(cat, money(amount, currency))


def _provision(cat: Catalogue, provided, currency: str) -> str:  # noqa: ANN001
    text = cat(provided.provision.value)
    if provided.provision == Provision.cash_allowance and provided.cash_value is not None:
        text += f": {_money(cat, provided.cash_value, currency)} {cat('per_month')}"
    if provided.provision == Provision.charged_to_worker and provided.monthly_charge is not None:
        text += f": {cat('charge_deducted', amount=_money(cat, provided.monthly_charge, currency))}"
        if provided.worker_agrees_to_deduction:
            text += f"; {cat('worker_agrees_to_deduction')}"
    if provided.description:
        text += f" ({_name(cat, provided.description)})"
    return text


def header(facts: DocumentFacts, cat: Catalogue) -> list[str]:
    """The lines above the terms, the same slots in every language so the columns stay side by side:
    draft contract, draft translation (empty when they do not apply), languages, version, status (translated),
    and the verification code (empty for a document printed without one; its QR code and address follow
    the lines, in no language: pdf.py, the HTML template)."""
    langs = facts.terms.languages
    names = [
        catalogue(code).name if code in available_languages() else code
        for code in dict.fromkeys([langs.worker_language, langs.destination_language])
    ]
    prevailing = catalogue(langs.prevailing).name if langs.prevailing in available_languages() else langs.prevailing
    return [
        cat("draft_contract") if facts.unissued_draft else "",
        cat("draft_translation", prevailing=prevailing) if cat.is_draft else "",
        cat("prevailing", languages=", ".join(names), prevailing=prevailing),
        cat("version_line", version=facts.version, hash=_iso(cat, facts.content_hash)),
        cat("status_line", status=status_word(facts, cat)),
        cat("verification_line", code=_iso(cat, grouped(facts.verification_code))) if facts.verification_code else "",
    ]


def status_word(facts: DocumentFacts, cat: Catalogue) -> str:
    """The version's state in the catalogue's words: the contract's status, or which version replaced it."""
    if facts.superseded_by is not None:
        return cat("status_superseded", version=facts.superseded_by)
    return cat(f"status_{facts.status.value}")


def sections(facts: DocumentFacts, cat: Catalogue) -> list[Section]:
    t = facts.terms
    p = t.parties
    cur = t.pay.currency
    isco = occupation(t.job.occupation)
    recruiters = "; ".join(f"{r.legal_name} ({cat('role_' + r.role.value)}, {r.country})" for r in p.recruiters) or "-"
    deductions = [
        (None, f"{cat('reason_' + d.reason.value)}: {_money(cat, d.amount, cur)} ({_name(cat, d.description)})")
        for d in t.pay.deductions
    ] + [
        # Housing or food charged to the worker is a deduction too, itemised with the others (ILO C95).
        (None, f"{cat('reason_' + name)}: {_money(cat, provided.monthly_charge, cur)} {cat('per_month')}")
        for name, provided in (("housing", t.food_and_housing.housing), ("food", t.food_and_housing.food))
        if provided.provision == Provision.charged_to_worker and provided.monthly_charge is not None
    ] or [(None, cat("no_deductions"))]
    paid = lambda who: cat("paid_by_" + PaidBy(who).value)  # noqa: E731
    contact = t.dispute_settlement.grievance_contact
    custody_ok = (
        t.document_custody.passport_kept_by == DocumentHolder.worker
        and t.document_custody.identity_documents_kept_by == DocumentHolder.worker
    )
    return [
        Section(
            cat("parties"),
            [
                (cat("employer"), _name(cat, f"{p.employer.legal_name}, {p.employer.address}")),
                (
                    cat("worker"),
                    f"{_name(cat, f'{p.worker.full_name}, {p.worker.address}')}; {cat('nationality')}: {p.worker.nationality}",
                ),
                (cat("recruiters"), recruiters),
            ],
        ),
        Section(
            cat("workplace"),
            [(cat("address"), _name(cat, f"{t.workplace.address}, {t.workplace.city}, {t.workplace.country}"))],
        ),
        Section(
            cat("job"),
            [
                (cat("job_title"), _name(cat, t.job.title)),
                (cat("occupation"), _iso(cat, f"{t.job.occupation} {isco.title if isco else ''}".strip())),
                (cat("description"), _name(cat, t.job.description)),
            ],
        ),
        Section(
            cat("period"),
            [
                (cat("departure_date"), _iso(cat, t.period.departure_date.isoformat())),
                (cat("start_date"), _iso(cat, t.period.start_date.isoformat())),
                (
                    cat("duration"),
                    (cat("months", months=t.period.duration_months) + ", " if t.period.duration_months else "")
                    + cat(t.period.term.value),
                ),
                (cat("probation"), cat("days", days=t.period.probation_days)),
            ],
        ),
        Section(
            cat("pay"),
            [
                (cat("basic_pay"), f"{_money(cat, t.pay.amount, cur)} {cat('per_' + t.pay.period.value)}"),
                (cat("calculation"), _name(cat, t.pay.calculation)),
                (cat("payment_method"), cat("method_" + t.pay.payment_method.value)),
                (None, cat("overtime", percent=t.pay.overtime_rate_percent)),
                (cat("deductions"), ""),
                *deductions,
            ],
        ),
        Section(
            cat("working_time"),
            [
                (
                    None,
                    cat("hours", day=f"{t.hours.normal_hours_per_day:g}", week=f"{t.hours.normal_hours_per_week:g}"),
                ),
                (None, cat("rest_days", days=t.rest.weekly_rest_days)),
                (None, cat("annual_leave", days=t.leave.paid_annual_leave_days)),
                (None, cat("sick_leave", days=t.leave.sick_leave_days)),
            ],
        ),
        Section(
            cat("food_and_housing"),
            [
                (cat("food"), _provision(cat, t.food_and_housing.food, cur)),
                (cat("housing"), _provision(cat, t.food_and_housing.housing, cur)),
            ],
        ),
        Section(
            cat("transport"),
            [
                (cat("transport_hire"), paid(t.transport.to_and_from_point_of_hire_paid_by)),
                (cat("transport_site"), paid(t.transport.at_job_site_paid_by)),
            ],
        ),
        Section(
            cat("medical"),
            [
                (cat("medical_care"), paid(t.medical.medical_care_paid_by)),
                (
                    cat("insurance"),
                    f"{paid(t.medical.insurance_paid_by)}; {_name(cat, t.medical.insurance_description)}",
                ),
            ],
        ),
        Section(
            cat("termination"),
            [
                (cat("grounds"), "; ".join(_name(cat, g) for g in t.termination.grounds)),
                (None, cat("employer_notice", days=t.termination.employer_notice_days)),
                (None, cat("worker_notice", days=t.termination.worker_notice_days)),
                *([(None, cat("free_to_leave"))] if t.termination.worker_may_leave_without_penalty else []),
            ],
        ),
        Section(
            cat("repatriation"),
            [
                (
                    None,
                    cat("repatriation_text")
                    if t.repatriation.paid_by == PaidBy.employer and t.repatriation.includes_repatriation_of_remains
                    else paid(t.repatriation.paid_by),
                ),
            ],
        ),
        Section(
            cat("disputes"),
            [
                (None, _name(cat, t.dispute_settlement.procedure)),
                (
                    cat("grievance_contact"),
                    ", ".join(_name(cat, x) for x in (contact.organisation, contact.phone, contact.email) if x),
                ),
            ],
        ),
        Section(
            cat("fees"),
            [
                (None, cat("fees_intro")),
                *[
                    (
                        None,
                        f"{cat('fee_' + f.category.value)}: {_money(cat, f.amount, f.currency)}, {paid(f.paid_by)} ({_name(cat, f.description)})",
                    )
                    for f in t.fee_statement
                ],
            ],
        ),
        Section(
            cat("custody"),
            [(None, cat("custody_text") if custody_ok else f"{t.document_custody.passport_kept_by.value}")],
        ),
        Section(
            cat("signatures"),
            [
                (None, cat("worker_keeps_copy")),
                (
                    cat("issued_on"),
                    _iso(cat, facts.issued_at.date().isoformat()) if facts.issued_at else cat("not_yet"),
                ),
                (
                    cat("signed_on"),
                    _iso(cat, facts.signed_at.date().isoformat()) if facts.signed_at else cat("not_yet"),
                ),
                (cat("signature_worker"), "_______________________"),
                (cat("signature_employer"), "_______________________"),
            ],
        ),
    ]
