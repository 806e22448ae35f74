"""`./fairpath admin ...`: the operator's commands. They talk to the gateway's API (with an
admin's API key), never to a service's database.

To add a command, write a `register_<name>(subparsers)` that adds its parser and sets
`handler` (a function taking the parsed arguments and returning an exit code), and list
it in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from fairpath.common.domain_codes import WatchlistKind
from fairpath.common.services import GATEWAY
from fairpath.deploy.paths import demo_credentials_file, repo_root, var_dir
from fairpath.vetting.watchlists.schemas import ImportFormat, ImportMode, ImportStatus

# Commands planned but not written yet: `./fairpath admin` lists them.
COMING: dict[str, str] = {}

Register = Callable[[argparse._SubParsersAction], None]  # noqa: SLF001 - argparse has no public name for it

DEFAULT_GATEWAY_URL = f"http://127.0.0.1:{GATEWAY.port}"
DESCRIPTION = (
    f"The operator's commands. They talk to the gateway's API ({DEFAULT_GATEWAY_URL} by default) "
    "with an admin's API key, never to a service's database."
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


COMMANDS: list[Register] = [register_events, register_watchlists, register_clock]
USAGE = [
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
