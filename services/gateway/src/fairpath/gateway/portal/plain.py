"""What the pages say in people's words rather than the API's: a rule a form broke, said of the field by its
label ("Gross pay per period: enter a number greater than 0." for `terms.pay.amount`, rule `greater_than`), and
a date or a moment as the reader's language writes it ("March 1, 2026", not `2026-03-01T00:00:00Z`).

The API's own rules (below the job order's offer, the passport kept by the worker...) are said in words already:
they are shown as the API words them. The input-shape rules come from the services' validation (pydantic's
error types): each has its sentence here."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pycountry
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from fairpath.common.occupations import isco08, occupation
from fairpath.gateway.portal.i18n import DEFAULT_LANGUAGE, N_

Gettext = Callable[[str], str]
# What an absent value is shown as.
ABSENT = "—"

# The input-shape rules, each said as what to do (the limit, when there is one, from the API's message).
_SAID = {
    "missing": N_("fill this in."),
    "string_too_short": N_("fill this in."),
    "too_short": N_("fill this in."),
    "string_type": N_("fill this in."),
    "string_too_long": N_("shorten it to {limit} characters at most."),
    "greater_than": N_("enter a number greater than {limit}."),
    "greater_than_equal": N_("enter {limit} or more."),
    "less_than": N_("enter a number less than {limit}."),
    "less_than_equal": N_("enter {limit} or less."),
    "int_parsing": N_("enter a whole number."),
    "int_type": N_("enter a whole number."),
    "int_from_float": N_("enter a whole number."),
    "float_parsing": N_("enter a number."),
    "float_type": N_("enter a number."),
    "decimal_parsing": N_("enter a number."),
    "date_parsing": N_("enter a date."),
    "date_from_datetime_parsing": N_("enter a date."),
    "date_type": N_("enter a date."),
    "datetime_parsing": N_("enter a date."),
    "datetime_from_date_parsing": N_("enter a date."),
    "enum": N_("choose one of the options."),
    "literal_error": N_("choose one of the options."),
    "uuid_parsing": N_("choose one of the options."),
    "uuid_type": N_("choose one of the options."),
    "bool_parsing": N_("choose yes or no."),
    "string_pattern_mismatch": N_("check how it is written."),
    "list_type": N_("choose one of the options."),
    "extra_forbidden": N_("leave this out."),
    "country_code": N_("enter a country as its two letters, e.g. AE or NP."),
    "currency_code": N_("enter a currency as its three letters, e.g. AED or NPR."),
    "language_tag": N_("enter a language as its code, e.g. en, ar or ne."),
    "isco08": N_("enter an occupation as its ISCO-08 code, e.g. 7112."),
    "control_character": N_("remove the control characters."),
    "date_in_future": N_("enter a date that is not in the future."),
    "valid_period": N_("enter a date after the day it is valid from."),
}
_LIMIT = re.compile(r"(?:than|to|most|least) (?:or equal to )?(-?\d+(?:\.\d+)?)")
_CODE = re.compile(r"\b([a-z]+(?:_[a-z0-9]+)+)\b")


def said(violation: dict[str, Any], label: str | None, gettext: Gettext) -> str:
    """A violation (`field`, `rule`, `message`) as the page says it: its field named by the form's label, the rule
    as what to do about it. A rule of the API's own keeps its words (capitalised, codes as words)."""
    rule = str(violation.get("rule") or "")
    message = str(violation.get("message") or rule)
    template = _SAID.get(rule)
    if template is not None:
        limit = _LIMIT.search(message)
        text = gettext(template).format(limit=limit.group(1) if limit else "")
    else:
        text = _CODE.sub(lambda m: m.group(1).replace("_", " "), message.removeprefix("Value error, "))
        text = text if text.endswith((".", "!", "?")) else f"{text}."
    if label:
        return f"{label}: {text}"
    return text[:1].upper() + text[1:]


# --- dates --------------------------------------------------------------------------------------------------------


def _parsed(value: Any) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _locale(context: Context) -> str:
    shown = context.get("lang")
    return getattr(shown, "code", None) or DEFAULT_LANGUAGE


