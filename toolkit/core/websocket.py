"""Exchange-neutral websocket plumbing: an event loop in a thread, and a connection that survives drops.

Why a loop thread rather than ``nest_asyncio``: the socket must keep answering the server's pings
and receiving events between the user's calls. A loop of its own in a daemon thread does that in a
plain script (where no loop runs between calls) and in Jupyter (where the kernel's loop is already
running and must not be re-entered), without patching asyncio for the whole process. Sync methods
hand coroutines to that loop and wait for the answer; nothing ever calls ``asyncio.run`` inside a
running loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import random
import threading
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from toolkit.core.http import Call, Reply, decode
from toolkit.core.redact import get_logger
from toolkit.errors import ConfigurationError, NetworkError, RequestTimeout, ToolkitError

log = get_logger(__name__)

T = TypeVar("T")
Frame = dict[str, Any]
# A frame as parsed, and as it arrived (the text is decoded again, like any body, by the client).
Answer = tuple[Frame, str]


class LoopThread:
    """An asyncio event loop running in a daemon thread, for synchronous callers."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop without waiting."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on the loop and wait at most ``timeout`` seconds for its result."""
        if self.in_loop():
            coro.close()
            # Waiting here would block the very loop that has to produce the answer.
            raise ConfigurationError("A synchronous call cannot be made from the websocket loop itself.")
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def stop(self) -> None:
        """Stop the loop and its thread (pending tasks are cancelled)."""
        if self.loop.is_closed():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            try:
                self.run(cancel_all(), timeout=5)
            except (concurrent.futures.TimeoutError, RuntimeError):
                log.warning("websocket loop tasks did not finish within 5 s")
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class Connection:
    """One logical websocket connection: JSON requests matched to answers by ``id``, pushed frames
    handed to ``on_message``, reconnection with backoff after a drop, rotation after ``rotate_after``.

    ``on_connect`` runs after every *re*connection (to restore subscriptions), as its own task so
    that answers to its requests are read meanwhile. ``on_state(state, detail)`` is told about
    ``"reconnecting"``, ``"rotating"``, ``"reconnected"`` and ``"closed"``. Both callbacks run on
    the loop and must not block.
    """

    def __init__(
        self,
        url: str,
        *,
        exchange: str,
        on_message: Callable[[Frame], None],
        on_connect: Callable[[], Awaitable[None]] | None = None,
        on_state: Callable[[str, str], None] | None = None,
        backoff: tuple[float, float] = (0.5, 30.0),
        rotate_after: float = 23.5 * 3600,
        open_timeout: float = 10.0,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
    ) -> None:
        self.url = url
        self.exchange = exchange
        self.on_message = on_message
        self.on_connect = on_connect
        self.on_state = on_state
        self.backoff = backoff
        self.rotate_after = rotate_after
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.reconnects = 0
        self._ws: ClientConnection | None = None
        self._runner: asyncio.Task[None] | None = None
        self._connected: asyncio.Event | None = None
        self._pending: dict[Any, tuple[asyncio.Future[Answer], Callable[[Answer], None] | None]] = {}
        self._restoring: asyncio.Task[None] | None = None
        self._closing = False
        # Made on the loop (where every coroutine here runs, so making it cannot race).
        self._starting: asyncio.Lock | None = None

    # ----------------------------------------------------------------- public (call on the loop)

    async def request(self, frame: Frame, timeout: float, on_answer: Callable[[Answer], None] | None = None) -> Answer:
        """Send ``frame`` (which carries an ``id``) and return the frame answering it.

        ``on_answer`` sees the answer as soon as it is read, before any later frame is handled:
        a subscription can route the events that follow its answer.
        """
        await self._start()
        assert self._connected is not None
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending[frame["id"]] = (future, on_answer)
        try:
            async with asyncio.timeout(timeout):
                await self._connected.wait()
                assert self._ws is not None
                await self._ws.send(json.dumps(frame, ensure_ascii=False))
                return await future
        except TimeoutError:
            raise RequestTimeout(
                self.exchange, frame.get("method", "request"), f"no answer within {timeout} s"
            ) from None
        except ConnectionClosed as exc:
            raise NetworkError(self.exchange, frame.get("method", "request"), f"connection closed: {exc}") from None
        finally:
            self._pending.pop(frame["id"], None)

    def fail_pending(self, error: BaseException) -> None:
        """Fail every request still waiting for its answer."""
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(error)

    async def reconnect(self, reason: str) -> None:
        """Drop the current socket on purpose (server shutdown notice); the runner reconnects."""
        if self._ws is not None:
            log.warning("%s websocket: %s; reconnecting", self.exchange, reason)
            await self._ws.close(reason=reason[:100])

    async def close(self) -> None:
        """Close for good: no reconnection, pending requests fail."""
        self._closing = True
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._connected is not None:
            self._connected.clear()
        self.fail_pending(NetworkError(self.exchange, "websocket", "connection closed by the client"))
        self._notify("closed", "closed by the client")

    @property
    def connected(self) -> bool:
        return self._connected is not None and self._connected.is_set()

    # ----------------------------------------------------------------- internals

    async def _start(self) -> None:
        """Open the first connection (a failure raises here) and start the runner. Requests that
        come at once wait for the one opening: two would open two connections."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._runner is not None and not self._runner.done():
                return
            self._closing = False
            self._connected = asyncio.Event()
            self._attach(await self._open())
            self._runner = asyncio.create_task(self._run())

    async def _open(self) -> ClientConnection:
        host = urlsplit(self.url).hostname or ""
        try:
            return await connect(
                self.url,
                open_timeout=self.open_timeout,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                max_size=None,
                # A local test or replay server is never reached through the user's proxy.
                proxy=None if host in ("127.0.0.1", "localhost", "::1") else True,
            )
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise NetworkError(self.exchange, "websocket", f"cannot connect to {self.url}: {exc}") from None
        except InvalidURI:
            raise ConfigurationError(f"{self.exchange}: {self.url!r} is not a websocket URL.") from None

    def _attach(self, ws: ClientConnection) -> None:
        self._ws = ws
        assert self._connected is not None
        self._connected.set()

    async def _run(self) -> None:
        while not self._closing:
            try:
                reason, planned = await self._read()
            except Exception as exc:  # the reader must not die in silence: treat it as a drop
                log.exception("%s websocket: reading failed", self.exchange)
                if self._ws is not None:
                    self._ws.transport.abort()
                reason, planned = f"reading failed ({type(exc).__name__})", False
            assert self._connected is not None
            self._connected.clear()
            self.fail_pending(NetworkError(self.exchange, "websocket", f"{reason}; the answer was lost"))
            if self._closing:
                return
            self._notify("rotating" if planned else "reconnecting", reason)
            await self._reconnect(wait_first=not planned)

    async def _read(self) -> tuple[str, bool]:
        """Read until the socket closes (or is due for rotation); return why and whether planned."""
        ws = self._ws
        assert ws is not None
        try:
            async with asyncio.timeout(self.rotate_after):
                async for message in ws:
                    self._dispatch(message)
        except TimeoutError:
            await ws.close(reason="rotating before the server's connection time limit")
            return f"rotating after {self.rotate_after:g} s", True
        except ConnectionClosed:
            pass
        code = ws.close_code
        return f"connection closed by the server (code {code}, {ws.close_reason or 'no reason'})", False

    def _dispatch(self, message: str | bytes) -> None:
        try:
            frame = decode(message)  # strict JSON, bounded nesting: see toolkit.core.http
        except (ValueError, RecursionError):
            log.warning("%s websocket: ignoring a frame that is not JSON (%d bytes)", self.exchange, len(message))
            return
        request_id = frame.get("id") if isinstance(frame, dict) else None
        # Only an id we could have sent (a text) answers a request: a list or an object is no key.
        waiting = self._pending.get(request_id) if isinstance(request_id, str) else None
        if waiting is not None:
            future, on_answer = waiting
            if not future.done():
                answer = (frame, message if isinstance(message, str) else message.decode())
                if on_answer is not None:
                    try:
                        on_answer(answer)
                    except Exception:
                        log.exception("%s websocket: handling an answer failed", self.exchange)
                future.set_result(answer)
            return
        try:
            self.on_message(frame)
        except Exception:
            log.exception("%s websocket: handling a pushed frame failed", self.exchange)

    async def _reconnect(self, *, wait_first: bool) -> None:
        delay, ceiling = self.backoff
        while not self._closing:
            if wait_first:
                await asyncio.sleep(delay * (0.5 + random.random() / 2))
                delay = min(delay * 2, ceiling)
            wait_first = True
            try:
                ws = await self._open()
            except ToolkitError as err:
                log.warning("%s; retrying", err)
                continue
            self.reconnects += 1
            self._attach(ws)
            self._notify("reconnected", f"reconnection {self.reconnects}")
            if self.on_connect is not None:
                self._restoring = asyncio.create_task(self._restore())
            return

    async def _restore(self) -> None:
        assert self.on_connect is not None
        try:
            await self.on_connect()
        except Exception:
            log.exception("%s websocket: restoring subscriptions failed", self.exchange)

    def _notify(self, state: str, detail: str) -> None:
        if self.on_state is not None:
            try:
                self.on_state(state, detail)
            except Exception:
                log.exception("%s websocket: state handler failed", self.exchange)


