"""`./fairpath admin ...`: the operator's commands. They talk to the gateway's API (with an
admin's API key), never to a service's database; the one exception is `bootstrap`, which makes the
first admin of a new deployment in the gateway's own database (through the gateway's accounts code),
since no one can call the admin API before there is an admin.

To add a command, write a `register_<name>(subparsers)` that adds its parser and sets
`handler` (a function taking the parsed arguments and returning an exit code), and list
it in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from fairpath.common.auth import OrganizationKind, Role
from fairpath.common.config import InsecureSettingsError
from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.errors import DomainError
from fairpath.common.services import GATEWAY
from fairpath.deploy.paths import demo_credentials_file, repo_root, var_dir
from fairpath.gateway.accounts.bootstrap import FirstAdmin, bootstrap_first_admin
from fairpath.gateway.accounts.direct import gateway_store, settings_for
from fairpath.gateway.config import GatewaySettings
from fairpath.vetting.watchlists.schemas import ImportFormat, ImportMode, ImportStatus

# Commands planned but not written yet: `./fairpath admin` lists them.
COMING: dict[str, str] = {}

Register = Callable[[argparse._SubParsersAction], None]  # noqa: SLF001 - argparse has no public name for it

DEFAULT_GATEWAY_URL = f"http://127.0.0.1:{GATEWAY.port}"
DESCRIPTION = (
    f"The operator's commands. They talk to the gateway's API ({DEFAULT_GATEWAY_URL} by default) "
    "with an admin's API key, never to a service's database; only `bootstrap` (the first admin, when no "
    "one can call the API yet) writes to the gateway's database, through the gateway's own code."
)


def _demo_credentials() -> dict[str, Any]:
    path = demo_credentials_file(var_dir(repo_root()))
    return json.loads(path.read_text()) if path.exists() else {}


def gateway_client(args: argparse.Namespace) -> httpx.Client:
    """A client for the gateway with an admin's API key: --api-key, FAIRPATH_ADMIN_API_KEY, or the demo admin's."""
    demo = _demo_credentials()
    url = args.gateway or os.environ.get("FAIRPATH_GATEWAY_URL") or demo.get("gateway") or DEFAULT_GATEWAY_URL
    key = (
        args.api_key
        or os.environ.get("FAIRPATH_ADMIN_API_KEY")
        or demo.get("users", {}).get("admin", {}).get("api_key")
    )
    if not key:
        raise SystemExit("fairpath admin: no admin API key (use --api-key or FAIRPATH_ADMIN_API_KEY)")
    # Long reads: an import answers when the whole list is loaded and businesses re-screened.
    return httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=httpx.Timeout(600.0, connect=5.0))


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gateway", help=f"the gateway's URL (default: var/demo-credentials.json, else :{GATEWAY.port})"
    )
    parser.add_argument("--api-key", help="an admin's API key (default: FAIRPATH_ADMIN_API_KEY, else the demo admin's)")


def _call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> Any:
    try:
        with gateway_client(args) as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        print(
            f"fairpath admin: the gateway did not answer ({type(exc).__name__}); is ./fairpath up running?",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    if response.status_code >= 400:
        try:
            problem = response.json()
            print(f"fairpath admin: {problem.get('title')}: {problem.get('detail')}", file=sys.stderr)
            for v in problem.get("violations") or []:
                print(f"  {v.get('field')}: {v.get('message')} ({v.get('rule')})", file=sys.stderr)
        except ValueError:
            print(f"fairpath admin: HTTP {response.status_code}", file=sys.stderr)
        raise SystemExit(1)
    return response.json()


def _print_letters(letters: list[dict[str, Any]]) -> None:
    for d in letters:
        print(f"  #{d['seq']:<6} {d['consumer']:<24} {d['subject']:<40} {d['error']:<20} event {d['event_id'] or '-'}")


def events_dead_letters(args: argparse.Namespace) -> int:
    params = {"consumer": args.consumer} if args.consumer else {}
    letters = _call(args, "GET", "/v1/admin/events/dead-letters", params=params)
    print(f"{len(letters)} dead letter(s)")
    _print_letters(letters)
    return 0


def events_replay(args: argparse.Namespace) -> int:
    body = {"limit": args.limit} | ({"consumer": args.consumer} if args.consumer else {})
    replayed = _call(args, "POST", "/v1/admin/events/replay", json=body)["replayed"]
    print(f"replayed {len(replayed)} dead letter(s) onto their original subjects")
    _print_letters(replayed)
    return 0


def register_events(subparsers: argparse._SubParsersAction) -> None:
    events = subparsers.add_parser("events", help="dead-lettered events: list them, replay them")
    commands = events.add_subparsers(title="commands", metavar="COMMAND", required=True)
    listing = commands.add_parser("dead-letters", help="list the events a consumer gave up on")
    replay = commands.add_parser("replay", help="put dead letters back on their original subject")
    for parser in (listing, replay):
        _common_options(parser)
        parser.add_argument("--consumer", help="only this consumer's dead letters")
    replay.add_argument("--limit", type=int, default=1000)
    listing.set_defaults(handler=events_dead_letters)
    replay.set_defaults(handler=events_replay)


def progress_bar(done: int, total: int, width: int = 40) -> str:
    share = min(done / total, 1.0) if total else 1.0
    filled = int(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:6.1%}  {done / 1e6:8.1f} / {total / 1e6:.1f} MB"


def _stream_with_progress(path: Path, chunk_size: int = 256 * 1024):  # noqa: ANN202
    """Yield the file in chunks, drawing a progress bar on stderr as they go out."""
    total = path.stat().st_size
    sent = 0
    # On a terminal the bar redraws in place; in a log, a line per tenth of the file.
    redraw = sys.stderr.isatty()
    shown = 0
    with path.open("rb") as f:
        while chunk := f.read(chunk_size):
            sent += len(chunk)
            if redraw:
                print(f"\r  uploading {progress_bar(sent, total)}", end="", file=sys.stderr, flush=True)
            elif sent * 10 // max(total, 1) > shown or sent == total:
                shown = sent * 10 // max(total, 1)
                print(f"  uploading {progress_bar(sent, total)}", file=sys.stderr, flush=True)
            yield chunk
    print(
        ("\n" if redraw else "") + "  loading the last batch and re-screening businesses ...",
        file=sys.stderr,
        flush=True,
    )


def watchlists_list(args: argparse.Namespace) -> int:
    page = _call(args, "GET", "/v1/watchlists", params={"limit": 200})
    if not page["items"]:
        print("no watchlists yet: ./fairpath admin watchlists create NAME --kind sanctions|debarment|blocklist")
        return 0
    print(f"{len(page['items'])} watchlist(s){' (the first 200)' if page.get('next_cursor') else ''}:")
    for w in page["items"]:
        print(f"  {w['id']}  {w['kind']:<10} {w['name']}")
    return 0


def watchlists_create(args: argparse.Namespace) -> int:
    body = {"name": args.name, "kind": args.kind} | ({"source": args.source} if args.source else {})
    created = _call(args, "POST", "/v1/watchlists", json=body)
    print(f"created watchlist {created['id']} ({created['kind']}: {created['name']})")
    return 0


def watchlists_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"fairpath admin: no such file: {path}", file=sys.stderr)
        return 2
    fmt = args.format or (ImportFormat.csv if path.suffix.lower() == ".csv" else ImportFormat.ftm)
    # A wrong id is said before the whole file is sent.
    watchlist = _call(args, "GET", f"/v1/watchlists/{args.watchlist_id}")
    print(f"loading {path} into {watchlist['name']} ({watchlist['kind']}, {args.mode})", file=sys.stderr)
    headers = {
        "content-type": "text/csv" if fmt == ImportFormat.csv else "application/x-ndjson",
        "content-length": str(path.stat().st_size),
    }
    job = _call(
        args,
        "POST",
        f"/v1/watchlists/{args.watchlist_id}/imports",
        params={"format": str(fmt), "mode": str(args.mode)},
        content=_stream_with_progress(path),
        headers=headers,
    )
    print(
        f"import {job['id']}: {job['status']}; {job['loaded']} loaded, {job['unchanged']} unchanged, "
        f"{job['skipped']} skipped, {job['rejected']} rejected, {job['removed']} removed; "
        f"{job['rescreened_businesses']} businesses re-screened, {job['new_hits']} new potential hits"
    )
    for rejection in job["rejections"]:
        print(f"  line {rejection['line']}: {rejection['reason']}")
    if job["rejections_truncated"]:
        print(f"  ... and more: GET /v1/imports/{job['id']}")
    return 0 if job["status"] != ImportStatus.failed else 1


def _print_clock(clock: dict[str, Any]) -> None:
    offset = float(clock["offset_seconds"])
    moved = "the system's clock" if offset == 0 else f"moved {offset / 86400:+.2f} days from the system's clock"
    print(f"now {clock['now']} ({moved})")


def clock_show(args: argparse.Namespace) -> int:
    _print_clock(_call(args, "GET", "/v1/admin/clock"))
    return 0


def clock_set(args: argparse.Namespace) -> int:
    _print_clock(_call(args, "PUT", "/v1/admin/clock", json={"now": args.now}))
    return 0


def clock_reset(args: argparse.Namespace) -> int:
    _print_clock(_call(args, "PUT", "/v1/admin/clock", json={"now": None}))
    return 0


def register_clock(subparsers: argparse._SubParsersAction) -> None:
    clock = subparsers.add_parser("clock", help="the time every service sees (outside production): show, set, reset")
    commands = clock.add_subparsers(title="commands", metavar="COMMAND", required=True)
    show = commands.add_parser("show", help="the time every service sees")
    move = commands.add_parser("set", help="move it: every service sees this time, and the clock runs on from it")
    move.add_argument("now", help="an ISO 8601 time with its zone, e.g. 2027-12-01T09:00:00Z")
    reset = commands.add_parser("reset", help="put the system's clock back")
    for parser, handler in ((show, clock_show), (move, clock_set), (reset, clock_reset)):
        _common_options(parser)
        parser.set_defaults(handler=handler)


def register_watchlists(subparsers: argparse._SubParsersAction) -> None:
    watchlists = subparsers.add_parser("watchlists", help="sanctions, debarment and block lists: create, list, load")
    commands = watchlists.add_subparsers(title="commands", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="the watchlists")
    create = commands.add_parser("create", help="create a watchlist")
    create.add_argument("name")
    create.add_argument("--kind", choices=[kind.value for kind in WatchlistKind], required=True)
    create.add_argument("--source", help="where the list comes from")
    load = commands.add_parser("import", help="load a FollowTheMoney JSON lines or CSV file, with a progress bar")
    load.add_argument("watchlist_id")
    load.add_argument("file")
    load.add_argument("--format", choices=[f.value for f in ImportFormat], help="default: csv for *.csv, else ftm")
    load.add_argument(
        "--mode",
        choices=[mode.value for mode in ImportMode],
        default=ImportMode.replace.value,
        help="replace: the file is the whole list (default); append: add and change only",
    )
    for parser, handler in ((listing, watchlists_list), (create, watchlists_create), (load, watchlists_import)):
        _common_options(parser)
        parser.set_defaults(handler=handler)


# --- accounts: bootstrap, organisations, users, keys ------------------------------------------


def _local_var_dir() -> Path | None:
    """The var dir `up` uses, when this is a checkout (an installed image has none: the environment decides)."""
    if os.environ.get("FAIRPATH_VAR_DIR"):
        return Path(os.environ["FAIRPATH_VAR_DIR"]).resolve()
    try:
        return var_dir(repo_root())
    except SystemExit:
        return None


async def _bootstrap(settings: GatewaySettings, username: str, organization: str) -> FirstAdmin:
    async with gateway_store(settings) as store:
        return await bootstrap_first_admin(
            database=store.database,
            ledger=store.ledger,
            accounts=store.accounts,
            username=username,
            organization_name=organization,
        )


def bootstrap(args: argparse.Namespace) -> int:
    try:
        settings = settings_for(_local_var_dir())
    except (ValidationError, InsecureSettingsError) as exc:
        print(f"fairpath admin: the gateway's settings are refused: {exc}", file=sys.stderr)
        return 2
    try:
        first = asyncio.run(_bootstrap(settings, args.username, args.organization))
    except DomainError as exc:
        print(f"fairpath admin: {exc.detail}", file=sys.stderr)
        return 1
    gateway = args.gateway or os.environ.get("FAIRPATH_GATEWAY_URL") or DEFAULT_GATEWAY_URL
    code = first.activation
    body = json.dumps({"username": code.username, "code": code.code, "password": "YOUR NEW PASSPHRASE"})
    print(
        "\n".join(
            [
                "The first admin of this deployment. This is shown once and cannot be shown again:",
                f"  organisation    {first.organization_name} ({first.organization_id})",
                f"  username        {code.username} ({first.user_id})",
                f"  one-time code   {code.code}   (good once, until {code.expires_at:%Y-%m-%d %H:%M} UTC)",
                f"  API key         {first.api_key}   "
                f"(for ./fairpath admin, until {first.api_key_expires_at:%Y-%m-%d %H:%M} UTC)",
                "",
                "Set your own password with the code (at least 12 characters):",
                f"  curl -s -X POST {gateway}/v1/auth/activate -H 'Content-Type: application/json' \\\n"
                f"    -d {shlex.quote(body)}",
                "then sign in (POST /v1/auth/token) and set up TOTP (POST /v1/me/totp, POST /v1/me/totp/confirm):",
                "an admin needs it. Before the key expires, make a lasting one:",
                f"  FAIRPATH_ADMIN_API_KEY={first.api_key} ./fairpath admin keys create {first.organization_id} "
                f"--user {first.user_id} --name 'admin CLI'",
            ]
        )
    )
    return 0


def _print_code(code: dict[str, Any]) -> None:
    print(f"  one-time code  {code['code']}   (for {code['username']}; good once, until {code['expires_at']})")
    print("  hand it to the person: they set their own password with it at POST /v1/auth/activate")


def _print_user_line(user: dict[str, Any]) -> None:
    totp = "totp" if user["totp_enabled"] else "-"
    print(f"  {user['id']}  {user['username']:<24} {user['role']:<18} {user['status']:<18} {totp}")


def organizations_create(args: argparse.Namespace) -> int:
    body = {"name": args.name, "kind": args.kind} | ({"business_id": args.business_id} if args.business_id else {})
    if bool(args.country) != bool(args.registration_number):
        print("fairpath admin: give both --country and --registration-number, or neither", file=sys.stderr)
        return 2
    org = _call(args, "POST", "/v1/admin/organizations", json=body)
    print(f"created organisation {org['id']} ({org['kind']}: {org['name']})")
    if args.country:
        business = {
            "kind": args.kind,
            "legal_name": args.name,
            "country": args.country,
            "registration_number": args.registration_number,
            "organization_id": org["id"],
        }
        registered = _call(args, "POST", "/v1/businesses", json=business)
        print(f"registered its business {registered['id']} for vetting (the organisation acts for it)")
    if args.user:
        user = _call(args, "POST", f"/v1/admin/organizations/{org['id']}/users", json={"username": args.user})
        print(f"created user {user['username']} ({user['role']}, {user['id']})")
        _print_code(user["activation"])
    return 0


def organizations_list(args: argparse.Namespace) -> int:
    params = {"limit": 200} | ({"kind": args.kind} if args.kind else {})
    page = _call(args, "GET", "/v1/admin/organizations", params=params)
    if not page["items"]:
        print("no organisations yet: ./fairpath admin organizations create NAME --kind KIND")
        return 0
    print(f"{len(page['items'])} organisation(s){' (the first 200)' if page.get('next_cursor') else ''}:")
    for org in page["items"]:
        business = f"business {org['business_id']}" if org["business_id"] else ""
        print(f"  {org['id']}  {org['kind']:<18} {org['name']:<40} {business}".rstrip())
    return 0


def organizations_show(args: argparse.Namespace) -> int:
    org = _call(args, "GET", f"/v1/admin/organizations/{args.organization_id}")
    print(f"organisation {org['id']}: {org['name']} ({org['kind']})")
    print(f"  business  {org['business_id'] or '-'}")
    sso = org["sso"]
    print(f"  sso       {sso['issuer'] if sso else '-'}")
    users = _call(args, "GET", f"/v1/admin/organizations/{org['id']}/users", params={"limit": 200})["items"]
    print(f"  {len(users)} user(s)")
    for user in users:
        _print_user_line(user)
    return 0


def users_create(args: argparse.Namespace) -> int:
    if bool(args.organization) == bool(args.worker):
        print(
            "fairpath admin: give --organization ORGANIZATION_ID, or --worker WORKER_ID for a worker's login",
            file=sys.stderr,
        )
        return 2
    if args.worker:
        user = _call(args, "POST", "/v1/admin/users", json={"username": args.username, "worker_id": args.worker})
    else:
        body = {"username": args.username} | ({"role": args.role} if args.role else {})
        user = _call(args, "POST", f"/v1/admin/organizations/{args.organization}/users", json=body)
    print(f"created user {user['username']} ({user['role']}, {user['id']})")
    _print_code(user["activation"])
    return 0


def users_list(args: argparse.Namespace) -> int:
    page = _call(args, "GET", f"/v1/admin/organizations/{args.organization_id}/users", params={"limit": 200})
    if not page["items"]:
        print(
            f"no users in this organisation yet: ./fairpath admin users create USERNAME --organization "
            f"{args.organization_id}"
        )
        return 0
    print(f"{len(page['items'])} user(s){' (the first 200)' if page.get('next_cursor') else ''}:")
    for user in page["items"]:
        _print_user_line(user)
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    user = _call(args, "PATCH", f"/v1/admin/users/{args.user_id}", json={"disabled": disabled})
    if disabled:
        print(f"disabled {user['username']} ({user['id']}): every session ended, their API keys stop working")
    else:
        print(f"enabled {user['username']} ({user['id']}): they sign in again (their API keys work again)")
    return 0


def users_disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def users_enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def users_reset(args: argparse.Namespace) -> int:
    code = _call(
        args, "POST", f"/v1/admin/users/{args.user_id}/activation-code", json={"remove_totp": args.remove_totp}
    )
    print(
        f"reset {code['username']}: their password and every session ended"
        + ("; their second factor was removed" if args.remove_totp else "")
    )
    _print_code(code)
    return 0


def _print_key(key: dict[str, Any]) -> None:
    prefix = f"{key['prefix']}..." if key["prefix"] else "(imported)"
    print(
        f"  {key['id']}  {prefix:<15} {key['name']:<24} {key['status']:<8} created {key['created_at'][:16]}  "
        f"last used {(key['last_used_at'] or 'never')[:16]}  expires {(key['expires_at'] or 'never')[:16]}"
    )


def keys_create(args: argparse.Namespace) -> int:
    body = {"name": args.name, "user_id": args.user} | ({"expires_at": args.expires} if args.expires else {})
    key = _call(args, "POST", f"/v1/admin/organizations/{args.organization_id}/api-keys", json=body)
    print(f"created API key {key['id']} ({key['name']}), acting as user {key['user_id']}")
    print(f"  key   {key['key']}")
    print("  shown this once: only its digest is kept")
    return 0


def keys_list(args: argparse.Namespace) -> int:
    page = _call(args, "GET", f"/v1/admin/organizations/{args.organization_id}/api-keys", params={"limit": 200})
    if not page["items"]:
        print(
            f"no API keys in this organisation yet: ./fairpath admin keys create {args.organization_id} "
            "--user USER_ID --name NAME"
        )
        return 0
    print(f"{len(page['items'])} API key(s){' (the first 200)' if page.get('next_cursor') else ''}:")
    for key in page["items"]:
        _print_key(key)
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    _call(args, "DELETE", f"/v1/admin/api-keys/{args.key_id}")
    print(f"revoked API key {args.key_id}: it stops working at its next request")
    return 0


def register_bootstrap(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bootstrap",
        help="the first admin of a new deployment (in the gateway's database; refused once there is an admin)",
        description="Make the first admin of a production deployment directly in the gateway's database (the "
        "settings are the gateway's: FAIRPATH_GATEWAY_DATABASE_URL and its secrets), print their one-time "
        "activation code and an API key valid one day, once. Refused when an admin exists.",
    )
    parser.add_argument("--username", default="admin", help="the admin's username (default: admin)")
    parser.add_argument("--organization", default="Fairpath Operator", help="the operator's name, if none exists")
    parser.add_argument("--gateway", help=f"the gateway's URL, for the printed example (default :{GATEWAY.port})")
    parser.set_defaults(handler=bootstrap)


def register_organizations(subparsers: argparse._SubParsersAction) -> None:
    orgs = subparsers.add_parser("organizations", help="agencies, employers, auditors: create, list, show")
    commands = orgs.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create", help="create an organisation (with --user, its first user; with --country, its business)"
    )
    create.add_argument("name")
    create.add_argument("--kind", required=True, choices=[k.value for k in OrganizationKind])
    create.add_argument("--business-id", help="the business record in vetting it acts for")
    create.add_argument("--user", metavar="USERNAME", help="also create its first user and print their one-time code")
    create.add_argument("--country", help="also register its business for vetting: the country (ISO 3166 alpha-2)")
    create.add_argument("--registration-number", help="... and its registration number")
    listing = commands.add_parser("list", help="the organisations")
    listing.add_argument("--kind", choices=[k.value for k in OrganizationKind])
    show = commands.add_parser("show", help="one organisation and its users")
    show.add_argument("organization_id")
    for parser, handler in ((create, organizations_create), (listing, organizations_list), (show, organizations_show)):
        _common_options(parser)
        parser.set_defaults(handler=handler)


def register_users(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="people's accounts: create, list, disable, enable, reset")
    commands = users.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="create a user and print their one-time activation code")
    create.add_argument("username")
    create.add_argument("--organization", metavar="ORGANIZATION_ID", help="the organisation they belong to")
    create.add_argument("--role", choices=[r.value for r in Role if r != Role.worker], help="(needed for the operator)")
    create.add_argument("--worker", metavar="WORKER_ID", help="a worker's login, linked to their worker record")
    listing = commands.add_parser("list", help="an organisation's users")
    listing.add_argument("organization_id")
    disable = commands.add_parser("disable", help="disable a user: every session ends, their keys stop")
    enable = commands.add_parser("enable", help="enable a disabled user")
    reset = commands.add_parser("reset", help="reset a password: sessions end, a new one-time code is printed")
    reset.add_argument("--remove-totp", action="store_true", help="also remove their second factor (a lost phone)")
    for parser in (disable, enable, reset):
        parser.add_argument("user_id")
    for parser, handler in (
        (create, users_create),
        (listing, users_list),
        (disable, users_disable),
        (enable, users_enable),
        (reset, users_reset),
    ):
        _common_options(parser)
        parser.set_defaults(handler=handler)


def register_keys(subparsers: argparse._SubParsersAction) -> None:
    keys = subparsers.add_parser("keys", help="API keys for software: create, list, revoke")
    commands = keys.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="create a key acting as one of the organisation's users")
    create.add_argument("organization_id")
    create.add_argument("--user", required=True, metavar="USER_ID", help="the user the key acts as")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument("--expires", metavar="TIME", help="when it stops working (ISO 8601 with its zone)")
    listing = commands.add_parser("list", help="an organisation's keys (prefix, name, last use, expiry)")
    listing.add_argument("organization_id")
    revoke = commands.add_parser("revoke", help="revoke a key: it stops working at its next request")
    revoke.add_argument("key_id")
    for parser, handler in ((create, keys_create), (listing, keys_list), (revoke, keys_revoke)):
        _common_options(parser)
        parser.set_defaults(handler=handler)


COMMANDS: list[Register] = [
    register_bootstrap,
    register_organizations,
    register_users,
    register_keys,
    register_events,
    register_watchlists,
    register_clock,
]
USAGE = [
    "./fairpath admin bootstrap [--username NAME]             the first admin of a new deployment (once)",
    "./fairpath admin organizations create NAME --kind KIND [--user USERNAME] [--country CC --registration-number N]",
    "./fairpath admin organizations list|show ORGANIZATION_ID",
    "./fairpath admin users create USERNAME --organization ORGANIZATION_ID | --worker WORKER_ID",
    "./fairpath admin users list ORGANIZATION_ID | disable|enable|reset USER_ID",
    "./fairpath admin keys create ORGANIZATION_ID --user USER_ID --name NAME | list ORGANIZATION_ID | revoke KEY_ID",
    "./fairpath admin watchlists create NAME --kind sanctions|debarment|blocklist",
    "./fairpath admin watchlists list",
    "./fairpath admin watchlists import WATCHLIST_ID FILE   load FtM JSON lines or CSV, with a progress bar",
    "./fairpath admin events dead-letters [--consumer NAME]   list the events a consumer gave up on",
    "./fairpath admin events replay [--consumer NAME]         put them back on their original subject",
    "./fairpath admin clock show|set TIME|reset               the time every service sees (not in production)",
]


def register(subparsers: argparse._SubParsersAction) -> None:
    coming = [f"  ./fairpath admin {name:<16} {what}" for name, what in COMING.items()]
    parser = subparsers.add_parser(
        "admin",
        help="operator's commands (over the gateway's API)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(["examples:", *(f"  {line}" for line in USAGE), *(["coming:", *coming] if coming else [])]),
    )
    parser.set_defaults(handler=lambda _args: overview())
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)


def overview() -> int:
    print(DESCRIPTION)
    print()
    for line in USAGE:
        print(f"  {line}")
    if COMING:
        print("\nComing:")
        for name, what in COMING.items():
            print(f"  ./fairpath admin {name:<16} {what}")
    return 0
