from __future__ import annotations

from toolkit import demo_mode
from toolkit.__main__ import main


def test_demo_report_is_written_offline_with_every_exchange(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["demo", "--out", str(out)]) == 0
    html = out.read_text()
    for exchange in ("Bitget", "Kucoin", "Coinw", "Binance"):
        assert f"<h2>{exchange}</h2>" in html
    assert "257.518301" in html  # CoinW's documented USDT balance
    assert "class='error'" not in html
    assert "DEMO-" not in html and "SECRET" not in html
    assert "Wrote" in capsys.readouterr().out
    assert not demo_mode.active()  # the report switches demo mode off again
