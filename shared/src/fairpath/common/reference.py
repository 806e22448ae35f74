"""Reference codes the whole system validates against: ISO 3166-1 alpha-2 countries,
ISO 4217 currencies, BCP 47 language tags, ISIC Rev.4 sections.

Countries, currencies, languages and scripts come from pycountry (the ISO lists Debian's
iso-codes keeps), so they change when the standards do; only ISIC's sections are kept here."""

import re
from typing import Annotated

import pycountry
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# ISO 3166-1 alpha-2, from pycountry (updated with it), and XK: Kosovo's code, user-assigned
# but used by the sanctions and debarment lists screening reads.
COUNTRIES = frozenset({country.alpha_2 for country in pycountry.countries} | {"XK"})

# ISO 4217 currencies a wage or a fee is paid in, from pycountry: its list less the units no one is
# paid in (precious metals, bond-market units, drawing rights, testing and "no currency" codes) and
# the fund codes that sit beside a circulating currency.
NOT_PAYABLE = frozenset(
    {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XAD", "XTS", "XXX"}
    | {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"}
)
CURRENCIES = frozenset(currency.alpha_3 for currency in pycountry.currencies) - NOT_PAYABLE

ISIC_SECTIONS = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service activities",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers",
    "U": "Activities of extraterritorial organizations and bodies",
}

# language[-Script][-REGION]: the well-formed part of BCP 47 the system uses; each subtag is then
# looked up (ISO 639 languages, ISO 15924 scripts, ISO 3166-1 regions or UN M.49 area numbers).
_BCP47 = re.compile(r"^(?P<language>[a-z]{2,3})(-(?P<script>[A-Z][a-z]{3}))?(-(?P<region>[A-Z]{2}|\d{3}))?$")


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise PydanticCustomError("country_code", "not an ISO 3166-1 alpha-2 country code")
    return code


def _currency(value: str) -> str:
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise PydanticCustomError("currency_code", "not an ISO 4217 currency code")
    return code


def is_language_tag(value: str) -> bool:
    match = _BCP47.match(value)
    if match is None:
        return False
    language, script, region = match["language"], match["script"], match["region"]
    known_language = (
        pycountry.languages.get(alpha_2=language) if len(language) == 2 else pycountry.languages.get(alpha_3=language)
    )
    return (
        known_language is not None
        and (script is None or pycountry.scripts.get(alpha_4=script) is not None)
        and (region is None or region.isdigit() or region in COUNTRIES)
    )


def _language(value: str) -> str:
    if not is_language_tag(value):
        raise PydanticCustomError("language_tag", "not a BCP 47 language tag (e.g. en, ar, ne, bn, id, fil, pt-BR)")
    return value


def _sector(value: str) -> str:
    code = value.strip().upper()
    if code not in ISIC_SECTIONS:
        raise PydanticCustomError("isic_section", "not an ISIC Rev.4 section (A to U)")
    return code


CountryCode = Annotated[str, AfterValidator(_country)]
CurrencyCode = Annotated[str, AfterValidator(_currency)]
LanguageTag = Annotated[str, AfterValidator(_language)]
IsicSection = Annotated[str, AfterValidator(_sector)]
