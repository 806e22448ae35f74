"""Benchmark: contract documents per second for each shipped language (HTML and PDF), and the substitution
comparison beside a bare JSON diff of the same two versions.

    ./fairpath bench contracts [--documents N] [--comparisons N] [--rounds R]

Rendering is measured without the service's cache of rendered PDFs (what a first request costs);
every PDF is bilingual, the worker's language beside Arabic (the destination, Qatar), with the
Noto fonts embedded and complex scripts shaped by HarfBuzz. The comparison classifies every
changed term (effective hourly pay, deductions, costs, custody...); the bare diff only lists the
paths whose values differ. Absolute figures depend on the machine; the ratios are the result.
"""

import argparse
import copy
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fairpath.contracts.config import FONTS_DIR
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.documents.catalogues import available_languages
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.render import document_languages, render_html, render_pdf
from fairpath.contracts.reference.service import ExchangeRates
from fairpath.contracts.substitution.service import compare_terms

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "contracts"))
from tests.conftest import contract_terms

LANGUAGES = ["en", "ar", "ne", "bn", "id", "fil"]
NAMES = [
    "Sita Kumari Tamang",
    "Mohammad Rahim Uddin",
    "Siti Nurhaliza Binti Ahmad",
    "Maria Clara Dela Cruz",
    "Ram Bahadur Gurung",
    "Abdul Karim Sheikh",
]


def facts(i: int) -> DocumentFacts:
    terms = contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), departure_in_days=30 + i % 20)
    terms["parties"]["worker"]["full_name"] = NAMES[i % len(NAMES)]
    terms["pay"]["amount"] = 180000 + 500 * (i % 7)
    return DocumentFacts(
        f"bench-{i}",
        ContractState.issued,
        1,
        f"{i:064x}",
        ContractTerms.model_validate(terms),
        issued_at=datetime.now(UTC) - timedelta(days=1),
    )


def rate(fn, items: list, rounds: int) -> float:
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        results.append(len(items) / (time.perf_counter() - start))
    return statistics.median(results)


def bare_json_diff(old: dict, new: dict) -> list[str]:
    """The paths whose values differ, nothing more."""

    def flatten(value, prefix: str, out: dict) -> dict:
        if isinstance(value, dict):
            for key, item in value.items():
                flatten(item, f"{prefix}.{key}", out)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                flatten(item, f"{prefix}.{index}", out)
        else:
            out[prefix] = value
        return out

    a, b = flatten(old, "terms", {}), flatten(new, "terms", {})
    return [path for path in sorted(a.keys() | b.keys()) if a.get(path) != b.get(path)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=6, help="PDFs per language and round")
    parser.add_argument("--html-documents", type=int, default=200, help="HTML documents per language and round")
    parser.add_argument("--comparisons", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assert set(LANGUAGES) <= available_languages()

    print(f"contract documents, bilingual with Arabic (medians of {args.rounds} rounds)")
    print(f"  {'language':<10}{'HTML/s':>10}{'PDF/s':>10}{'PDF kB':>9}{'HTML/PDF':>10}")
    render_pdf(facts(0), ["en", "ar"], FONTS_DIR)  # warm up: fonts, caches
    pdf_rates = []
    for language in LANGUAGES:
        docs = [facts(i) for i in range(max(args.documents, args.html_documents))]
        html = rate(lambda f: render_html(f, document_languages(f, language)), docs[: args.html_documents], args.rounds)
        pdf = rate(
            lambda f: render_pdf(f, document_languages(f, language), FONTS_DIR), docs[: args.documents], args.rounds
        )
        size = len(render_pdf(docs[0], document_languages(docs[0], language), FONTS_DIR)) / 1024
        pdf_rates.append(pdf)
        print(f"  {language:<10}{html:>10,.0f}{pdf:>10,.2f}{size:>9,.0f}{html / pdf:>10,.0f}x")
    print(
        f"  PDF on one core, all languages: {statistics.mean(pdf_rates):.2f} contracts/s "
        "(the service caches a rendered version: a repeat request is not re-drawn)"
    )

    signed = contract_terms(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    presented = copy.deepcopy(signed)
    presented["pay"] |= {"amount": 45000, "currency": "USD", "period": "week"}
    presented["pay"]["deductions"].append({"reason": "housing", "description": "bed space", "amount": 5000})
    presented["hours"]["normal_hours_per_week"] = 54
    presented["document_custody"]["passport_kept_by"] = "employer"
    presented["fee_statement"][1]["paid_by"] = "worker"
    presented["workplace"]["city"] = "Mesaieed"
    rates = ExchangeRates({("USD", "QAR"): Decimal("3.64")})
    signed_model, presented_model = ContractTerms.model_validate(signed), ContractTerms.model_validate(presented)
    pairs = [(signed_model, presented_model)] * args.comparisons
    dict_pairs = [(signed, presented)] * args.comparisons
    classified = rate(lambda pair: compare_terms(pair[0], pair[1], rates), pairs, args.rounds)
    with_parsing = rate(
        lambda pair: compare_terms(ContractTerms.model_validate(pair[0]), ContractTerms.model_validate(pair[1]), rates),
        dict_pairs,
        args.rounds,
    )
    bare = rate(lambda pair: bare_json_diff(pair[0], pair[1]), dict_pairs, args.rounds)
    changes = compare_terms(signed_model, presented_model, rates)
    print(
        f"\nsubstitution comparison of two versions ({len(changes)} classified changes, "
        f"{len(bare_json_diff(signed, presented))} differing JSON paths), medians of {args.rounds} rounds"
    )
    print(f"  bare JSON diff                      : {bare:10,.0f} comparisons/s")
    print(
        f"  classified comparison               : {classified:10,.0f} comparisons/s  "
        f"(ratio to bare diff {classified / bare:.2f})"
    )
    print(
        f"  classified, parsing both versions   : {with_parsing:10,.0f} comparisons/s  "
        f"(ratio to bare diff {with_parsing / bare:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
