"""Where each part of a dossier comes from: a read of a service's API, made with the caller's principal and a
deadline of its own. A read that fails is a `SectionUnavailable` naming why, for the dossier to show; never
an exception that loses the other parts."""

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

# Pages of a paged list read at once (the services' largest page).
_PAGE = 200


@dataclass(frozen=True)
class Source:
    """One read: a service's path and query; `paged` lists are read to their last page."""

    service: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    paged: bool = False


@dataclass(frozen=True)
class SectionUnavailable:
    """Why a read gave nothing: `timed_out`, `unavailable` (no replica answered), or `refused` (the service
    answered with an error status)."""

    reason: str
    detail: str
    status: int | None = None


def business_sources(business_id: uuid.UUID) -> dict[str, Source]:
    """Every read a dossier of the business is made of, by part."""
    b = str(business_id)
    return {
        "business": Source("vetting", f"/v1/businesses/{b}"),
        "chain_and_risk": Source("vetting", f"/v1/businesses/{b}/dossier"),
        "licences": Source("vetting", f"/v1/businesses/{b}/licences"),
        "findings": Source("vetting", f"/v1/businesses/{b}/findings", paged=True),
        "vetting_cases": Source("vetting", "/v1/vetting-cases", {"business_id": b}, paged=True),
        "screening_hits": Source("vetting", f"/v1/businesses/{b}/screening-hits", paged=True),
        "contracts": Source("contracts", "/v1/contracts/dossier", {"business_id": b}),
        "fee_reports": Source("registry", "/v1/fees/dossier", {"business_id": b}),
        "grievances": Source("registry", "/v1/grievances/dossier", {"business_id": b}),
    }


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def _get(upstreams: Upstreams, source: Source, params: dict[str, str], token: str) -> Any:
    headers = {PRINCIPAL_HEADER: token, "x-request-id": correlation_id.get() or ""}
    last: Exception | None = None
    # A read is safe to repeat: a replica that refuses the connection hands it to the next.
    for base in upstreams.urls.get(source.service) or []:
        try:
            async with upstreams.session.get(base + source.path, params=params, headers=headers) as response:
                if response.status != 200:
                    raise _Refused(response.status)
                return jsonio.loads(await response.read())
        except aiohttp.ClientConnectorError as exc:
            last = exc
    raise ConnectionError(type(last).__name__ if last else "no replicas")


async def _read(upstreams: Upstreams, source: Source, token: str) -> Any:
    if not source.paged:
        return await _get(upstreams, source, source.params, token)
    items: list[Any] = []
    params = {**source.params, "limit": str(_PAGE)}
    while True:
        page = await _get(upstreams, source, params, token)
        items += page["items"]
        if not page.get("next_cursor"):
            return items
        params = {**params, "cursor": page["next_cursor"]}


async def read(upstreams: Upstreams, source: Source, token: str, timeout: float) -> Any:
    """The source's answer (a paged list's items, whole), or why there is none."""
    try:
        async with asyncio.timeout(timeout):
            return await _read(upstreams, source, token)
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
    log.warning(
        "dossier part unavailable",
        extra={"service": source.service, "reason": missing.reason, "status": missing.status},
    )
    return missing


async def read_all(upstreams: Upstreams, sources: dict[str, Source], token: str, timeout: float) -> dict[str, Any]:
    """Every source at once: the dossier takes as long as its slowest read, not their sum."""
    answers = await asyncio.gather(*(read(upstreams, s, token, timeout) for s in sources.values()))
    return dict(zip(sources, answers, strict=True))
