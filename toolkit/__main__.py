"""``python -m toolkit demo``: the offline account report, from the shipped cassettes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.report import write_demo_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="write the offline demo report (no keys, no network)")
    demo.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        path = write_demo_report(args.out)
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
