"""Local stand-ins of the exchanges, for demo mode and tests; never imported by a client.

``replay.ReplayServer`` replays a Binance WebSocket API transcript (``cassettes/binance/ws/``).
The servers here bind to 127.0.0.1 only and stop by themselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CASSETTES = Path(os.environ.get("TOOLKIT_CASSETTES", Path(__file__).resolve().parents[2] / "cassettes"))

_running: list[Any] = []


def demo_server_url(exchange: str, secret: str | None) -> str | None:
    """Start the local server that backs ``exchange`` in demo mode and return its URL; None where
    the demo replays HTTP cassettes instead (every exchange but Binance's WebSocket API)."""
    if exchange != "binance":
        return None
    from toolkit.sandbox.replay import ReplayServer

    server = ReplayServer("demo", secret=secret, lenient=True, lifetime=4 * 3600).start()
    _running.append(server)
    return server.url


def stop_demo_servers() -> None:
    """Stop every server ``demo_server_url`` started."""
    while _running:
        _running.pop().stop()
