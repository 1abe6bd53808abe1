"""``python -m toolkit demo``: run the notebooks offline and write the report, against the sandboxes.
``python -m toolkit sandbox``: run the sandboxes in the foreground for other programs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from toolkit.exchanges import descriptors


def run_sandboxes(duration: float | None, newer_accounts: bool = False) -> int:
    """Serve every exchange's sandbox until Ctrl-C (or ``duration`` seconds); print how to reach them."""
    from toolkit import sandbox

    boxes = sandbox.start(story=True, lifetime=duration or 24 * 3600, newer_accounts=newer_accounts)
    try:
        print(
            "Sandboxes on 127.0.0.1 (fictional accounts, obviously fake keys). In Python, after import toolkit as tk:"
        )
        for exchange in sorted(boxes.servers):
            print(f"  {exchange} = {boxes.connect_line(exchange)}")
        print("Stop with Ctrl-C.", flush=True)
        time.sleep(duration) if duration else _forever()
    except KeyboardInterrupt:
        pass
    finally:
        boxes.stop()
    return 0


def _forever() -> None:
    while True:
        time.sleep(3600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the notebooks and write the report offline (no keys, no network)")
    demo.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to write (default: %(default)s)")
    demo.add_argument(
        "--notebooks-out", type=Path, default=Path("out/notebooks"),
        help="folder for the executed notebooks (default: %(default)s)",
    )  # fmt: skip
    demo.add_argument("--skip-notebooks", action="store_true", help="write the report only")
    newer = " and ".join(f"{d.label}'s" for d in descriptors() if d.newer_model) + " accounts in their newer model"
    demo.add_argument("--newer-accounts", action="store_true", help=f"the report with {newer}")
    serve = commands.add_parser("sandbox", help="serve the four exchanges' sandboxes on 127.0.0.1 until Ctrl-C")
    serve.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    serve.add_argument("--newer-accounts", action="store_true", help=f"serve {newer}")
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return run_sandboxes(args.seconds, args.newer_accounts)
    from toolkit.errors import MissingDependency
    from toolkit.report import run_demo

    try:
        ok = run_demo(args.out, None if args.skip_notebooks else args.notebooks_out, newer_accounts=args.newer_accounts)
    except MissingDependency as err:
        print(f"python -m toolkit demo: {err}", file=sys.stderr)
        return 2
    print(f"Wrote {args.out}" + ("" if ok else " (some notebooks failed: see above and the report)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
