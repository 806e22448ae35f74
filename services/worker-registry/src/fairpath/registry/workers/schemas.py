"""API models of the workers domain: registration, changes, consent, and the worker as each role may see it."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from fairpath.common.domain_codes import ConsentPurpose
from fairpath.common.occupations import OccupationCode
from fairpath.common.reference import CountryCode, LanguageTag
from fairpath.common.text import EARLIEST_PLAUSIBLE, PastDate, check_date, single_line
from fairpath.common.timeutil import utcnow


class WorkerStatus(StrEnum):
    active = "active"
    erased = "erased"  # personal data removed; the compliance facts stay under a pseudonym


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    undisclosed = "undisclosed"


class Education(StrEnum):
    """Highest level completed, after ISCED 2011 bands."""

    none = "none"
    primary = "primary"
    lower_secondary = "lower_secondary"
    upper_secondary = "upper_secondary"
    post_secondary_vocational = "post_secondary_vocational"
    tertiary = "tertiary"


class Proficiency(StrEnum):
    basic = "basic"
    conversational = "conversational"
    fluent = "fluent"
    native = "native"


class SkillLevel(StrEnum):
    trainee = "trainee"
    semi_skilled = "semi_skilled"
    skilled = "skilled"
    highly_skilled = "highly_skilled"


PROFICIENCY_RANK = {p: i for i, p in enumerate(Proficiency, start=1)}
SKILL_RANK = {s: i for i, s in enumerate(SkillLevel, start=1)}


class DocumentKind(StrEnum):
    passport = "passport"
    national_id = "national_id"
    other = "other"


class ConsentMethod(StrEnum):
    """How the worker gave (or withdrew) consent, and so who may record it.

    `self_service`: the worker, through their own login (and only they). The other methods are recorded
    by the worker's agency for them; `written_request` names the worker's request (`request_reference`)."""

    written_signature = "written_signature"
    electronic_signature = "electronic_signature"
    verbal_recorded = "verbal_recorded"
    written_request = "written_request"
    self_service = "self_service"


class View(StrEnum):
    """How much of a worker a caller sees (design.md, "What each role sees of a worker"): all of it (the worker,
    the registering agency, a compliance officer), a profile without identity (an employer the worker shares it
    with or holds a contract with), or a pseudonymous record (an auditor, an admin)."""

    full = "full"
    profile = "profile"
    pseudonymous = "pseudonymous"


# The fields each view returns, exactly; the full view returns every field. Never a name, date of birth,
# identity document or contact outside the full view.
VIEW_FIELDS: dict[View, frozenset[str]] = {
    View.profile: frozenset({"id", "status", "view", "birth_year", "nationality", "languages", "skills", "consents"}),
    View.pseudonymous: frozenset(
        {
            "id",
            "status",
            "view",
            "pseudonym",
            "nationality",
            "birth_year",
            "consents",
            "currently_placed",
            "rehire_eligible",
        }
    ),
}


# What people type is NFC and free of control characters (fairpath.common.text), checked before it is sealed.
FullName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), AfterValidator(single_line)
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+[1-9]\d{6,14}$"), AfterValidator(single_line)
]
DocumentNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 .\-/]*$"),
    AfterValidator(single_line),
]
Region = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(single_line)
]
RequestReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(single_line)
]


class IdentityDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    number: DocumentNumber
    issuing_country: CountryCode


class LanguageSkill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: LanguageTag
    proficiency: Proficiency


class Skill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occupation: OccupationCode = Field(description="ISCO-08 code, preferably a 4-digit unit group")
    level: SkillLevel
    years_experience: int | None = Field(default=None, ge=0, le=60)


def _plausible_moment(value: datetime | None) -> datetime | None:
    """A moment consent was given: not before 1900, not in the future (to the second, by the one clock)."""
    if value is None:
        return value
    check_date(value.date(), earliest=EARLIEST_PLAUSIBLE)
    if value > utcnow():
        raise PydanticCustomError("date_in_future", "must not be in the future")
    return value


class ConsentGiven(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: ConsentPurpose
    method: ConsentMethod
    language: LanguageTag = Field(description="the language the consent was explained and given in")
    given_at: AwareDatetime | None = Field(default=None, description="when; default now")
    request_reference: RequestReference | None = Field(
        default=None, description="the worker's written request the agency acts on (required with `written_request`)"
    )
    business_id: uuid.UUID | None = Field(
        default=None,
        description="the employer (its business id) the profile is shared with or withdrawn from, required with "
        "`data_sharing_with_employer`; the recruiter (an agency or an employer) the worker is considered by, "
        "required with `considered_by_recruiter`; given with no other purpose; one consent per business",
    )

    _given_at_plausible = field_validator("given_at")(_plausible_moment)


class ConsentChange(ConsentGiven):
    granted: bool = Field(description="false withdraws the consent, at once")


def _unique_by(*attrs: str):  # noqa: ANN202
    def check(values: list | None) -> list | None:
        if values is None:  # an update that leaves the list as it is
            return values
        keys = [tuple(getattr(v, attr) for attr in attrs) for v in values]
        if len(set(keys)) != len(keys):
            raise ValueError(f"each {' and '.join(attrs)} may appear once")
        return values

    return check


class WorkerCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Sita Gurung",
                    "date_of_birth": "1996-04-12",
                    "sex": "female",
                    "nationality": "NP",
                    "identity_document": {"kind": "passport", "number": "PA1234567", "issuing_country": "NP"},
                    "phone": "+9779812345678",
                    "languages": [
                        {"language": "ne", "proficiency": "native"},
                        {"language": "en", "proficiency": "conversational"},
                    ],
                    "skills": [{"occupation": "5120", "level": "skilled", "years_experience": 4}],
                    "education": "upper_secondary",
                    "origin_region": "Gandaki",
                    "consents": [{"purpose": "registration", "method": "written_signature", "language": "ne"}],
                }
            ]
        },
    )

    full_name: FullName
    date_of_birth: PastDate
    sex: Sex
    nationality: CountryCode
    identity_document: IdentityDocument
    phone: Phone | None = None
    languages: list[LanguageSkill] = Field(min_length=1, max_length=20, description="in order of preference")
    skills: list[Skill] = Field(default_factory=list, max_length=20)
    education: Education | None = None
    origin_region: Region | None = None
    consents: list[ConsentGiven] = Field(
        min_length=1,
        max_length=20,
        description="must include registration; `data_sharing_with_employer` and `considered_by_recruiter` once per "
        "business (`business_id`)",
    )

    _languages_unique = field_validator("languages")(_unique_by("language"))
    _skills_unique = field_validator("skills")(_unique_by("occupation"))
    _consents_unique = field_validator("consents")(_unique_by("purpose", "business_id"))


class WorkerUpdate(BaseModel):
    """Fields to change; a worker may change their contact, languages, skills and education, the agency anything."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"phone": "+9779800000000"}]})

    full_name: FullName | None = None
    date_of_birth: PastDate | None = None
    sex: Sex | None = None
    nationality: CountryCode | None = None
    identity_document: IdentityDocument | None = None
    phone: Phone | None = None
    languages: list[LanguageSkill] | None = Field(default=None, min_length=1, max_length=20)
    skills: list[Skill] | None = Field(default=None, max_length=20)
    education: Education | None = None
    origin_region: Region | None = None

    _languages_unique = field_validator("languages")(_unique_by("language"))
    _skills_unique = field_validator("skills")(_unique_by("occupation"))


