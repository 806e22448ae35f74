"""The portal's languages: gettext catalogues (Babel .po files under locale/), read when the module is imported,
so nothing is compiled before the gateway runs. The worker's pages come in the six contract languages; the other
roles' pages are in English, every string in the catalogues so they can be translated later.

A catalogue whose header is marked fuzzy has not been reviewed by a translator: its pages say so.

To bring the catalogues up to date after a template changes (from services/gateway/src/fairpath/gateway/portal):
`pybabel extract -F locale/babel.cfg -k _ -k N_ -o locale/messages.pot .`, then
`pybabel update -i locale/messages.pot -d locale`."""

import gettext
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
# The contract languages, each named in its own language (for the language switch).
LANGUAGES = {
    "en": "English",
    "ar": "العربية",
    "ne": "नेपाली",
    "bn": "বাংলা",
    "id": "Bahasa Indonesia",
    "fil": "Filipino",
}
RIGHT_TO_LEFT = frozenset({"ar"})


def N_(message: str) -> str:
    """Marks a string for the catalogues (the gettext convention), leaving it as it is."""
    return message


# Words the pages show from the API's values (roles, statuses) and the navigation's labels, so that the
# catalogues hold them too.
DYNAMIC_MESSAGES = (
    N_("admin"),
    N_("compliance officer"),
    N_("agency"),
    N_("employer"),
    N_("auditor"),
    N_("worker"),
    N_("draft"),
    N_("issued"),
    N_("signed"),
    N_("active"),
    N_("disputed"),
    N_("completed"),
    N_("terminated"),
    N_("received"),
    N_("under investigation"),
    N_("substantiated"),
    N_("unsubstantiated"),
    N_("resolved"),
    N_("registered"),
    N_("under review"),
    N_("approved"),
    N_("conditionally approved"),
    N_("rejected"),
    N_("suspended"),
    N_("expired"),
    N_("Business and vetting"),
    N_("Job orders"),
    N_("Contracts"),
    N_("Grievances"),
    N_("My contracts"),
    N_("My grievances"),
    N_("My fee reports"),
    N_("licence missing"),
    N_("licence expired"),
    N_("licence not in register"),
    N_("self assessment non compliant"),
    N_("screening match"),
    N_("contract substitution"),
    N_("worker paid fee"),
    N_("substantiated grievance"),
    N_("retaliation"),
    N_("low"),
    N_("medium"),
    N_("high"),
    N_("critical"),
    N_("open"),
    N_("not applicable"),
    N_("owed"),
    N_("promised"),
    N_("paid"),
    N_("confirmed"),
    N_("disputed"),
)

# A fee's category and how it was paid, in words (the API's codes are the keys).
FEE_CATEGORIES = {
    "recruitment_fee": N_("Recruitment or placement fee"),
    "medical": N_("Medical examination"),
    "insurance": N_("Insurance"),
    "skills_tests": N_("Skills or language test"),
    "training": N_("Training or orientation"),
    "equipment": N_("Tools, uniform or equipment"),
    "travel_lodging": N_("Travel or lodging"),
    "administrative": N_("Documents, visa or other paperwork"),
    "illegitimate": N_("A bribe, gift or other payment asked of me"),
}
PAYMENT_METHODS = {
    "cash": N_("Cash"),
    "wage_deduction": N_("Taken from my wages"),
    "loan": N_("A loan I must repay"),
    "deposit": N_("A deposit"),
    "bank_transfer": N_("Bank transfer"),
    "other": N_("Another way"),
}


@dataclass(frozen=True)
class Language:
    code: str
    translations: gettext.NullTranslations
    reviewed: bool

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"

    @property
    def name(self) -> str:
        return LANGUAGES[self.code]

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)


def _load(code: str) -> Language:
    path = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Language(code, gettext.NullTranslations(), reviewed=code == DEFAULT_LANGUAGE)
    with path.open("rb") as f:
        catalog = read_po(f, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy messages left out, as gettext does
    compiled.seek(0)
    return Language(code, Translations(fp=compiled), reviewed=code == DEFAULT_LANGUAGE or not catalog.fuzzy)


CATALOGUES: dict[str, Language] = {code: _load(code) for code in LANGUAGES}


def language(code: str | None) -> Language:
    """The catalogue for a language tag (`ar`, `fil-PH`, ...), English when there is none for it."""
    if code:
        base = code.split("-")[0].lower()
        if base in CATALOGUES:
            return CATALOGUES[base]
    return CATALOGUES[DEFAULT_LANGUAGE]
