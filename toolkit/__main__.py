"""``python -m toolkit demo``: run the notebooks offline and write the report, from the shipped cassettes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.report import run_demo


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
    args = parser.parse_args(argv)
    ok = run_demo(args.out, None if args.skip_notebooks else args.notebooks_out)
    print(f"Wrote {args.out}" + ("" if ok else " (some notebooks failed: see above and the report)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
