"""The benchmark suite in its quick mode (small sizes): it runs, writes every section, and the
history it times is complete. Times are not asserted: they are the suite's business."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_quick_benchmark_suite_writes_every_section(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text()
    titles = re.findall(r"^## (.*)$", text, re.M)
    assert [t.split(",")[0].split(" of ")[0] for t in titles] == [
        "KuCoin ledger", "KuCoin ledger", "Peak memory", "30 days", "A second tk.sync with nothing new",
        "import toolkit", "Candle requests to value a year",
    ]  # fmt: skip
    assert "500 records" in titles[0]
    returned, expected = re.search(r"met: every row on the server returned, once, every repeat: (\d+) of (\d+)",
                                   text).groups()  # fmt: skip
    assert returned == expected and int(expected) > 0
    assert "ccxt parse_ledger + DataFrame" in text  # the comparison ran (ccxt is a test dependency)
    assert "msgspec + same typing (Decimal)" in text and "| long ids |" in text and "| zeros |" in text
    assert "met: the floor returned every row" in text  # plain requests + threads really ran, every row
    assert "ccxt fetch_ledger looped over windows" in text
    assert "met: every row on the server returned, once, every run: True" in text  # the memory run's history
    assert "met: one clock sync per client: 1" in text
    assert "met: none of vcr, yaml" in text