def readable_day(value: Any, locale: str = DEFAULT_LANGUAGE) -> str:
    """A date (or the day of a moment, in UTC) as the language writes it: `March 1, 2026`; ABSENT when none."""
    found = _parsed(value)
    if found is None:
        return ABSENT if not value else str(value)
    if isinstance(found, datetime):
        found = found.astimezone(UTC).date() if found.tzinfo else found.date()
    return format_date(found, "long", locale=locale)


def readable_moment(value: Any, locale: str = DEFAULT_LANGUAGE) -> str:
    """A moment as the language writes it, to the minute, in UTC: `March 1, 2026, 9:00 AM UTC`."""
    found = _parsed(value)
    if not isinstance(found, datetime):
        return readable_day(value, locale)
    found = found.astimezone(UTC) if found.tzinfo else found.replace(tzinfo=UTC)
    return f"{format_date(found, 'long', locale=locale)}, {format_time(found, 'short', locale=locale)} UTC"


def _time(value: Any, text: str) -> Markup:
    if _parsed(value) is None:
        return Markup(escape(text))
    return Markup('<time datetime="{}">{}</time>').format(str(value), text)


@pass_context
def day(context: Context, value: Any) -> Markup:
    """Template filter `day`: a <time> element holding the date as given, showing it readably."""
    return _time(value, readable_day(value, _locale(context)))


@pass_context
def moment(context: Context, value: Any) -> Markup:
    """Template filter `moment`: as `day`, with the time of day (UTC)."""
    return _time(value, readable_moment(value, _locale(context)))


def occupation_title(code: Any) -> str:
    """An ISCO-08 code as its title ("Bricklayers and related workers", not 7112), the code when it is none."""
    found = occupation(str(code)) if code else None
    return found.title if found is not None else (str(code) if code else ABSENT)


def country_name(code: Any, locale: str = DEFAULT_LANGUAGE) -> str:
    """An ISO 3166 country code as the language names the country ("United Arab Emirates", "الإمارات العربية
    المتحدة"), from the CLDR data Babel ships; the code itself when it names none."""
    if not code:
        return ABSENT
    try:
        names = Locale.parse(locale).territories
    except (ValueError, UnknownLocaleError):
        names = Locale.parse(DEFAULT_LANGUAGE).territories
    return names.get(str(code).upper(), str(code))


@pass_context
def country(context: Context, code: Any) -> str:
    """Template filter `country`: a country code as the reader's language names it."""
    return country_name(code, _locale(context))


def _names(locale: str, kind: str) -> dict[str, str]:
    try:
        return getattr(Locale.parse(locale), kind)
    except (ValueError, UnknownLocaleError):
        return getattr(Locale.parse(DEFAULT_LANGUAGE), kind)


@cache
def country_choices(locale: str = DEFAULT_LANGUAGE) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166 country as (code, its name in the language), in the order of the names."""
    names = _names(locale, "territories")
    found = ((c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries)
    return tuple(sorted(found, key=lambda pair: pair[1].casefold()))


@cache
def language_choices(locale: str = DEFAULT_LANGUAGE) -> tuple[tuple[str, str], ...]:
    """The languages with a two-letter ISO 639-1 code (and Filipino), as (code, the language's name in the
    reader's language), in the order of the names: what a worker is registered as speaking."""
    names = _names(locale, "languages")
    codes = {language.alpha_2: language.name for language in pycountry.languages if hasattr(language, "alpha_2")}
    codes["fil"] = "Filipino"
    found = ((code, names.get(code, fallback)) for code, fallback in codes.items())
    return tuple(sorted(found, key=lambda pair: pair[1].casefold()))


@cache
def occupation_choices() -> tuple[tuple[str, str], ...]:
    """The ISCO-08 unit groups as (code, "title (code)"), in the order of the titles."""
    units = (o for o in isco08().values() if o.level == "unit")
    return tuple(sorted(((o.code, f"{o.title} ({o.code})") for o in units), key=lambda pair: pair[1].casefold()))


@pass_context
def countries(context: Context) -> tuple[tuple[str, str], ...]:
    """Template global: the countries to choose from, named in the reader's language."""
    return country_choices(_locale(context))


@pass_context
def languages(context: Context) -> tuple[tuple[str, str], ...]:
    """Template global: the languages to choose from, named in the reader's language."""
    return language_choices(_locale(context))


FILTERS = {"day": day, "moment": moment, "occupation": occupation_title, "country": country}
CHOICES = {"countries": countries, "world_languages": languages, "occupations": occupation_choices}
