"""`./fairpath admin ...`: the operator's commands. They talk to the gateway's API (with an
admin's API key), never to a service's database.

To add a command, write a `register_<name>(subparsers)` that adds its parser and sets
`handler` (a function taking the parsed arguments and returning an exit code), and list
it in `COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

# Commands planned but not written yet: `./fairpath admin` lists them.
COMING: dict[str, str] = {
    "events replay": "put dead-lettered events from the DLQ stream back on their stream",
}

Register = Callable[[argparse._SubParsersAction], None]  # noqa: SLF001 - argparse has no public name for it
COMMANDS: list[Register] = []

DESCRIPTION = (
    "The operator's commands. They talk to the gateway's API (http://127.0.0.1:8000 by default) "
    "with an admin's API key, never to a service's database."
)


def register(subparsers: argparse._SubParsersAction) -> None:  # noqa: SLF001
    parser = subparsers.add_parser(
        "admin", help="operator's commands (over the gateway's API)", description=DESCRIPTION,
        epilog="coming: " + "; ".join(f"'admin {name}': {what}" for name, what in COMING.items()),
    )
    parser.set_defaults(handler=lambda args: overview(parser))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)


def overview(parser: argparse.ArgumentParser) -> int:
    print(DESCRIPTION)
    if COMMANDS:
        print()
        parser.print_usage()
    print("\nComing:")
    for name, what in COMING.items():
        print(f"  ./fairpath admin {name:<16} {what}")
    return 0
