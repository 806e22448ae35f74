"""Errors as values: domain errors carry a type and a message; the API renders them as
RFC 9457 problem details (`urn:fairpath:problem:<name>`). Nothing a client sends can
produce a bare 500: validation and integrity errors become 422 and 409 problems.
"""

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fairpath.errors")

PROBLEM_JSON = "application/problem+json"


class Violation(BaseModel):
    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """The RFC 9457 body, as documented in OpenAPI."""

    type: str
    title: str
    status: int
    detail: str | None = None
    violations: list[Violation] | None = None


class DomainError(Exception):
    """Base of every error the domain raises; the status is how the API reports it.

    Each problem a client can tell apart is a class: `type` is `urn:fairpath:problem:<name>`, and
    `description` says in the API docs when it happens. A domain names its own problems as
    subclasses (`class CaseOpen(Conflict): name = "case_open"`), and each route lists the ones it
    can return with `problems(...)`, so /docs shows a client the real 409s and 422s of each operation.
    """

    status: int = 400
    name: str = "bad_request"
    title: str = "Bad request"
    description: str = ""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @classmethod
    def type_uri(cls) -> str:
        return f"urn:fairpath:problem:{cls.name}"

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri(),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body


class Unauthenticated(DomainError):
    status, name, title = 401, "unauthenticated", "Authentication required"
    description = "no valid credentials"


class Forbidden(DomainError):
    status, name, title = 403, "forbidden", "Not allowed"
    description = "the caller's role may never do this"


class NotFound(DomainError):
    status, name, title = 404, "not_found", "Not found"
    description = "the record does not exist or is outside the caller's reach"

    def __init__(self, record: str, record_id: Any = None) -> None:
        detail = f"{record} {record_id} not found" if record_id is not None else f"{record} not found"
        super().__init__(detail)


class Conflict(DomainError):
    """The record's state forbids the operation, or it already exists."""

    status, name, title = 409, "conflict", "Conflict"
    description = "the record's state forbids the operation"


