"""Reference codes come from the maintained ISO lists (pycountry), not a hand-kept copy."""

import pytest
from pydantic import BaseModel, ValidationError

from fairpath.common.reference import CountryCode, CurrencyCode, LanguageTag


class Payment(BaseModel):
    country: CountryCode
    currency: CurrencyCode
    language: LanguageTag


def rules_broken(**fields) -> list[str]:
    try:
        Payment(**({"country": "NP", "currency": "NPR", "language": "ne"} | fields))
    except ValidationError as exc:
        return [error["type"] for error in exc.errors()]
    return []


def test_the_caribbean_guilder_replaced_the_antillean_one():
    assert rules_broken(currency="XCG") == []
    assert rules_broken(currency="ANG") == ["currency_code"]


@pytest.mark.parametrize("code", ["XTS", "XXX", "XAU", "XDR", "USN"])
def test_units_no_one_is_paid_in_are_not_currencies_here(code):
    assert rules_broken(currency=code) == ["currency_code"]


@pytest.mark.parametrize("tag", ["en", "ar", "ne", "bn", "id", "fil", "pt-BR", "zh-Hant-TW", "es-419"])
def test_language_tags_the_system_uses_are_accepted(tag):
    assert rules_broken(language=tag) == []


@pytest.mark.parametrize("tag", ["xx", "en-ZZ", "en-Abcd", "english", "EN"])
def test_a_tag_with_an_unknown_or_malformed_subtag_is_refused(tag):
    assert rules_broken(language=tag) == ["language_tag"]


def test_countries_come_from_the_iso_list_with_kosovo_for_the_watchlists():
    assert rules_broken(country="np") == []
    assert rules_broken(country="XK") == []
    assert rules_broken(country="AN") == ["country_code"]  # the Netherlands Antilles, dissolved in 2010
