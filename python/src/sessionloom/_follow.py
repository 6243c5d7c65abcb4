"""Following a run live: ``GET /api/runs/ID/events?follow=1`` as Server-Sent Events, reconnecting.

The server sends each run event as one SSE message whose ``id`` is the event's ``seq``, heartbeat
comments while the run is quiet, ``event: end`` with the run's status once it is over, and 204 when
nothing more can come. A connection that drops (a proxy cutting it, a restart, no heartbeat within
``idle_timeout``) is opened again with ``Last-Event-ID`` set to the last seq received, so the
follower sees every event exactly once, in order, whatever happened to the connections.
"""

import http.client
import json
import time
from typing import Any, Callable, Dict, Generator, Iterator, List, Optional

from ._decode import decode
from ._http import Transport, query_pairs, segment
from .errors import (
    InvalidArgumentError,
    RouteNotFoundError,
    RunFailedError,
    SessionloomError,
    StoreUnavailableError,
    UnexpectedResponseError,
)
from .models import RunEvent, RunResult, Usage

#: Reconnect delays grow from the server's ``retry`` (or ``reconnect_delay``) up to this, in seconds.
_MAX_DELAY = 30.0
#: Statuses worth trying again: the store or a proxy in front of the server was briefly unavailable.
_RETRYABLE_CODES = ("STORE_UNAVAILABLE", "INTERNAL_ERROR")
#: How a server without the follow route names what it refused (its run event log takes no ``follow``).
_FOLLOW_PARAMETER = 'query parameter "follow"'


class SseMessage:
    __slots__ = ("event", "data", "id")

    def __init__(self, event: str, data: str, id: Optional[str]) -> None:
        self.event = event
        self.data = data
        self.id = id


def read_sse(response: http.client.HTTPResponse, on_retry: Callable[[int], None]) -> Iterator[SseMessage]:
    """The messages of an event stream (the WHATWG parsing rules; comments skipped), until it ends."""
    event = ""
    data: List[str] = []
    last_id: Optional[str] = None
    while True:
        raw = response.readline()
        if not raw:
            return  # the connection ended; a message without its blank line is dropped, as browsers do
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield SseMessage(event or "message", "\n".join(data), last_id)
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isdigit():
            on_retry(int(value))