class WebSocketTransport:
    """Sends ``Call``s as WebSocket API frames (``{"id", "method": call.path, "params"}``) on one
    ``Connection`` run by its own ``LoopThread``; each answer comes back as a ``Reply`` whose status
    is the one the answer carries. ``connection`` options are those of ``Connection``."""

    def __init__(self, url: str, *, exchange: str, timeout: float, **connection: Any) -> None:
        self.exchange = exchange
        self.timeout = timeout
        self.connection = Connection(url, exchange=exchange, **connection)
        self.loop: LoopThread | None = None
        self._loop_lock = threading.Lock()  # threads that send at once start one loop

    @staticmethod
    def frame(call: Call) -> Frame:
        frame: Frame = {"id": str(uuid.uuid4()), "method": call.path}
        if call.params:
            frame["params"] = dict(call.params)
        return frame

    @staticmethod
    def reply(answer: Answer) -> Reply:
        frame, text = answer
        status = frame.get("status")
        return Reply(status if isinstance(status, int) and not isinstance(status, bool) else None, {}, text.encode())

    def send(self, call: Call) -> Reply:
        hook = call.on_reply
        on_answer = None if hook is None else (lambda answer: hook(self.reply(answer)))
        timeout = call.seconds_left(self.timeout)  # the call's budget may leave less than the timeout
        request = self.connection.request(self.frame(call), timeout, on_answer)
        return self.reply(self.run(request, call.endpoint, timeout + self.connection.open_timeout + 1))

    def run(self, coro: Coroutine[Any, Any, T], what: str, timeout: float | None = None) -> T:
        """Run ``coro`` on the loop thread (started on first use) and wait for it."""
        with self._loop_lock:
            if self.loop is None:
                self.loop = LoopThread(f"{self.exchange}-websocket")
        limit = timeout if timeout is not None else self.timeout + self.connection.open_timeout + 1
        try:
            return self.loop.run(coro, timeout=limit)
        except TimeoutError:
            raise RequestTimeout(self.exchange, what, f"no answer within {limit:.3g} s") from None

    def in_loop(self) -> bool:
        return self.loop is not None and self.loop.in_loop()

    def close(self) -> None:
        """Close the connection and stop the loop thread."""
        if self.loop is None:
            return
        try:
            self.loop.run(self.connection.close(), timeout=5)
        except (ToolkitError, TimeoutError):
            log.warning("%s websocket did not close cleanly", self.exchange)
        self.loop.stop()
        self.loop = None
