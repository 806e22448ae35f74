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

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from fairpath.common.auth import Principal, Role
from fairpath.common.domain_codes import ConsentPurpose, ContractStatus
from fairpath.common.errors import NotFound
from fairpath.common.ledger import Ledger
from fairpath.registry.crypto import FieldCipher
from fairpath.registry.matching.schemas import Candidate, Factor, Point, Shortlist
from fairpath.registry.matching.tables import JobOrderPositionProjection, JobOrderProjection
from fairpath.registry.workers.schemas import PROFICIENCY_RANK, SKILL_RANK, Proficiency, SkillLevel, View, WorkerStatus
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


async def _considered(session: AsyncSession, principal: Principal, majors: set[str]) -> list[uuid.UUID]:
    """The workers the caller may consider: its own (an agency's) and those consenting to be considered by it;
    each an index range (the agency's workers, the recruiter's consents), then a skill in a major group asked."""
    pools = [
        select(WorkerRecruiterConsent.worker_id).where(WorkerRecruiterConsent.recruiter_id == principal.business_id)
    ]
    if principal.role == Role.agency and principal.organization_id is not None:
        pools.append(select(Worker.id).where(Worker.agency_organization_id == principal.organization_id))
    pool = union(*pools).subquery()
    query = (
        select(Worker.id, Worker.consents)
        .join(pool, pool.c[0] == Worker.id)
        .where(
            Worker.status == WorkerStatus.active,
            Worker.currently_placed.is_(False),
            # Once, by the major group's index (a correlated EXISTS would scan that range for each worker).
            Worker.id.in_(select(WorkerSkill.worker_id).where(WorkerSkill.major.in_(majors))),
        )
    )
    return [
        worker_id for worker_id, consents in await session.execute(query) if ConsentPurpose.registration in consents
    ]


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
    ids = await _considered(session, principal, {p.occupation[:1] for p in positions})
    best = sorted(
        (best_score(profile, positions) for profile in await profiles(session, ids)),
        key=lambda s: (-s.total, s.worker_id),
    )[:limit]
    records = {
        w.id: w
        for w in (await session.execute(select(Worker).where(Worker.id.in_([s.worker_id for s in best])))).scalars()
    }
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
