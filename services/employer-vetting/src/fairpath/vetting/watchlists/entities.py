"""Listed entities: read from FollowTheMoney JSON lines or CSV, hashed by content, and keyed for retrieval.

The same functions build the keys of a listed entity and of a business being screened, so the
two sides of a lookup are always normalised alike (rigour's analysis, which logic-v2 scores with).
"""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.exc import FollowTheMoneyException
from rigour.names import NamePartTag, NameTypeTag, analyze_names
from rigour.names.org_types import remove_org_types

# Kept for matching: names, countries, identifiers and the few facts logic-v2 weighs. The rest of an
# OpenSanctions record (sources, notes, URLs) is not needed to screen and would only swell the rows.
_KEPT_TYPES = frozenset({"name", "country", "identifier", "gender", "address"})
_KEPT_DATES = frozenset({"birthDate", "incorporationDate"})
NAME_PROPERTIES = ("name", "alias", "previousName", "abbreviation", "weakAlias")
IDENTIFIER_PROPERTIES = ("registrationNumber", "taxNumber", "innCode", "ogrnCode", "leiCode", "vatCode", "idNumber")

# Legal forms and their fragments are shared by thousands of entries and identify none of them,
# so they make no retrieval keys (rigour's org-type removal misses some abbreviations).
_LEGAL_FORM_TOKENS = frozenset(
    {
        "llc",
        "ltd",
        "limited",
        "pvt",
        "private",
        "plc",
        "llp",
        "lp",
        "inc",
        "corp",
        "co",
        "coltd",
        "company",
        "sdn",
        "bhd",
        "berhad",
        "est",
        "establishment",
        "fze",
        "fzco",
        "fzc",
        "fzllc",
        "wll",
        "jsc",
        "pjsc",
        "ojsc",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "ag",
        "gmbh",
        "kg",
        "bv",
        "nv",
        "pt",
        "tbk",
        "cv",
        "pte",
        "pty",
        "as",
        "ab",
    }
)
_NOT_IDENTIFIER_CHARS = re.compile(r"[^0-9A-Za-z]+")
# The list's ids travel in `vetting.screening.matched` events, whose model allows only these characters.
_ENTITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,299}$")
MAX_KEY_LENGTH = 120


class EntityRejected(ValueError):
    """A line that cannot be loaded; the message says why (it is shown with the line number)."""


@dataclass(frozen=True)
class ListedEntity:
    entity_id: str
    schema_name: str
    caption: str
    properties: dict[str, list[str]]
    content_hash: str


def screened_schema(schema_name: str) -> bool:
    """Parties a business can be: companies, organisations, legal entities and people (its directors)."""
    schema = model.get(schema_name)
    return schema is not None and schema.is_a("LegalEntity")


def _kept_properties(proxy: EntityProxy) -> dict[str, list[str]]:
    kept: dict[str, list[str]] = {}
    for prop, values in proxy.to_dict()["properties"].items():
        definition = proxy.schema.get(prop)
        if definition is None:
            continue
        if definition.type.name in _KEPT_TYPES or prop in _KEPT_DATES:
            kept[prop] = sorted(set(values))
    return dict(sorted(kept.items()))


