"""The candidates for a job order: a ranked shortlist for its employer and the agencies of its service
agreements, every point of each score explained (domain.md, "Registration and matching").

Who is considered: an active worker, consenting to registration, not currently placed, with a skill in the
major group of a position asked for, and either registered by the calling agency or consenting to be considered
by the calling recruiter (`considered_by_recruiter`, given to its business). The caller's own workers are shown
in full; any other in the employer's profile view (no name, date of birth, document or contact), and that read
goes to the audit chain.

What is scored: only the facts of `MatchProfile`, an allow-list built from the worker's skills, languages and
pending contracts. Nothing protected (sex, age, nationality, religion, a past grievance) and nothing of identity
can weigh in a score: the scorer never receives it. The employer and the agency choose; the score only orders.
"""

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import CTE, ColumnElement, case, exists, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import ContractStatus
from fairpath.common.errors import NotFound
from fairpath.common.ledger import Ledger
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.matching.schemas import Candidate, Factor, Point, Shortlist
from fairpath.registry.matching.tables import MATCHABLE, JobOrderPositionProjection, JobOrderProjection
from fairpath.registry.workers.schemas import PROFICIENCY_RANK, SKILL_RANK, Proficiency, SkillLevel, View
from fairpath.registry.workers.service import audit_reads, details_of, is_owner, present
from fairpath.registry.workers.tables import Placement, Worker, WorkerLanguage, WorkerRecruiterConsent, WorkerSkill