class RunFollower:
    """An iterator over a run's events as they are recorded, ending once the run has ended.

    After the iteration, ``status`` is the run's final status and ``result`` what it did. ``close()``
    (or leaving a ``with`` block) stops following early.
    """

    def __init__(
        self,
        transport: Transport,
        run_id: str,
        *,
        after_seq: int,
        reconnect_delay: Optional[float],
        max_reconnects: int,
        idle_timeout: float,
        session_id: Optional[str] = None,
        keep_events: bool = False,
    ) -> None:
        self.run_id = run_id
        #: The seq of the last event received: where a reconnection resumes.
        self.last_seq = after_seq
        #: The run's final status once the follow has ended (``completed``, ``failed``, ``cancelled``, ...).
        self.status: Optional[str] = None
        #: How many times the stream was opened again after a connection was lost.
        self.reconnects = 0
        self._transport = transport
        #: The run's session, when known (``SessionHandle.send`` knows it); goes into ``result``.
        self.session_id = session_id
        self._reconnect_delay = reconnect_delay
        self._server_retry: Optional[float] = None
        self._max_reconnects = max_reconnects
        self._idle_timeout = idle_timeout
        self._keep_events = keep_events
        self._events: List[RunEvent] = []
        self._texts: Dict[int, str] = {}
        self._run_end: Dict[str, Any] = {}
        self._error: Optional[str] = None
        self._response: Optional[http.client.HTTPResponse] = None
        self._iterator = self._follow()

    def __iter__(self) -> "RunFollower":
        return self

    def __next__(self) -> RunEvent:
        return next(self._iterator)

    def __enter__(self) -> "RunFollower":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stops following (the run itself goes on: ``cancel_run`` stops it)."""
        self._iterator.close()
        self._close_response()

    def wait(self) -> RunResult:
        """Reads the run to its end and returns what it did."""
        for _ in self:
            pass
        return self.result

    @property
    def result(self) -> RunResult:
        """What the run did; available once the follow has ended."""
        if self.status is None:
            raise SessionloomError(
                "The run is still being followed: read the follower to its end (or call wait()) first.", code="INVALID_STATE"
            )
        steps = self._run_end.get("steps")
        usage = self._run_end.get("usage")
        return RunResult(
            run_id=self.run_id,
            session_id=self.session_id,
            status=self.status,
            output=self._texts.get(steps, "") if isinstance(steps, int) else "",
            events=list(self._events),
            usage=decode(Usage, usage, "run-end.usage") if isinstance(usage, dict) else None,
            steps=steps if isinstance(steps, int) else None,
            error=self._error,
        )

    def raise_unless_completed(self) -> RunResult:
        result = self.result
        if result.status != "completed":
            detail = f": {result.error}" if result.error else ""
            raise RunFailedError(f'Run "{self.run_id}" ended {result.status}{detail}', run_id=self.run_id, status=result.status, result=result)
        return result

    # -- the follow -----------------------------------------------------------------------------

    def _follow(self) -> Generator[RunEvent, None, None]:
        failures = 0
        first = True
        try:
            while True:
                try:
                    response = self._connect(first)
                except SessionloomError as error:
                    if not _retryable(error):
                        raise
                    failures = self._retry_or_raise(failures, error)
                    continue
                first = False
                if response is None:  # 204: the run is over and every event was received
                    self._finish_without_end_event()
                    return
                self._response = response
                try:
                    for message in read_sse(response, self._on_retry):
                        if message.event == "message":
                            event = self._event(message.data)
                            failures = 0
                            if event.seq <= self.last_seq:
                                continue  # already seen before a reconnection
                            self.last_seq = event.seq
                            self._record(event)
                            yield event
                        elif message.event == "end":
                            end = _json(message.data, "the end event")
                            status = end.get("status") if isinstance(end, dict) else None
                            self.status = status if isinstance(status, str) else "unknown"
                            return
                        elif message.event == "stream-error":
                            break  # the server's follow failed: resume from the last seq
                    # The stream ended without its end event: the connection was lost mid-run.
                    failures = self._retry_or_raise(failures, None)
                except (OSError, http.client.HTTPException) as error:
                    failures = self._retry_or_raise(failures, error)
                finally:
                    self._close_response()
        finally:
            self._close_response()

    def _connect(self, first: bool) -> Optional[http.client.HTTPResponse]:
        headers: Dict[str, str] = {}
        query = query_pairs(follow="1")
        if first and self.last_seq > 0:
            query += query_pairs(afterSeq=self.last_seq)
        elif not first:
            self.reconnects += 1
            headers["Last-Event-ID"] = str(self.last_seq)
        try:
            response = self._transport.open(
                "GET",
                f"/api/runs/{segment(self.run_id)}/events",
                query=query,
                headers=headers,
                timeout=self._idle_timeout,
                accept="text/event-stream",
            )
        except InvalidArgumentError as error:
            if error.argument != _FOLLOW_PARAMETER:
                raise
            # A server from before live runs refuses the parameter it does not know.
            raise RouteNotFoundError(
                f"The server at {self._transport.base_url} cannot follow runs live (it has no live-run routes); "
                "read a run's recorded events with run_events() instead.",
                status=error.status,
            ) from error
        if response.status == 204:
            response.close()
            return None
        content_type = response.getheader("content-type") or ""
        if response.status != 200 or not content_type.startswith("text/event-stream"):
            response.close()
            raise UnexpectedResponseError(
                f"Following run {self.run_id}: expected an event stream, got HTTP {response.status} ({content_type or 'no content type'}).",
                status=response.status,
            )
        return response

    def _retry_or_raise(self, failures: int, error: Optional[BaseException]) -> int:
        failures += 1
        if failures > self._max_reconnects:
            reason = f" ({error})" if error is not None else ""
            raise StoreUnavailableError(
                f"Following run {self.run_id}: the event stream was lost {failures} times in a row{reason}; "
                f"the last event received was seq {self.last_seq}."
            ) from error
        base = self._reconnect_delay if self._reconnect_delay is not None else (self._server_retry or 1.0)
        time.sleep(min(_MAX_DELAY, base * (2 ** (failures - 1))) if failures > 1 else base)
        return failures

    def _on_retry(self, milliseconds: int) -> None:
        self._server_retry = milliseconds / 1000

    def _event(self, data: str) -> RunEvent:
        event = decode(RunEvent, _json(data, "a run event"), "run event")
        if event.run_id != self.run_id:
            raise UnexpectedResponseError(f"Following run {self.run_id}: the server sent an event of run {event.run_id}.")
        return event

    def _record(self, event: RunEvent) -> None:
        if self._keep_events:
            self._events.append(event)
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == "text" and isinstance(data.get("step"), int) and isinstance(data.get("text"), str):
            self._texts[data["step"]] = data["text"]
        elif event.type == "run-end":
            self._run_end = data
        elif event.type == "error" and isinstance(data.get("message"), str):
            self._error = data["message"]

    def _finish_without_end_event(self) -> None:
        status = self._run_end.get("status")
        if isinstance(status, str):
            self.status = status
            return
        # Every event had been received before this connection: ask the run how it ended.
        status_code, body = self._transport.json("GET", f"/api/runs/{segment(self.run_id)}")
        run_status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(run_status, str):
            raise UnexpectedResponseError(f"Run {self.run_id} has no status in the server's answer (HTTP {status_code}).")
        self.status = run_status
        if self.session_id is None and isinstance(body.get("sessionId"), str):
            self.session_id = body["sessionId"]

    def _close_response(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None


def _retryable(error: SessionloomError) -> bool:
    return isinstance(error, StoreUnavailableError) or error.code in _RETRYABLE_CODES


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise UnexpectedResponseError(f"The server sent {what} that is not JSON: {text[:120]!r}") from error

