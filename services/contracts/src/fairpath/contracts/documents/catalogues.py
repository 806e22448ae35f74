"""Message catalogues: one JSON file per language, each marked `draft` or `reviewed`.

A catalogue holds every sentence and label of the contract document in one language,
the script's direction and the font that covers it. A draft translation is printed on
the document as such, and the prevailing language is stated.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

REFERENCE_LANGUAGE = "en"


class TextDirection(StrEnum):
    ltr = "ltr"
    rtl = "rtl"


class TranslationStatus(StrEnum):
    """A draft translation has not been reviewed by a native speaker; the document says so."""

    draft = "draft"
    reviewed = "reviewed"


@dataclass(frozen=True)
class Catalogue:
    language: str
    name: str  # the language's own name for itself
    english_name: str
    direction: TextDirection
    status: TranslationStatus
    font: str  # a font file stem in the fonts folder
    messages: dict[str, str]

    @property
    def is_draft(self) -> bool:
        return self.status != TranslationStatus.reviewed

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key)
        if text is None:  # a key missing from a translation falls back to the reference text
            text = catalogue(REFERENCE_LANGUAGE).messages[key]
        return text.format(**values) if values else text


def _folder():  # noqa: ANN202
    return resources.files("fairpath.contracts.documents").joinpath("catalogues")


@cache
def available_languages() -> frozenset[str]:
    return frozenset(entry.name.removesuffix(".json") for entry in _folder().iterdir() if entry.name.endswith(".json"))


@cache
def catalogue(language: str) -> Catalogue:
    if language not in available_languages():
        raise KeyError(language)
    data = json.loads(_folder().joinpath(f"{language}.json").read_text(encoding="utf-8"))
    return Catalogue(
        language=data["language"],
        name=data["name"],
        english_name=data["english_name"],
        direction=TextDirection(data["direction"]),
        status=TranslationStatus(data["status"]),
        font=data["font"],
        messages=data["messages"],
    )
