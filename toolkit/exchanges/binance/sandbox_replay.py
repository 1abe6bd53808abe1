"""A local Binance WebSocket API server that replays a JSONL transcript, for the tests and demo mode.

A transcript (``cassettes/binance/ws/<name>.jsonl``) has one JSON object per line:

* ``{"_comment": "..."}`` says where the frames come from;
* ``{"client": {...}}`` is a request the client is expected to send (its ``method`` and its
  ``params`` other than ``apiKey``, ``timestamp`` and ``signature`` must match);
* ``{"server": {...}}`` is a frame the server sends; a non-null ``id`` is replaced by the id of the
  request being answered, since clients choose their own ids;
* ``{"pause": seconds}``, ``{"drop": true}`` (cut the connection without a close handshake) and
  ``{"ping": "payload"}`` (send a ping and wait for the matching pong) stage connection events.

Every signed request is verified with the key the server is given; a bad signature is answered with
Binance's -1022 error and noted in ``problems``. Strict mode (tests) plays the transcript in order
across connections, so a reconnecting client continues where the drop happened. Lenient mode (demo)
answers each request with the next unused part of the transcript for that method, and repeats the
last one when they are used up. The server binds to 127.0.0.1 on a free port and stops by itself
after ``lifetime`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from toolkit.core.websocket import Frame, LoopThread
from toolkit.exchanges.binance.auth import payload, verify
from toolkit.sandbox import CASSETTES

TRANSCRIPTS = CASSETTES / "binance" / "ws"
AUTH_PARAMS = frozenset(("apiKey", "timestamp", "signature"))
# BN-ERR -1022 with the HTTP-like status 400 that BN-WS gives every request error.
BAD_SIGNATURE = {"status": 400, "error": {"code": -1022, "msg": "Signature for this request is not valid."}}
Block = tuple[Frame | None, list[Frame]]


def load_blocks(path: Path) -> list[Block]:
    """The transcript cut into blocks: an expected request (or None) and the steps that follow it."""
    blocks: list[Block] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        step = json.loads(line)
        if not isinstance(step, dict) or not step.keys() & {"_comment", "client", "server", "pause", "drop", "ping"}:
            raise ValueError(f"{path.name}:{number}: not a transcript step")
        if "_comment" in step:
            continue
        if "client" in step:
            blocks.append((step["client"], []))
        elif blocks:
            blocks[-1][1].append(step)
        else:
            blocks.append((None, [step]))
    return blocks


class ReplayServer:
    """Serves ``transcript`` (a path, or a name under ``cassettes/binance/ws/``) on 127.0.0.1."""

    def __init__(
        self,
        transcript: str | Path,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        lenient: bool = False,
        lifetime: float = 60.0,
    ) -> None:
        path = Path(transcript)
        self.path = path if path.suffix else TRANSCRIPTS / f"{transcript}.jsonl"
        self.blocks = load_blocks(self.path)
        self.api_key = api_key
        self.secret = secret
        self.lenient = lenient
        self.lifetime = lifetime
        self.received: list[Frame] = []
        self.problems: list[str] = []
        self.pongs: list[str] = []
        self.connections = 0
        self.url = ""
        self._next = 0
        self._used: set[int] = set()
        self._loop: LoopThread | None = None
        self._server: Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> ReplayServer:
        """Bind to 127.0.0.1 on a free port; ``url`` is where to connect."""
        self._loop = LoopThread("binance-replay")
        self._server = self._loop.run(self._serve(), timeout=5)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws-api/v3"
        return self

    def stop(self) -> None:
        """Close every connection and stop the server's thread."""
        if self._loop is not None:
            if self._server is not None:
                self._loop.run(self._close(), timeout=5)
            self._loop.stop()
            self._loop = None

    async def _serve(self) -> Server:
        server = await serve(self._handle, "127.0.0.1", 0)
        asyncio.get_running_loop().call_later(self.lifetime, server.close)
        return server

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionClosed):
            await (self._lenient(ws) if self.lenient else self._strict(ws))

    async def _strict(self, ws: ServerConnection) -> None:
        while self._next < len(self.blocks):
            expected, steps = self.blocks[self._next]
            request_id = None
            if expected is not None:
                frame = await self._receive(ws)
                if frame is None:
                    continue
                mismatch = self._mismatch(expected, frame)
                if mismatch:
                    await self._refuse(ws, frame, mismatch)
                    continue
                request_id = frame.get("id")
            self._next += 1
            if not await self._play(ws, steps, request_id):
                return
        while True:
            frame = await self._receive(ws)
            if frame is not None:
                await self._refuse(ws, frame, f"{frame.get('method')} after the end of the transcript")

    async def _lenient(self, ws: ServerConnection) -> None:
        while True:
            frame = await self._receive(ws)
            if frame is None:
                continue
            index = self._pick(str(frame.get("method")))
            if index is None:
                await self._refuse(ws, frame, f"no {frame.get('method')} in the transcript")
                continue
            task = asyncio.create_task(self._play(ws, self.blocks[index][1], frame.get("id")))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _pick(self, method: str) -> int | None:
        matching = [i for i, (expected, _) in enumerate(self.blocks) if expected and expected.get("method") == method]
        unused = [i for i in matching if i not in self._used]
        index = unused[0] if unused else (matching[-1] if matching else None)
        if index is not None:
            self._used.add(index)
        return index

    async def _receive(self, ws: ServerConnection) -> Frame | None:
        """The next request, recorded; None (already answered) when its signature does not verify."""
        frame = json.loads(await ws.recv())
        self.received.append(frame)
        params = frame.get("params") or {}
        if "signature" in params:
            if self.api_key is not None and params.get("apiKey") != self.api_key:
                await self._reject(ws, frame, "apiKey is not the expected key")
                return None
            if self.secret is not None and not verify(self.secret, payload(params), str(params["signature"])):
                await self._reject(ws, frame, "signature does not verify")
                return None
        return frame

    async def _reject(self, ws: ServerConnection, frame: Frame, problem: str) -> None:
        self.problems.append(f"{frame.get('method')}: {problem}")
        await ws.send(json.dumps({"id": frame.get("id"), **BAD_SIGNATURE}))

    @staticmethod
    def _mismatch(expected: Frame, frame: Frame) -> str:
        if frame.get("method") != expected.get("method"):
            return f"expected {expected.get('method')}, got {frame.get('method')}"
        sent = {k: v for k, v in (frame.get("params") or {}).items() if k not in AUTH_PARAMS}
        wanted = {k: v for k, v in (expected.get("params") or {}).items() if k not in AUTH_PARAMS}
        return "" if sent == wanted else f"{frame.get('method')} params {sent} instead of {wanted}"

    async def _refuse(self, ws: ServerConnection, frame: Frame, problem: str) -> None:
        # Not a Binance answer: the replay server's own, so it carries no Binance error code.
        self.problems.append(problem)
        await ws.send(json.dumps({"id": frame.get("id"), "status": 400, "error": {"msg": f"replay server: {problem}"}}))

    async def _play(self, ws: ServerConnection, steps: list[Frame], request_id: Any) -> bool:
        """Send the steps' frames; False when the connection was dropped on purpose."""
        for step in steps:
            if "server" in step:
                frame = dict(step["server"])
                if frame.get("id") is not None:
                    frame["id"] = request_id
                await ws.send(json.dumps(frame, ensure_ascii=False))
            elif "pause" in step:
                await asyncio.sleep(float(step["pause"]))
            elif "drop" in step:
                ws.transport.abort()
                return False
            elif "ping" in step:
                waiter = await ws.ping(str(step["ping"]).encode())
                await asyncio.wait_for(waiter, timeout=5)
                self.pongs.append(str(step["ping"]))
        return True
