"""Where the parts of a dossier come from: one read of each service's API (its whole part of the dossier, since a
service answers its reads one after another), made with the caller's principal and a deadline of its own. A read
that fails is a `SectionUnavailable` naming why, for the dossier to show; never an exception that loses the
other parts. An answer is kept as the bytes it came as until every read is done (`parsed`), so the dossier's
data is made, used and dropped in one stretch (see `service.written`)."""

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from fairpath.common import jsonio
from fairpath.common.auth import PRINCIPAL_HEADER
from fairpath.common.logging import correlation_id
from fairpath.gateway.routing.upstreams import Upstreams

log = logging.getLogger("fairpath.gateway.compliance")


@dataclass(frozen=True)
class Source:
    """One read: a service's path and query."""

    service: str
    path: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionUnavailable:
    """Why a read gave nothing: `timed_out`, `unavailable` (no replica answered), or `refused` (the service
    answered with an error status)."""

    reason: str
    detail: str
    status: int | None = None


def business_sources(business_id: uuid.UUID) -> dict[str, Source]:
    """Every read a dossier of the business is made of: one per service, by service. Reads of one service queue
    behind each other there, so one read each costs the dossier its slowest service, not their sum."""
    b = str(business_id)
    return {
        # The business, its recruitment chain and risk, licences, findings, vetting cases and screening hits.
        "vetting": Source("vetting", f"/v1/businesses/{b}/dossier"),
        # The contracts by status and every substitution finding.
        "contracts": Source("contracts", "/v1/contracts/dossier", {"business_id": b}),
        # The fee reports and the grievances.
        "registry": Source("registry", "/v1/grievances/dossier", {"business_id": b}),
    }


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def _get(upstreams: Upstreams, source: Source, token: str) -> bytes:
    headers = {PRINCIPAL_HEADER: token, "x-request-id": correlation_id.get() or ""}
    last: Exception | None = None
    # A read is safe to repeat: a replica that refuses the connection hands it to the next.
    for base in upstreams.urls.get(source.service) or []:
        try:
            async with upstreams.session.get(base + source.path, params=source.params, headers=headers) as response:
                if response.status != 200:
                    raise _Refused(response.status)
                return await response.read()
        except aiohttp.ClientConnectorError as exc:
            last = exc
    raise ConnectionError(type(last).__name__ if last else "no replicas")


def _unavailable(source: Source, missing: SectionUnavailable) -> SectionUnavailable:
    log.warning(
        "dossier part unavailable",
        extra={"service": source.service, "reason": missing.reason, "status": missing.status},
    )
    return missing


async def read(upstreams: Upstreams, source: Source, token: str, timeout: float) -> bytes | SectionUnavailable:
    """The source's answer as it came (JSON), or why there is none."""
    try:
        async with asyncio.timeout(timeout):
            return await _get(upstreams, source, token)
    except TimeoutError:
        missing = SectionUnavailable("timed_out", f"the {source.service} service did not answer within {timeout:g} s")
    except _Refused as exc:
        missing = SectionUnavailable(
            "refused", f"the {source.service} service answered {exc.status}", status=exc.status
        )
    except (ConnectionError, aiohttp.ClientError, ValueError, KeyError, TypeError) as exc:
        missing = SectionUnavailable(
            "unavailable", f"the {source.service} service is unavailable ({type(exc).__name__})"
        )
    return _unavailable(source, missing)


async def read_all(
    upstreams: Upstreams, sources: dict[str, Source], token: str, timeout: float
) -> dict[str, bytes | SectionUnavailable]:
    """Every source at once: the dossier takes as long as its slowest read, not their sum."""
    answers = await asyncio.gather(*(read(upstreams, s, token, timeout) for s in sources.values()))
    return dict(zip(sources, answers, strict=True))


def parsed(sources: dict[str, Source], answers: dict[str, bytes | SectionUnavailable]) -> dict[str, Any]:
    """Each answer as data; one that is not JSON is unavailable, as a read that failed."""
    data: dict[str, Any] = {}
    for name, answer in answers.items():
        try:
            data[name] = answer if isinstance(answer, SectionUnavailable) else jsonio.loads(answer)
        except ValueError as exc:
            detail = f"the {sources[name].service} service is unavailable ({type(exc).__name__})"
            data[name] = _unavailable(sources[name], SectionUnavailable("unavailable", detail))
    return data