WORKER_SELF_SERVICE_FIELDS = frozenset({"phone", "languages", "skills", "education", "origin_region"})


class IdentityDocumentPublic(BaseModel):
    kind: DocumentKind
    number: str | None = Field(description="masked unless the caller's role needs it")
    issuing_country: str


class SkillPublic(BaseModel):
    occupation: str
    occupation_title: str
    level: SkillLevel
    years_experience: int | None = None


class ConsentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purpose: ConsentPurpose
    granted: bool
    method: ConsentMethod
    language: str
    given_at: datetime
    request_reference: str | None = None
    business_id: uuid.UUID | None = Field(
        default=None,
        description="of data_sharing_with_employer: the employer; of considered_by_recruiter: the recruiter",
    )
    recorded_by: str = Field(description="who recorded it: the worker's own login, or the agency's user")
    recorded_at: datetime


class ConsentState(BaseModel):
    worker_id: uuid.UUID
    consents: list[ConsentPurpose] = Field(description="purposes consented to now")
    shared_with_employers: list[uuid.UUID] = Field(description="the employers the worker shares their profile with now")
    considered_by_recruiters: list[uuid.UUID] = Field(
        default_factory=list, description="the recruiters whose candidate shortlists may name the worker now"
    )
    change: ConsentPublic


def _require_only_what_every_view_shows(schema: dict) -> None:
    always = frozenset.intersection(*VIEW_FIELDS.values())
    schema["required"] = [name for name in schema.get("required", []) if name in always]


class WorkerPublic(BaseModel):
    """A worker as the caller's role may see them (`view`): the full view has every field; a profile and a
    pseudonymous record have only the fields of `VIEW_FIELDS` (the others are left out, not null)."""

    # The documented schema requires only what every view returns.
    model_config = ConfigDict(json_schema_extra=lambda schema: _require_only_what_every_view_shows(schema))

    id: uuid.UUID
    status: WorkerStatus
    view: View
    full_name: str | None = None
    date_of_birth: date | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    nationality: str | None = None
    identity_document: IdentityDocumentPublic | None = None
    phone: str | None = None
    languages: list[LanguageSkill] = Field(default_factory=list)
    skills: list[SkillPublic] = Field(default_factory=list)
    education: Education | None = None
    origin_region: str | None = None
    consents: list[ConsentPurpose] = Field(default_factory=list)
    shared_with_employers: list[uuid.UUID] = Field(
        default_factory=list, description="the employers the worker shares their profile with (full view only)"
    )
    agency_organization_id: uuid.UUID | None = None
    currently_placed: bool
    rehire_eligible: bool
    pseudonym: str | None = None
    erased_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int

    @model_serializer(mode="wrap")
    def _only_the_view(self, handler: SerializerFunctionWrapHandler):  # noqa: ANN202 - unannotated: the schema keeps the fields
        data = handler(self)
        shown = VIEW_FIELDS.get(self.view)
        return data if shown is None else {name: value for name, value in data.items() if name in shown}
