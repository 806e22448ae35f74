"""`./fairpath audit verify`: an auditor's offline check of a service's audit chain (no server, no login).

    ./fairpath audit verify EXPORT --checkpoints FILE
        EXPORT: the JSON lines of GET /v1/audit/{service}/export; FILE: a saved GET .../checkpoints answer.
        Checks every checkpoint's signature, the chain (each hash over the bytes given, each link), and that
        every kept checkpoint's root is recomputed from the export (it is still a prefix of the chain).
    ./fairpath audit verify --consistency PROOF --checkpoints FILE
        PROOF: a saved GET .../proofs/consistency?first=M&second=N answer. Checks the two kept checkpoints
        of sizes M and N (their signatures) and that the proof shows the tree of M entries is a prefix of
        the tree of N, without the export.

Exit status 0 when everything holds, 1 when something does not (each problem printed), 2 on bad input.
"""

import argparse
import json
import sys
from pathlib import Path

from fairpath.common.audit_export import load_checkpoints, verify_consistency_offline, verify_export


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    audit = commands.add_parser(
        "audit",
        help="verify an audit export and the checkpoints you kept, offline",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = audit.add_subparsers(title="commands", metavar="COMMAND")
    verify = sub.add_parser("verify", help="verify an export (or a consistency proof) against kept checkpoints")
    verify.add_argument("export", nargs="?", metavar="EXPORT", help="the export's JSON lines ('-': stdin)")
    verify.add_argument(
        "--checkpoints", required=True, metavar="FILE", help="a saved GET /v1/audit/{service}/checkpoints answer"
    )
    verify.add_argument(
        "--consistency", metavar="PROOF", help="a saved GET /v1/audit/{service}/proofs/consistency answer"
    )
    verify.set_defaults(handler=cmd_audit_verify)
    audit.set_defaults(handler=lambda _: audit.print_help() or 2)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    try:
        checkpoints, keys = load_checkpoints(json.loads(Path(args.checkpoints).read_text()))
        if args.consistency:
            proof = json.loads(Path(args.consistency).read_text())
            result = verify_consistency_offline(proof, checkpoints, keys)
            if result.valid:
                print(
                    f"valid: the tree of {result.first} entries is a prefix of the tree of {result.second} "
                    f"({result.signatures_checked} checkpoint signatures verified)"
                )
                return 0
            _problems(result.problems)
            return 1
        if not args.export:
            print("fairpath audit verify: give an EXPORT file, or --consistency PROOF", file=sys.stderr)
            return 2
        if args.export == "-":
            report = verify_export(sys.stdin.buffer, checkpoints, keys)
        else:
            with open(args.export, "rb") as lines:
                report = verify_export(lines, checkpoints, keys)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"fairpath audit verify: cannot read the input: {exc}", file=sys.stderr)
        return 2
    if report.valid:
        print(
            f"valid: {report.service}: {report.entries} entries ({report.pruned} pruned, kept by their hashes), "
            f"{report.signatures_checked} checkpoint signatures verified, "
            f"{report.checkpoints_checked} checkpoints still a prefix of the chain"
        )
        return 0
    _problems(report.problems)
    return 1


def _problems(problems: list[str]) -> None:
    print("NOT valid:")
    for problem in problems:
        print(f"  - {problem}")
