"""Benchmark: contract documents per second for each shipped language (HTML and PDF), and the substitution
comparison beside a bare JSON diff of the same two versions.

    ./fairpath bench contracts [--documents N] [--comparisons N] [--rounds R]

Rendering is measured without the service's cache of rendered PDFs (what a first request costs), each
document a different contract (worker, pay, dates, hash); every PDF is bilingual, the worker's language
beside Arabic (the destination, Qatar), with the Noto fonts embedded and complex scripts shaped. The
process is pinned to one core and rates are per second of that core's CPU time, so other work on the
machine does not count against them (the load average is printed). PDFs are set by Typst (pdf.py), which
keeps the rows it has laid out from one document to the next: the rate by language is documents in one
language after another, the interleaved rate every language in turn. The comparison classifies every
changed term (effective hourly pay, deductions, costs, custody...); the bare diff only lists the
paths whose values differ. Absolute figures depend on the machine; the ratios are the result.
"""

import argparse
import copy
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fairpath.contracts.config import FONTS_DIR
from fairpath.contracts.contracts.codes import new_code
from fairpath.contracts.contracts.tables import ContractState
from fairpath.contracts.contracts.terms import ContractTerms
from fairpath.contracts.documents.catalogues import available_languages
from fairpath.contracts.documents.content import DocumentFacts
from fairpath.contracts.documents.pdf import render_pdf
from fairpath.contracts.documents.render import document_languages, render_html
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
        verification_code=new_code(),  # each document its own QR code, as each version has
    )


def rate(fn, items: list, rounds: int) -> float:
    """Items per second of CPU time (the process is pinned to one core: its threads cannot add up)."""
    results = []
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            fn(item)
        results.append(len(items) / max(time.process_time() - start, 1e-9))
    return statistics.median(results)


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


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
    parser.add_argument("--documents", type=int, default=40, help="PDFs per language and round")
    parser.add_argument("--html-documents", type=int, default=200, help="HTML documents per language and round")
    parser.add_argument("--comparisons", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assert set(LANGUAGES) <= available_languages()

    pinned = pin_to_one_core()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"contract documents, bilingual with Arabic (medians of {args.rounds} rounds; {pinned}; load {load})")
    print(f"  {'language':<10}{'HTML/s':>9}{'PDF/s':>9}{'HTML/PDF':>10}{'PDF kB':>8}")
    docs = [facts(i) for i in range(max(args.documents * args.rounds, args.html_documents) + 1)]
    render_pdf(docs[-1], ["en", "ar"], FONTS_DIR)  # warm up: fonts, template
    pdf_rates = []
    for language in LANGUAGES:
        html = rate(lambda f: render_html(f, document_languages(f, language)), docs[: args.html_documents], args.rounds)
        # A different contract in every round too: one already drawn would only measure Typst's memory of it.
        pdf = statistics.median(
            rate(lambda f: render_pdf(f, document_languages(f, language), FONTS_DIR), docs[r :: args.rounds], 1)
            for r in range(args.rounds)
        )
        size = len(render_pdf(docs[0], document_languages(docs[0], language), FONTS_DIR)) / 1024
        pdf_rates.append(pdf)
        print(f"  {language:<10}{html:>9,.0f}{pdf:>9,.1f}{html / pdf:>9,.0f}x{size:>8,.0f}")
    mixed = rate(
        lambda item: render_pdf(item[1], document_languages(item[1], LANGUAGES[item[0] % len(LANGUAGES)]), FONTS_DIR),
        list(enumerate(docs[: args.documents * 2])),
        args.rounds,
    )
    print(
        f"  PDF on one core: {min(pdf_rates):.1f} to {max(pdf_rates):.1f} contracts/s by language, "
        f"{mixed:.1f}/s with the languages interleaved (the service also caches a rendered version: "
        "a repeat request is not re-drawn)"
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