class RuleViolations(DomainError):
    """Input that breaks one or more rules: every broken rule is listed at once."""

    status, name, title = 422, "validation", "Invalid input"
    description = "the input breaks one or more rules; `violations` lists each (field, rule, message)"

    def __init__(self, violations: list[Violation], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{v.field}: {v.message}" for v in violations))
        self.violations = violations

    def problem(self) -> dict[str, Any]:
        body = super().problem()
        body["violations"] = [v.model_dump() for v in self.violations]
        return body


class ServiceUnavailable(DomainError):
    status, name, title = 503, "unavailable", "Service unavailable"
    description = "a dependency (the database, the broker, another service) is not answering; try again"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached, or no connection to it came free in time."""

    name, title = "database_unavailable", "Database unavailable"
    description = "the database is not answering (nothing is left half-written); try again"


# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P01-57P03 the server shutting
# down or starting, 53300 too many connections.
_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_connection_lost(exc: DBAPIError) -> bool:
    """Whether a DB-API error is the connection failing rather than the statement (a value refused, say)."""
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return exc.connection_invalidated or sqlstate.startswith(_CONNECTION_SQLSTATES)


class IntegrityConflict(Conflict):
    name = "conflict"
    description = "the change conflicts with an existing record"


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _violation(error: dict[str, Any]) -> Violation:
    loc, rule = tuple(error.get("loc", ())), error.get("type", "invalid")
    if rule == "json_invalid":  # its loc is ("body", <character offset>), not a field
        reason = (error.get("ctx") or {}).get("error", "")
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        return Violation(field="body", rule=rule, message=f"the body is not valid JSON ({reason}{at})")
    return Violation(field=_field_of(loc), rule=rule, message=error.get("msg", "invalid"))


def violations_from_pydantic(errors: list[dict[str, Any]]) -> list[Violation]:
    return [_violation(e) for e in errors]


_HTTP_NAMES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "too_many_requests",
}


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")  # those an operation is documented with
_DOCUMENTED_PATHS = "fairpath_documented_paths"
_PARAMETER = re.compile(r"\\\{[^/]+?\\\}")


def documented_methods(request: Request) -> set[str]:
    """The methods the OpenAPI document gives the path (of the templates it matches, the one with the most
    literal segments: `/v1/contracts/check` over `/v1/contracts/{contract_id}`)."""
    table = getattr(request.app.state, _DOCUMENTED_PATHS, None)
    if table is None:
        table = []
        for template, item in request.app.openapi().get("paths", {}).items():
            pattern = re.compile("^" + _PARAMETER.sub("[^/]+", re.escape(template)) + "$")
            literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
            table.append((literal, pattern, {m.upper() for m in item if m.upper() in _METHODS}))
        table.sort(key=lambda entry: -entry[0])
        setattr(request.app.state, _DOCUMENTED_PATHS, table)
    path = request.scope["path"]
    return next((methods for _, pattern, methods in table if pattern.match(path)), set())


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(exc.problem(), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = RuleViolations(violations_from_pydantic(list(exc.errors())))
        return problem_response(err.problem())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        name = _HTTP_NAMES.get(exc.status_code, "error")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and (allowed := documented_methods(request)):
            # Starlette's 405 names only the first route at the path; the answer names what the document does.
            headers = {**(headers or {}), "Allow": ", ".join(sorted(allowed))}
        body = {
            "type": f"urn:fairpath:problem:{name}",
            "title": name.replace("_", " ").capitalize(),
            "status": exc.status_code,
            "detail": str(exc.detail),
        }
        return problem_response(body, headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity conflict", extra={"error": type(exc.orig).__name__})
        return problem_response(Conflict("the change conflicts with an existing record").problem())

    @app.exception_handler(DBAPIError)
    async def _dbapi(_: Request, exc: DBAPIError) -> JSONResponse:
        # Data the driver refused (a value out of range, say) is the caller's input;
        # lost connections are ours.
        if is_connection_lost(exc):
            log.warning("database connection lost", extra={"error": type(exc.orig).__name__})
            return problem_response(DatabaseUnavailable("the database is unavailable").problem())
        log.warning("database refused a statement", extra={"error": type(exc.orig).__name__})
        return problem_response(
            RuleViolations(
                [Violation(field="body", rule="unacceptable_value", message="a value was refused by the database")]
            ).problem()
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection came free in time", extra={"error": type(exc).__name__})
        return problem_response(DatabaseUnavailable("no database connection came free in time").problem())

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", extra={"error": type(exc).__name__})
        return problem_response(
            {
                "type": "urn:fairpath:problem:internal",
                "title": "Internal error",
                "status": 500,
                "detail": "an unexpected error occurred; it has been logged with this request's id",
            }
        )


def problems(*kinds: type[DomainError], public: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: for each status it can answer with, the problem types behind it,
    each with its description and an example body in the API docs. An authenticated route (not
    `public`) can also always answer with the ACCESS_PROBLEMS, listed beside its own (a route's
    entry for a status replaces the router's, so they are listed here, not left to the router)."""
    by_status: dict[int, list[type[DomainError]]] = {}
    for kind in (*(() if public else ACCESS_PROBLEMS), *kinds):
        listed = by_status.setdefault(kind.status, [])
        if kind not in listed:
            listed.append(kind)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, listed in sorted(by_status.items()):
        lines = [f"- `{k.name}`: {k.description}" if k.description else f"- `{k.name}`" for k in listed]
        examples = {
            k.name: {
                "summary": k.description or k.name,
                "value": {
                    "type": k.type_uri(),
                    "title": k.title,
                    "status": k.status,
                    "detail": k.description or k.title,
                },
            }
            for k in listed
        }
        responses[status] = {
            "model": Problem,
            "description": listed[0].title + ", one of:\n" + "\n".join(lines),
            "content": {PROBLEM_JSON: {"examples": examples}},
        }
    return responses


# What every authenticated route can answer whatever it does: no credentials, a role that may
# never call it, input that breaks the schema.
ACCESS_PROBLEMS: tuple[type[DomainError], ...] = (Unauthenticated, Forbidden, RuleViolations)
PROBLEM_RESPONSES = problems(*ACCESS_PROBLEMS)