def content_hash(schema_name: str, properties: dict[str, list[str]]) -> str:
    canonical = json.dumps(
        {"schema": schema_name, "properties": properties}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _from_proxy_data(data: dict[str, Any]) -> ListedEntity | None:
    """None for a valid entity of a schema that is not screened (a vessel, a sanction programme)."""
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not _ENTITY_ID.match(entity_id):
        raise EntityRejected("the entity id must be 1 to 300 letters, digits, '.', '_', ':' or '-'")
    schema_name = data.get("schema")
    if not isinstance(schema_name, str) or model.get(schema_name) is None:
        raise EntityRejected(f"unknown FollowTheMoney schema {str(schema_name)[:40]!r}")
    if not screened_schema(schema_name):
        return None
    if not isinstance(data.get("properties", {}), dict):
        raise EntityRejected("properties must be an object of lists")
    try:
        proxy = model.get_proxy(data, cleaned=False)
    except (FollowTheMoneyException, TypeError, ValueError) as exc:
        raise EntityRejected(f"not a FollowTheMoney entity: {str(exc)[:200]}") from None
    properties = _kept_properties(proxy)
    if not any(properties.get(prop) for prop in NAME_PROPERTIES):
        raise EntityRejected("the entity has no name")
    return ListedEntity(
        entity_id=entity_id,
        schema_name=proxy.schema.name,
        caption=proxy.caption[:500],
        properties=properties,
        content_hash=content_hash(proxy.schema.name, properties),
    )


def parse_ftm_line(line: str) -> ListedEntity | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EntityRejected(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise EntityRejected("a line must hold one JSON object (a FollowTheMoney entity)")
    return _from_proxy_data(data)


# CSV columns, by the names operators' own lists use, mapped to FollowTheMoney properties.
_CSV_COLUMNS = {
    "name": "name",
    "legal_name": "name",
    "aliases": "alias",
    "alias": "alias",
    "other_names": "alias",
    "country": "country",
    "countries": "country",
    "jurisdiction": "jurisdiction",
    "registration_number": "registrationNumber",
    "tax_number": "taxNumber",
    "birth_date": "birthDate",
}
_CSV_SEPARATOR = re.compile(r"\s*[;|]\s*")


class CsvLayout:
    """The header of a CSV upload: which column holds what."""

    def __init__(self, header: list[str]) -> None:
        columns = [c.strip().lower() for c in header]
        if "name" not in columns and "legal_name" not in columns:
            raise EntityRejected("the header has no name column (expected name,aliases,country,registration_number,id)")
        self.columns = columns

    def parse(self, values: list[str]) -> ListedEntity | None:
        """One record's fields (as the csv module read them) as an entity; None for a schema not screened."""
        if len(values) > len(self.columns):
            raise EntityRejected(f"{len(values)} fields, the header has {len(self.columns)}")
        row = dict(zip(self.columns, (v.strip() for v in values), strict=False))
        schema_name = row.get("schema") or "Company"
        properties: dict[str, list[str]] = {}
        for column, value in row.items():
            prop = _CSV_COLUMNS.get(column)
            if prop is None or not value:
                continue
            parts = _CSV_SEPARATOR.split(value) if prop in ("alias", "country") else [value]
            properties.setdefault(prop, []).extend(p for p in parts if p)
        if not properties.get("name"):
            raise EntityRejected("the name is empty")
        entity_id = row.get("id") or "csv-" + content_hash(schema_name, properties)[:24]
        return _from_proxy_data({"id": entity_id, "schema": schema_name, "properties": properties})


def identifier_key(value: str) -> str:
    return _NOT_IDENTIFIER_CHARS.sub("", value).upper()


def _type_tag(schema_name: str) -> NameTypeTag:
    if schema_name == "Person":
        return NameTypeTag.PER
    if schema_name in ("Company", "Organization", "PublicBody"):
        return NameTypeTag.ORG
    return NameTypeTag.ENT


@dataclass(frozen=True)
class NameKeys:
    """The retrieval keys of one party, grouped: one group per name token (its text and its metaphone),
    one per identifier; for each name, its token groups, so a lookup can tell a full match; and the
    name's skeletons (the name with one word left out), so names alike but for one word meet."""

    tokens: dict[str, frozenset[str]]  # token -> its keys
    names: list[frozenset[str]]  # per name: its tokens
    identifiers: frozenset[str]
    skeletons: frozenset[str] = frozenset()

    def all(self) -> set[str]:
        return set(self.identifiers).union(self.skeletons, *self.tokens.values())


def token_key(token: str) -> str:
    return f"t:{token}"[:MAX_KEY_LENGTH]


# A skeleton key is a name with one of its words left out: "X Marine Pvt Ltd" and "Y Marine Pvt Ltd" share
# "marine pvt ltd". logic-v2 scores such names 0.70 or more when the words they share weigh enough
# (generic words and legal forms count), though neither name has a rare word the other holds.
# A name of two words leaves one, too little to reach the threshold; past eight words, the keys
# multiply for names the other keys find anyway.
_SKELETON_PARTS = range(3, 9)


def _skeletons(tag: NameTypeTag, names: list[str]) -> set[str]:
    keys = set()
    for name in analyze_names(tag, names, consolidate=False, symbols=False, phonetics=False):
        parts = [part.comparable for part in name.parts]
        if len(parts) not in _SKELETON_PARTS:
            continue
        for i in range(len(parts)):
            keys.add(("w:" + " ".join(sorted(parts[:i] + parts[i + 1 :])))[:MAX_KEY_LENGTH])
    return keys


def name_keys(schema_name: str, names: list[str], identifiers: list[str]) -> NameKeys:
    """Keys an entity is found by: each identifying name token (`t:`), its metaphone (`m:`), so spelling
    and transliteration variants meet, each skeleton of its names (`w:`) and each identifier (`r:`)."""
    tag = _type_tag(schema_name)
    skeletons = _skeletons(tag, names)
    if tag != NameTypeTag.PER:
        names = [remove_org_types(n) or n for n in names]
    tokens: dict[str, frozenset[str]] = {}
    per_name: list[frozenset[str]] = []
    for name in analyze_names(tag, names, consolidate=False, symbols=False):
        mine = set()
        for part in name.parts:
            if part.tag == NamePartTag.STOP or part.comparable in _LEGAL_FORM_TOKENS or len(part.comparable) < 2:
                continue
            keys = {token_key(part.comparable)}
            if part.metaphone:
                keys.add(f"m:{part.metaphone}"[:MAX_KEY_LENGTH])
            tokens[part.comparable] = frozenset(keys)
            mine.add(part.comparable)
        if mine:
            per_name.append(frozenset(mine))
    registered = {f"r:{key}"[:MAX_KEY_LENGTH] for key in map(identifier_key, identifiers) if len(key) >= 3}
    return NameKeys(tokens=tokens, names=per_name, identifiers=frozenset(registered), skeletons=frozenset(skeletons))


# Spelling variants: a word's deletion neighbourhood (the word with up to two letters left out). Two words
# within two edits of each other share a variant, so a screening finds a listed word it never spelt
# exactly ("Relele" for "Rilepe"), which logic-v2 still scores as a fuzzy match beside other shared words.
FUZZY_MIN_LENGTH = 4
_FUZZY_MAX_LENGTH = 20


def max_edits(term: str) -> int:
    """Edits logic-v2's fuzzy matching tolerates in a word of this length (rigour's budget grows with it)."""
    return 0 if len(term) < FUZZY_MIN_LENGTH else 1 if len(term) == FUZZY_MIN_LENGTH else 2


def term_variants(term: str) -> set[str]:
    if len(term) > _FUZZY_MAX_LENGTH:
        return {term}
    variants = {term}
    frontier = {term}
    for _ in range(max_edits(term)):
        frontier = {word[:i] + word[i + 1 :] for word in frontier for i in range(len(word))}
        variants |= frontier
    return variants


def entity_name_keys(entity: ListedEntity) -> NameKeys:
    names = [n for prop in NAME_PROPERTIES for n in entity.properties.get(prop, [])]
    identifiers = [i for prop in IDENTIFIER_PROPERTIES for i in entity.properties.get(prop, [])]
    return name_keys(entity.schema_name, names, identifiers)


def matching_proxy(entry_id: str, content: str, schema_name: str, properties: dict[str, list[str]]) -> EntityProxy:
    """The entity logic-v2 scores. Its id carries the content hash because logic-v2 caches name analysis
    by entity id: an entry that changed must not be scored with its old names."""
    return model.get_proxy(
        {"id": f"{entry_id}:{content}", "schema": schema_name, "properties": properties}, cleaned=True
    )
