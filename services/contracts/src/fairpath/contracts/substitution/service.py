"""Field-by-field comparison of signed and presented terms, each change classified for the worker.

Pay is compared as an effective hourly rate after normalising the period and, when the
currency changes, converting with an operator-recorded exchange rate; with no rate on
file a change of currency counts as less favourable (fail safe). New or larger
deductions, longer hours, fewer rest or leave days, a different job, workplace, employer
or duration, costs moved to the worker, documents moved out of the worker's hands and
poorer food or housing (a charge for what was free, a higher charge) are less favourable. No I/O here: the caller loads the rates.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from fairpath.common.domain_codes import ChangeDirection
from fairpath.contracts.contracts.pay import hourly_rate
from fairpath.contracts.contracts.terms import PROVISION_RANK, ContractTerms, DocumentHolder, PaidBy, Provision
from fairpath.contracts.reference.service import ExchangeRates

LESS, NEUTRAL, MORE = ChangeDirection.less_favourable, ChangeDirection.neutral, ChangeDirection.more_favourable
_PAYER_RANK = {PaidBy.worker: 0, PaidBy.agency: 1, PaidBy.employer: 2}


@dataclass(frozen=True)
class TermDifference:
    field: str
    change: ChangeDirection
    signed: Any
    presented: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "change": self.change.value,
            "signed": self.signed,
            "presented": self.presented,
            "reason": self.reason,
        }


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}", out)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}", out)
    else:
        out[prefix] = value
    return out


def _by_rank(old: int | float, new: int | float, higher_is_better: bool) -> ChangeDirection:
    if new == old:
        return NEUTRAL
    return MORE if (new > old) == higher_is_better else LESS


def _rate(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def compare_terms(signed: ContractTerms, presented: ContractTerms, rates: ExchangeRates) -> list[TermDifference]:
    """Every difference between the two versions, classified; identical terms give an empty list."""
    changes: list[TermDifference] = []
    add = changes.append
    old_flat = _flatten(signed.model_dump(mode="json"), "terms", {})
    new_flat = _flatten(presented.model_dump(mode="json"), "terms", {})
    claimed: set[str] = set()

    def claim(*prefixes: str) -> None:
        for path in set(old_flat) | set(new_flat):
            if path.startswith(prefixes):
                claimed.add(path)

    _compare_pay(signed, presented, rates, add)
    claim("terms.pay.amount", "terms.pay.currency", "terms.pay.period", "terms.pay.deductions")
    _compare_deductions(signed, presented, rates, add)

    def ranked(path: str, higher_is_better: bool, noun: str) -> None:
        old, new = old_flat.get(path), new_flat.get(path)
        claimed.add(path)
        if old != new and old is not None and new is not None:
            direction = _by_rank(old, new, higher_is_better)
            add(TermDifference(path, direction, old, new, f"{noun}: {old} signed, {new} presented"))

    ranked("terms.pay.overtime_rate_percent", True, "overtime rate (% of the normal rate)")
    ranked("terms.hours.normal_hours_per_day", False, "normal hours a day")
    ranked("terms.hours.normal_hours_per_week", False, "normal hours a week")
    ranked("terms.rest.weekly_rest_days", True, "weekly rest days")
    ranked("terms.leave.paid_annual_leave_days", True, "paid annual leave days")
    ranked("terms.leave.sick_leave_days", True, "sick leave days")
    ranked("terms.period.probation_days", False, "probation days")
    ranked("terms.termination.employer_notice_days", True, "notice the employer gives (days)")
    ranked("terms.termination.worker_notice_days", False, "notice the worker must give (days)")

    def always_less(prefix: str, why: str) -> None:
        for path in sorted(set(old_flat) | set(new_flat)):
            if path.startswith(prefix):
                claimed.add(path)
                if old_flat.get(path) != new_flat.get(path):
                    add(TermDifference(path, LESS, old_flat.get(path), new_flat.get(path), why))

    always_less("terms.job.", "a different job from the one the worker signed for")
    always_less("terms.workplace.", "a different workplace from the one the worker signed for")
    always_less("terms.parties.employer.business_id", "a different employer from the one the worker signed with")
    always_less("terms.period.duration_months", "a different duration from the one the worker agreed to")
    always_less("terms.period.term", "a different kind of contract from the one the worker agreed to")

    for path in (
        "terms.transport.to_and_from_point_of_hire_paid_by",
        "terms.transport.at_job_site_paid_by",
        "terms.medical.medical_care_paid_by",
        "terms.medical.insurance_paid_by",
        "terms.repatriation.paid_by",
    ):
        claimed.add(path)
        old, new = old_flat[path], new_flat[path]
        if old != new:
            direction = _by_rank(_PAYER_RANK[PaidBy(old)], _PAYER_RANK[PaidBy(new)], True)
            add(TermDifference(path, direction, old, new, f"paid by the {old} when signed, by the {new} as presented"))
    for path, noun in (
        ("terms.repatriation.includes_repatriation_of_remains", "repatriation of remains"),
        ("terms.termination.worker_may_leave_without_penalty", "freedom to leave without penalty"),
    ):
        claimed.add(path)
        if old_flat[path] != new_flat[path]:
            add(TermDifference(path, MORE if new_flat[path] else LESS, old_flat[path], new_flat[path], noun))

    for path in ("terms.document_custody.passport_kept_by", "terms.document_custody.identity_documents_kept_by"):
        claimed.add(path)
        old, new = old_flat[path], new_flat[path]
        if old != new:
            direction = MORE if new == DocumentHolder.worker else LESS if old == DocumentHolder.worker else NEUTRAL
            add(
                TermDifference(
                    path, direction, old, new, f"documents kept by the {old} when signed, by the {new} as presented"
                )
            )

    _compare_provisions(signed, presented, rates, add)
    claim(
        "terms.food_and_housing.food.provision",
        "terms.food_and_housing.food.cash_value",
        "terms.food_and_housing.food.monthly_charge",
        "terms.food_and_housing.housing.provision",
        "terms.food_and_housing.housing.cash_value",
        "terms.food_and_housing.housing.monthly_charge",
    )
    _compare_fees(signed, presented, add)
    claim("terms.fee_statement")
    _compare_grounds(signed, presented, add)
    claim("terms.termination.grounds")

    # Whatever else changed (names, wording, contacts, dates of travel) is recorded as neutral.
    for path in sorted(set(old_flat) | set(new_flat)):
        if path not in claimed and old_flat.get(path) != new_flat.get(path):
            if path.startswith("terms.parties.worker.") and path != "terms.parties.worker.worker_id":
                # Personal data: the change is recorded, its values are not (findings are stored and shared).
                add(TermDifference(path, NEUTRAL, None, None, "the worker's personal details differ"))
                continue
            add(
                TermDifference(
                    path, NEUTRAL, old_flat.get(path), new_flat.get(path), "changed without a direction for the worker"
                )
            )
    return changes


def _compare_pay(signed: ContractTerms, presented: ContractTerms, rates: ExchangeRates, add) -> None:  # noqa: ANN001
    old, new = signed.pay, presented.pay
    old_rate = hourly_rate(
        old.amount, old.period, signed.hours.normal_hours_per_day, signed.hours.normal_hours_per_week
    )
    new_rate = hourly_rate(
        new.amount, new.period, presented.hours.normal_hours_per_day, presented.hours.normal_hours_per_week
    )
    raw = [(f"terms.pay.{name}", getattr(old, name), getattr(new, name)) for name in ("amount", "currency", "period")]
    raw = [(path, a, b) for path, a, b in raw if a != b]
    conversion = rates.rate(new.currency, old.currency)
    if conversion is None:
        why = (
            f"pay moved from {old.currency} to {new.currency} and no exchange rate is on file: "
            "a change of currency counts as less favourable"
        )
        for path, a, b in raw:
            add(TermDifference(path, LESS, str(a), str(b), why))
        add(
            TermDifference(
                "terms.pay.effective_hourly_rate",
                LESS,
                f"{_rate(old_rate / 100)} {old.currency}",
                f"{_rate(new_rate / 100)} {new.currency}",
                why,
            )
        )
        return
    converted = new_rate * conversion
    if converted == old_rate and not raw:
        return
    direction = _by_rank(old_rate, converted, True)
    why = (
        f"effective hourly pay {_rate(old_rate / 100)} {old.currency} signed, "
        f"{_rate(converted / 100)} {old.currency} presented"
    )
    if old.currency != new.currency:
        why += f" (converted at {conversion} {old.currency} per {new.currency}, the operator's rate)"
    for path, a, b in raw:
        add(TermDifference(path, direction, a, b, why))
    if converted != old_rate:
        add(
            TermDifference(
                "terms.pay.effective_hourly_rate",
                direction,
                f"{_rate(old_rate / 100)} {old.currency}",
                f"{_rate(converted / 100)} {old.currency}",
                why,
            )
        )


def _deductions_by_reason(terms: ContractTerms) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for deduction in terms.pay.deductions:
        key = (
            deduction.reason.value
            if deduction.fee_category is None
            else f"recruitment_cost_{deduction.fee_category.value}"
        )
        totals[key] += deduction.amount
    return totals


def _compare_deductions(signed: ContractTerms, presented: ContractTerms, rates: ExchangeRates, add) -> None:  # noqa: ANN001
    old, new = _deductions_by_reason(signed), _deductions_by_reason(presented)
    conversion = rates.rate(presented.pay.currency, signed.pay.currency)
    for reason in sorted(set(old) | set(new)):
        path = f"terms.pay.deductions.{reason}"
        before, after = old.get(reason, 0), new.get(reason, 0)
        if conversion is None:
            if after:
                add(
                    TermDifference(
                        path,
                        LESS,
                        before,
                        after,
                        "deductions in another currency with no exchange rate on file (fail safe)",
                    )
                )
            continue
        after_converted = Decimal(after) * conversion
        if after_converted == before:
            continue
        if before == 0:
            add(TermDifference(path, LESS, before, after, f"a new deduction ({reason}) the worker did not sign for"))
        elif after_converted > before:
            add(TermDifference(path, LESS, before, after, f"a larger deduction ({reason}) than the worker signed for"))
        else:
            add(TermDifference(path, MORE, before, after, f"a smaller deduction ({reason})"))


def _compare_provisions(signed: ContractTerms, presented: ContractTerms, rates: ExchangeRates, add) -> None:  # noqa: ANN001
    for name in ("food", "housing"):
        old, new = getattr(signed.food_and_housing, name), getattr(presented.food_and_housing, name)
        path = f"terms.food_and_housing.{name}"
        if old.provision != new.provision:
            direction = _by_rank(PROVISION_RANK[old.provision], PROVISION_RANK[new.provision], True)
            reason = f"{name}: {old.provision.value} signed, {new.provision.value} presented"
            if new.provision == Provision.charged_to_worker:
                reason += f" (a new deduction of {new.monthly_charge} a month the worker did not sign for)"
            add(TermDifference(f"{path}.provision", direction, old.provision.value, new.provision.value, reason))
        elif old.cash_value != new.cash_value and old.provision == Provision.cash_allowance:
            direction = _by_rank(old.cash_value or 0, new.cash_value or 0, True)
            add(TermDifference(f"{path}.cash_value", direction, old.cash_value, new.cash_value, f"{name} allowance"))
        elif old.monthly_charge != new.monthly_charge and old.provision == Provision.charged_to_worker:
            before, after = old.monthly_charge or 0, new.monthly_charge or 0
            # The charge is in the pay currency: compared in the signed one, fail safe without a rate.
            conversion = rates.rate(presented.pay.currency, signed.pay.currency)
            if conversion is None:
                direction, why = LESS, f"{name} charged in another currency with no exchange rate on file (fail safe)"
            else:
                direction = _by_rank(Decimal(before), Decimal(after) * conversion, False)
                why = f"{name} charged to the worker: {before} a month signed, {after} presented"
            if direction != NEUTRAL:
                add(TermDifference(f"{path}.monthly_charge", direction, before, after, why))


def _compare_fees(signed: ContractTerms, presented: ContractTerms, add) -> None:  # noqa: ANN001
    """Costs of recruitment moved to the worker, by ILO category."""

    def borne_by_worker(terms: ContractTerms) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for line in terms.fee_statement:
            if line.paid_by == PaidBy.worker:
                totals[line.category.value] += line.amount
        return totals

    def categories(terms: ContractTerms) -> dict[str, list]:
        return {
            c: sorted(
                (line.amount, line.currency, line.paid_by.value)
                for line in terms.fee_statement
                if line.category.value == c
            )
            for c in {line.category.value for line in terms.fee_statement}
        }

    old, new = borne_by_worker(signed), borne_by_worker(presented)
    for category in sorted(set(old) | set(new)):
        before, after = old.get(category, 0), new.get(category, 0)
        if after != before:
            direction = LESS if after > before else MORE
            add(
                TermDifference(
                    f"terms.fee_statement.{category}",
                    direction,
                    before,
                    after,
                    f"the worker's share of {category} costs: {before} signed, {after} presented",
                )
            )
    old_lines, new_lines = categories(signed), categories(presented)
    for category in sorted(set(old_lines) | set(new_lines)):
        if category in old or category in new:
            continue
        if old_lines.get(category) != new_lines.get(category):
            add(
                TermDifference(
                    f"terms.fee_statement.{category}",
                    NEUTRAL,
                    old_lines.get(category),
                    new_lines.get(category),
                    "an employer-paid cost restated",
                )
            )


def _compare_grounds(signed: ContractTerms, presented: ContractTerms, add) -> None:  # noqa: ANN001
    old, new = set(signed.termination.grounds), set(presented.termination.grounds)
    if new - old:
        add(
            TermDifference(
                "terms.termination.grounds",
                LESS,
                sorted(old),
                sorted(new),
                "grounds for dismissal the worker did not sign for",
            )
        )
    elif old - new:
        add(TermDifference("terms.termination.grounds", MORE, sorted(old), sorted(new), "fewer grounds for dismissal"))