# The most each factor adds; a score is out of 100.
OCCUPATION_POINTS = 40.0
SKILL_LEVEL_POINTS = 15.0
LANGUAGE_POINTS = 20.0
EXPERIENCE_POINTS = 15.0
AVAILABILITY_POINTS = 10.0
# The share of the occupation's points by the ISCO-08 group the worker's occupation has in common with the
# position's: (digits in common, share, the group's name).
OCCUPATION_GROUPS = (
    (4, 1.0, "unit group"),
    (3, 0.6, "minor group"),
    (2, 0.3, "sub-major group"),
    (1, 0.1, "major group"),
)
# ISCO-08's skill level of each major group (1: elementary to 4: professional); the armed forces (0) have none.
ISCO_SKILL_LEVEL = {"1": 3, "2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}
# The worker's skill level as an ISCO-08 skill level.
WORKER_SKILL_LEVEL = {
    SKILL_RANK[SkillLevel.trainee]: 1,
    SKILL_RANK[SkillLevel.semi_skilled]: 2,
    SKILL_RANK[SkillLevel.skilled]: 3,
    SKILL_RANK[SkillLevel.highly_skilled]: 4,
}
# Years of experience that earn the experience points in full when a position asks for no minimum.
FULL_EXPERIENCE_YEARS = 5
# Committed elsewhere: a contract issued or signed and not yet begun.
PENDING = (ContractStatus.issued, ContractStatus.signed)
DEFAULT_LIMIT = 20
# Workers read per statement (well under the drivers' limit on bound parameters).
BATCH = 5000


@dataclass(frozen=True)
class SkillFacts:
    occupation: str
    level_rank: int
    years_experience: int | None


@dataclass(frozen=True)
class MatchProfile:
    """The only facts of a worker a score reads: occupations with level and years, languages with how well,
    and whether a contract elsewhere is pending. Built from these columns alone (`profiles`): nothing else of a
    worker's record is even read."""

    worker_id: uuid.UUID
    skills: tuple[SkillFacts, ...]
    languages: tuple[tuple[str, int], ...]  # (language, proficiency rank)
    committed_elsewhere: bool


@dataclass(frozen=True)
class Score:
    worker_id: uuid.UUID
    position_id: uuid.UUID
    total: float
    points: tuple[Point, ...]


def _in_common(asked: str, held: str) -> tuple[float, str] | None:
    """The share of the occupation's points and the group's name; a position named by a group (`71`) is met in
    full by any occupation in it."""
    shared = 0
    while shared < min(len(asked), len(held)) and asked[shared] == held[shared]:
        shared += 1
    if shared == 0:
        return None
    if shared == len(asked):
        return 1.0, "occupation" if len(asked) == 4 else "group"
    return next((share, name) for digits, share, name in OCCUPATION_GROUPS if shared >= digits)


def _occupation(position: JobOrderPositionProjection, skills: Sequence[SkillFacts]) -> tuple[SkillFacts | None, Point]:
    best: tuple[float, int, int, SkillFacts, str] | None = None
    for skill in skills:
        found = _in_common(position.occupation, skill.occupation)
        if found is not None:
            key = (found[0], skill.level_rank, skill.years_experience or 0, skill, found[1])
            if best is None or key[:3] > best[:3]:
                best = key
    if best is None:
        why = f"no occupation in ISCO-08 major group {position.occupation[:1]} of the position's {position.occupation}"
        return None, Point(factor=Factor.occupation, points=0, why=why)
    share, _, _, skill, group = best
    why = f"{skill.occupation} shares the {group} of the position's {position.occupation}"
    return skill, Point(factor=Factor.occupation, points=round(OCCUPATION_POINTS * share, 2), why=why)


def _skill_level(position: JobOrderPositionProjection, skill: SkillFacts | None) -> Point:
    asked = ISCO_SKILL_LEVEL.get(position.occupation[:1])
    if skill is None:
        return Point(factor=Factor.skill_level, points=0, why="no occupation of the position's group to assess")
    held = WORKER_SKILL_LEVEL[skill.level_rank]
    if asked is None:
        return Point(factor=Factor.skill_level, points=SKILL_LEVEL_POINTS, why="ISCO-08 sets no skill level here")
    share = 1.0 if held >= asked else 0.5 if held == asked - 1 else 0.0
    why = f"skill level {held} in {skill.occupation}; the occupation asks ISCO-08 skill level {asked}"
    return Point(factor=Factor.skill_level, points=round(SKILL_LEVEL_POINTS * share, 2), why=why)


def _languages(position: JobOrderPositionProjection, languages: Sequence[tuple[str, int]]) -> Point:
    if not position.languages:
        return Point(factor=Factor.languages, points=LANGUAGE_POINTS, why="the position asks no language")
    held = dict(languages)
    basic = PROFICIENCY_RANK[Proficiency.basic]
    shares = [0.0 if lang not in held else 0.5 if held[lang] <= basic else 1.0 for lang in position.languages]
    spoken = [lang for lang in position.languages if lang in held]
    why = f"speaks {', '.join(spoken) or 'none'} of {', '.join(position.languages)} (basic counts half)"
    return Point(factor=Factor.languages, points=round(LANGUAGE_POINTS * sum(shares) / len(shares), 2), why=why)


def _experience(position: JobOrderPositionProjection, skill: SkillFacts | None) -> Point:
    years = (skill.years_experience or 0) if skill is not None else 0
    wanted = position.minimum_years or FULL_EXPERIENCE_YEARS
    share = min(years, wanted) / wanted
    asked = f"the position asks {position.minimum_years}" if position.minimum_years else f"{wanted} earn it all"
    where = f" in {skill.occupation}" if skill is not None else ""
    return Point(
        factor=Factor.experience, points=round(EXPERIENCE_POINTS * share, 2), why=f"{years} years{where}; {asked}"
    )


def _availability(profile: MatchProfile) -> Point:
    if profile.committed_elsewhere:
        return Point(factor=Factor.availability, points=0, why="a contract issued or signed elsewhere is pending")
    return Point(factor=Factor.availability, points=AVAILABILITY_POINTS, why="not placed and no contract pending")


def score(profile: MatchProfile, position: JobOrderPositionProjection) -> Score:
    """How well the worker fits the position, out of 100, each factor's points with the facts they come from."""
    skill, occupation = _occupation(position, profile.skills)
    points = (
        occupation,
        _skill_level(position, skill),
        _languages(position, profile.languages),
        _experience(position, skill),
        _availability(profile),
    )
    return Score(profile.worker_id, position.position_id, round(sum(p.points for p in points), 2), points)


def best_score(profile: MatchProfile, positions: Sequence[JobOrderPositionProjection]) -> Score:
    """The worker's best position (the first of equals, in the job order's order)."""
    scores = [score(profile, p) for p in positions]
    return max(scores, key=lambda s: s.total)


# --- the score in SQL ----------------------------------------------------------------------
#
# The shortlist is ranked in the database: each considered worker's best score, in hundredths of a point, from
# the facts `MatchProfile` holds (skills, languages, a pending contract) and nothing else, by the same rules as
# `score`: every value a fact can be worth is computed here by the scorer's own functions, so the two agree to
# the hundredth, and equal totals tie in both. Only the workers shown are then scored again, in Python, for the
# explanation of each point.

# A skill's rank among the worker's skills for one position, as `_occupation` chooses: digits in common with the
# position's occupation, then level, then years (at most 60: `Skill.years_experience`), packed in one integer
# (`digits * 1000 + level * 100 + years`); the skill's points go beside it, in the four lowest digits.
_POINTS = 10_000
_YEARS_CAP = 99


def _cents(point: Point) -> int:
    return round(point.points * 100)


@dataclass(frozen=True)
class _Worth:
    """What each fact is worth for one position, in hundredths of a point."""

    occupation: dict[int, int]  # digits in common -> points
    skill_level: dict[int, int]  # the skill's level rank -> points
    experience: dict[int, int]  # years below those that earn it all -> points
    full_experience: int
    languages: dict[int, int]  # half-shares of the languages asked (a basic one counts 1, a better one 2)
    pending: int
    available: int


def _worth(position: JobOrderPositionProjection) -> _Worth:
    asked = position.occupation
    occupation = {}
    for digits in range(1, len(asked) + 1):
        held = asked if digits == len(asked) else asked[:digits] + ("1" if asked[digits] == "0" else "0")
        occupation[digits] = _cents(_occupation(position, [SkillFacts(held, 1, 0)])[1])
    skill_level = {rank: _cents(_skill_level(position, SkillFacts(asked, rank, 0))) for rank in WORKER_SKILL_LEVEL}
    full_years = position.minimum_years or FULL_EXPERIENCE_YEARS
    experience = {years: _cents(_experience(position, SkillFacts(asked, 1, years))) for years in range(full_years)}
    fluent, basic = PROFICIENCY_RANK[Proficiency.fluent], PROFICIENCY_RANK[Proficiency.basic]
    asked_languages = list(position.languages)
    languages = {}
    for well in range(len(asked_languages) + 1):
        for basically in range(len(asked_languages) - well + 1):
            held = [(lang, fluent) for lang in asked_languages[:well]]
            held += [(lang, basic) for lang in asked_languages[well : well + basically]]
            languages[2 * well + basically] = _cents(_languages(position, held))
    profile = MatchProfile(uuid.UUID(int=0), (), (), committed_elsewhere=True)
    return _Worth(
        occupation=occupation,
        skill_level=skill_level,
        experience=experience,
        full_experience=_cents(_experience(position, SkillFacts(asked, 1, full_years))),
        languages=languages,
        pending=_cents(_availability(profile)),
        available=_cents(_availability(dataclasses.replace(profile, committed_elsewhere=False))),
    )


def _skill_points(position: JobOrderPositionProjection, worth: _Worth) -> ColumnElement[int]:
    """Of one `worker_skill` row: its rank and its points for the position, packed; NULL out of its major group."""
    asked = position.occupation
    years = case(
        (WorkerSkill.years_experience.is_(None), 0),
        (WorkerSkill.years_experience > _YEARS_CAP, _YEARS_CAP),
        else_=WorkerSkill.years_experience,
    )
    digits = case(
        *(
            (func.substr(WorkerSkill.occupation, 1, n) == asked[:n], n * 1000 * _POINTS + worth.occupation[n])
            for n in range(len(asked), 1, -1)
        ),
        else_=1000 * _POINTS + worth.occupation[1],
    )
    level = case(worth.skill_level, value=WorkerSkill.level_rank, else_=0)
    experience = case(worth.experience, value=years, else_=worth.full_experience) if worth.experience else 0
    packed = digits + (WorkerSkill.level_rank * 100 + years) * _POINTS + level + experience
    return case((WorkerSkill.major == asked[:1], packed))


def _language_shares(position: JobOrderPositionProjection) -> ColumnElement[int]:
    """Of one `worker_language` row: its half-shares of the position's languages (0 if not asked)."""
    basic = PROFICIENCY_RANK[Proficiency.basic]
    weight = case((WorkerLanguage.proficiency_rank <= basic, 1), else_=2)
    return case(dict.fromkeys(position.languages, weight), value=WorkerLanguage.language, else_=0)


def _greatest(dialect: str, values: list[ColumnElement[int]]) -> ColumnElement[int]:
    if len(values) == 1:
        return values[0]
    return func.greatest(*values) if dialect == "postgresql" else func.max(*values)


# The columns of `worker_skill` that hold an occupation's first 1, 2, 3 and 4 digits (each indexed).
_GROUP_COLUMNS = {1: WorkerSkill.major, 2: WorkerSkill.sub_major, 3: WorkerSkill.minor, 4: WorkerSkill.unit}


def _considered_pool(principal: Principal) -> CTE:
    """The workers the caller may consider, their standing (`MATCHABLE`) checked later for those consenting to be
    considered by it: the recruiter's consents and an agency's own `MATCHABLE` workers, each an index range."""
    pools = [
        select(WorkerRecruiterConsent.worker_id).where(WorkerRecruiterConsent.recruiter_id == principal.business_id)
    ]
    if principal.role == Role.agency and principal.organization_id is not None:
        pools.append(
            select(Worker.id.label("worker_id")).where(
                Worker.agency_organization_id == principal.organization_id, MATCHABLE
            )
        )
    return union(*pools).cte("pool")


def _bound(positions: Sequence[JobOrderPositionProjection], worths: Sequence[_Worth], digits: int) -> int:
    """The most a worker can score, in hundredths, with no occupation sharing `digits` digits with a position's
    (or all of a shorter one's)."""
    return max(
        w.occupation.get(min(digits, len(p.occupation)) - 1, 0)
        + max(w.skill_level.values())
        + max(w.languages.values())
        + w.full_experience
        + w.available
        for p, w in zip(positions, worths)
    )


async def ranked(
    session: AsyncSession, principal: Principal, positions: Sequence[JobOrderPositionProjection], limit: int
) -> list[tuple[uuid.UUID, int]]:
    """The `limit` best of the workers the caller may consider, with a skill in the major group of a position:
    (worker, best score in hundredths), best first, then by id (as `shortlist` orders them).

    Narrowed by the occupation first: the workers with an occupation in a position's unit group (an index range of
    `worker_skill`, met with the caller's pool), then its minor group, sub-major and major group, until the
    `limit`-th best scores more than any worker outside the group could."""
    worths = [_worth(p) for p in positions]
    for digits in range(max(len(p.occupation) for p in positions), 0, -1):
        found = await _ranked_within(session, principal, positions, worths, limit, digits)
        if digits == 1 or (len(found) == limit and found[-1][1] > _bound(positions, worths, digits)):
            return found
    raise AssertionError("unreachable: the major group is the last narrowing")


async def _ranked_within(
    session: AsyncSession,
    principal: Principal,
    positions: Sequence[JobOrderPositionProjection],
    worths: Sequence[_Worth],
    limit: int,
    digits: int,
) -> list[tuple[uuid.UUID, int]]:
    """`ranked` among the workers with an occupation sharing `digits` digits with a position's (all of a shorter
    one's)."""
    pool = _considered_pool(principal)
    considered = select(pool.c.worker_id).join(Worker, Worker.id == pool.c.worker_id).where(MATCHABLE)
    if digits > 1:  # in the major group: the skills' own condition below
        groups = {(min(digits, len(p.occupation)), p.occupation[:digits]) for p in positions}
        in_group = select(WorkerSkill.worker_id).where(or_(*(_GROUP_COLUMNS[n] == code for n, code in groups)))
        considered = considered.where(pool.c.worker_id.in_(in_group))
    considered = considered.cte("considered")
    skills = (
        select(
            WorkerSkill.worker_id,
            *(func.max(_skill_points(p, w)).label(f"skill_{i}") for i, (p, w) in enumerate(zip(positions, worths))),
        )
        .join(considered, considered.c.worker_id == WorkerSkill.worker_id)
        .where(WorkerSkill.major.in_({p.occupation[:1] for p in positions}))
        .group_by(WorkerSkill.worker_id)
        .cte("candidate")
    )
    source = skills
    asked = sorted({lang for p in positions for lang in p.languages})
    languages = None
    if asked:
        languages = (
            select(
                WorkerLanguage.worker_id,
                *(
                    func.sum(_language_shares(p)).label(f"languages_{i}")
                    for i, p in enumerate(positions)
                    if p.languages
                ),
            )
            .join(skills, skills.c.worker_id == WorkerLanguage.worker_id)
            .where(WorkerLanguage.language.in_(asked))
            .group_by(WorkerLanguage.worker_id)
            .subquery("spoken")
        )
        source = skills.outerjoin(languages, languages.c.worker_id == skills.c.worker_id)
    pending = exists().where(Placement.worker_id == skills.c.worker_id, Placement.status.in_(PENDING))
    availability = case((pending, worths[0].pending), else_=worths[0].available)
    totals = []
    for i, (position, worth) in enumerate(zip(positions, worths)):
        language_points = worth.languages[0]  # the position asks no language
        if position.languages:
            spoken = func.coalesce(languages.c[f"languages_{i}"], 0)
            language_points = case(worth.languages, value=spoken, else_=0)
        totals.append(func.coalesce(skills.c[f"skill_{i}"], 0) % _POINTS + language_points)
    best = (_greatest(session.bind.dialect.name, totals) + availability).label("score")
    query = select(skills.c.worker_id, best).select_from(source).order_by(best.desc(), skills.c.worker_id).limit(limit)
    return [(worker_id, total) for worker_id, total in await session.execute(query)]


# --- the shortlist -------------------------------------------------------------------------


async def _job_order_of(session: AsyncSession, principal: Principal, job_order_id: uuid.UUID) -> JobOrderProjection:
    """The job order, when the caller is one of its recruiters; any other is answered as one never posted."""
    order = await session.get(JobOrderProjection, job_order_id)
    business = principal.business_id
    if order is None or business is None:
        raise NotFound("job_order", job_order_id)
    if business != order.employer_id and str(business) not in order.agency_ids:
        raise NotFound("job_order", job_order_id)
    return order


async def _positions(
    session: AsyncSession, order: JobOrderProjection, position_id: uuid.UUID | None
) -> list[JobOrderPositionProjection]:
    query = select(JobOrderPositionProjection).where(JobOrderPositionProjection.job_order_id == order.job_order_id)
    if position_id is not None:
        query = query.where(JobOrderPositionProjection.position_id == position_id)
    positions = list((await session.execute(query.order_by(JobOrderPositionProjection.position_id))).scalars())
    if not positions:
        raise NotFound("position", position_id)
    return positions


async def profiles(session: AsyncSession, worker_ids: Sequence[uuid.UUID]) -> list[MatchProfile]:
    """Each worker's `MatchProfile`, in `worker_ids`' order, by a few statements per thousands of workers."""
    skills: dict[uuid.UUID, list[SkillFacts]] = defaultdict(list)
    languages: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    committed: set[uuid.UUID] = set()
    for start in range(0, len(worker_ids), BATCH):
        batch = worker_ids[start : start + BATCH]
        skill_rows = select(
            WorkerSkill.worker_id, WorkerSkill.occupation, WorkerSkill.level_rank, WorkerSkill.years_experience
        ).where(WorkerSkill.worker_id.in_(batch))
        for worker_id, occupation, level_rank, years in await session.execute(skill_rows):
            skills[worker_id].append(SkillFacts(occupation, level_rank, years))
        language_rows = select(
            WorkerLanguage.worker_id, WorkerLanguage.language, WorkerLanguage.proficiency_rank
        ).where(WorkerLanguage.worker_id.in_(batch))
        for worker_id, language, rank in await session.execute(language_rows):
            languages[worker_id].append((language, rank))
        pending = select(Placement.worker_id).where(Placement.worker_id.in_(batch), Placement.status.in_(PENDING))
        committed.update((await session.execute(pending)).scalars())
    return [
        MatchProfile(i, tuple(sorted(skills[i], key=lambda f: f.occupation)), tuple(languages[i]), i in committed)
        for i in worker_ids
    ]


async def shortlist(
    *,
    session: AsyncSession,
    ledger: Ledger,
    principal: Principal,
    cipher: FieldCipher,
    job_order_id: uuid.UUID,
    position_id: uuid.UUID | None,
    limit: int,
) -> Shortlist:
    order = await _job_order_of(session, principal, job_order_id)
    positions = await _positions(session, order, position_id)
    ids = [worker_id for worker_id, _ in await ranked(session, principal, positions, limit)]
    # Scored again, only the workers shown, for every point's explanation (and in the same order).
    best = sorted(
        (best_score(profile, positions) for profile in await profiles(session, ids)),
        key=lambda s: (-s.total, s.worker_id),
    )
    records = {w.id: w for w in (await session.execute(select(Worker).where(Worker.id.in_(ids)))).scalars()}
    scored = [(s, records[s.worker_id]) for s in best]
    languages, skills = await details_of(session, list(records))
    shown = [w for _, w in scored]
    await audit_reads(session, ledger, principal, shown, "worker.considered")
    return Shortlist(
        job_order_id=order.job_order_id,
        position_id=position_id,
        candidates=[
            Candidate(
                rank=rank,
                position_id=s.position_id,
                score=s.total,
                explanation=list(s.points),
                own_worker=is_owner(principal, w),
                worker=present(
                    w,
                    View.full if is_owner(principal, w) else View.profile,
                    cipher,
                    languages[w.id],
                    skills[w.id],
                ),
            )
            for rank, (s, w) in enumerate(scored, start=1)
        ],
    )
