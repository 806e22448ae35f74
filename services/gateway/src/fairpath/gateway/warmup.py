"""What the gateway's own pages load on first use, loaded before it reports ready (after fairpath.common.warmup's
common warming: the pool of its database, which every authenticated request reads). The services it forwards to
may start after it: their connections are opened by the first request to each, not here."""

from fastapi import FastAPI

from fairpath.gateway.portal.plain import country_choices, language_choices, occupation_choices


async def warm_portal_choices(_: FastAPI) -> None:
    """The portal's forms' countries, languages and occupations in the default language (locale data read)."""
    country_choices()
    language_choices()
    occupation_choices()


WARMS = (warm_portal_choices,)
