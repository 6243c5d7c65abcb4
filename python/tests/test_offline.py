"""What the client does without a sessionloom server: bad input refused before anything is sent,
network failures and timeouts as StoreUnavailableError, answers it does not understand as
UnexpectedResponseError (never a KeyError), error bodies as the exceptions of their code, and an
event stream resumed after a lost connection."""

import json
import math
import socket
import time
import unittest
from typing import Any, Callable

from sessionloom import (
    Client,
    InvalidArgumentError,
    RouteNotFoundError,
    RunNotFoundError,
    SessionConflictError,
    SessionloomError,
    SessionNotFoundError,
    StoreUnavailableError,
    UnauthorizedError,
    UnexpectedResponseError,
)

from .fakes import ScriptedServer, SilentServer, closed_port, sse

SESSION = {
    "id": "s1",
    "state": "active",
    "metadata": {},
    "tags": [],
    "attachedSurfaces": [],
    "usage": {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0},
    "messageCount": 0,
    "version": 1,
    "createdAt": 1,
    "updatedAt": 1,
    "lastActiveAt": 1,
    "ttlMs": 3600000,
}


def json_answer(status: int, body: Any) -> Any:
    return (status, "application/json", [json.dumps(body).encode()])


class RefusedBeforeSending(unittest.TestCase):
    """Every call here goes to a port where nothing listens: an InvalidArgumentError (not a
    StoreUnavailableError) proves the client refused it without trying to send it."""

    def setUp(self) -> None:
        self.client = Client(f"http://127.0.0.1:{closed_port()}", token="t" * 20, timeout=2)

    def refused(self, call: Callable[[], Any], argument: str) -> InvalidArgumentError:
        with self.assertRaises(InvalidArgumentError) as caught:
            call()
        self.assertEqual(caught.exception.code, "INVALID_ARGUMENT")
        self.assertTrue(str(caught.exception).startswith(f"Invalid {argument}"), str(caught.exception))
        self.assertEqual(caught.exception.argument, argument)
        return caught.exception

    def test_invalid_ids(self) -> None:
        c = self.client
        for bad in ["", "../etc", "a b", "x" * 201, ".hidden", "a/b", "é"]:
            self.refused(lambda: c.get_session(bad), "sessionId")
        for bad_type in [7, None, b"bytes", ["s"]]:
            self.refused(lambda: c.get_session(bad_type), "sessionId")  # type: ignore[arg-type]
        self.refused(lambda: c.fork("ok", from_message="not an id"), "fromMessage")
        self.refused(lambda: c.create_session(id="../../x"), "id")
        self.refused(lambda: c.run_events("run/../x"), "runId")
        self.refused(lambda: c.follow_run(""), "runId")
        self.refused(lambda: c.append("ok", {"role": "user", "content": "x", "id": "bad id"}), "messages.id")
        self.refused(lambda: c.export(["fine", "not fine"]), "session[1]")
        self.refused(lambda: c.start_run("ok", "no such/agent", "hi"), "agent")

    def test_values_json_cannot_carry(self) -> None:
        c = self.client
        cycle: Any = {}
        cycle["self"] = cycle
        deep: Any = "bottom"
        for _ in range(150):
            deep = [deep]
        cases = [
            ({"role": "user", "content": math.nan}, "is nan"),
            ({"role": "user", "content": [{"type": "text", "text": math.inf}]}, "is inf"),
            ({"role": "user", "content": {1, 2}}, "is a set"),
            ({"role": "user", "content": b"bytes"}, "is a bytes"),
            ({"role": "user", "content": object()}, "is a object"),
            ({"role": "user", "content": cycle}, "a cycle"),
            ({"role": "user", "content": deep}, "more than 100 levels"),
            ({"role": "user", "content": {1: "int key"}}, "not a string"),
        ]
        for message, problem in cases:
            error = self.refused(lambda: c.append("ok", message), "messages")  # type: ignore[arg-type]
            self.assertIn(problem, str(error))
        self.refused(lambda: c.append("ok", "just a string"), "messages")  # type: ignore[arg-type]
        self.refused(lambda: c.create_session(metadata={"__proto__": {"x": 1}}), "metadata")
        self.refused(lambda: c.create_session(metadata={"when": time}), "metadata")
        self.refused(lambda: c.create_session(metadata=["not", "a", "dict"]), "metadata")  # type: ignore[arg-type]
        self.refused(lambda: c.update_session("ok", tags="one-tag"), "tags")
        deep_metadata: Any = 1
        for _ in range(65):  # the metadata dict is level 1: the 65th dict is one too deep
            deep_metadata = {"k": deep_metadata}
        self.refused(lambda: c.create_session(metadata=deep_metadata), "metadata")

    def test_bad_numbers_and_options(self) -> None:
        c = self.client
        self.refused(lambda: c.get_messages("ok", limit=True), "limit")
        self.refused(lambda: c.get_messages("ok", limit="10"), "limit")  # type: ignore[arg-type]
        self.refused(lambda: c.get_messages("ok", limit=0), "limit")
        self.refused(lambda: c.get_messages("ok", order="sideways"), "order")
        self.refused(lambda: c.append("ok", [], expected_version=-1), "expectedVersion")
        self.refused(lambda: c.run_events("run_1", after_seq=1.5), "afterSeq")  # type: ignore[arg-type]
        self.refused(lambda: c.rewind("ok"), "rewind options")
        self.refused(lambda: c.rewind("ok", to_message="m1", to_start=True), "rewind options")
        self.refused(lambda: c.list_sessions(state="asleep"), "state[0]")
        self.refused(lambda: c.list_sessions(filter={"__proto__": "x"}), "filter.__proto__")
        self.refused(lambda: c.list_sessions(filter={"plan": 7}), "filter.plan")  # type: ignore[dict-item]
        self.refused(lambda: c.compact("ok", summary="s", keep={"last_days": 2}), "keep")
        self.refused(lambda: c.compact("ok", summary=""), "summary")
        self.refused(lambda: c.follow_run("run_1", idle_timeout=0), "idle_timeout")
        self.refused(lambda: c.start_run("ok", "assistant", ""), "input")

    def test_bad_client_settings(self) -> None:
        for base_url in ["ftp://example.com", "127.0.0.1:4300", "http://", 4300, "http://h:99999", "http://h/?q=1"]:
            self.refused(lambda: Client(base_url), "base_url")  # type: ignore[arg-type]
        for token in ["has space in it 123", "", "tab\tinside", 12345]:
            self.refused(lambda: Client("http://127.0.0.1:1", token=token), "token")  # type: ignore[arg-type]
        for timeout in [0, -1, math.nan, math.inf, True, "5"]:
            self.refused(lambda: Client("http://127.0.0.1:1", timeout=timeout), "timeout")  # type: ignore[arg-type]


class NetworkFailures(unittest.TestCase):
    def test_nothing_listening_is_store_unavailable_with_the_cause(self) -> None:
        client = Client(f"http://127.0.0.1:{closed_port()}")
        with self.assertRaises(StoreUnavailableError) as caught:
            client.health()
        self.assertEqual(caught.exception.code, "STORE_UNAVAILABLE")
        self.assertIsInstance(caught.exception.__cause__, ConnectionRefusedError)
        self.assertIn("unavailable", str(caught.exception))

    def test_a_server_that_never_answers_times_out(self) -> None:
        silent = SilentServer()
        self.addCleanup(silent.close)
        client = Client(silent.url, timeout=0.3)
        started = time.monotonic()
        with self.assertRaises(StoreUnavailableError) as caught:
            client.list_sessions()
        self.assertLess(time.monotonic() - started, 5)
        self.assertIsInstance(caught.exception.__cause__, socket.timeout)
        self.assertIn("did not answer within 0.3 s", str(caught.exception))


class UnexpectedAnswers(unittest.TestCase):
    def setUp(self) -> None:
        self.server = ScriptedServer()
        self.addCleanup(self.server.close)
        self.client = Client(self.server.url, token="t" * 20)

    def unexpected(self, call: Callable[[], Any], *fragments: str) -> UnexpectedResponseError:
        with self.assertRaises(UnexpectedResponseError) as caught:
            call()
        self.assertEqual(caught.exception.code, "UNEXPECTED_RESPONSE")
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        return caught.exception

    def test_answers_that_are_not_what_was_asked_for(self) -> None:
        s = self.server
        s.route("/api/health", (200, "text/html", [b"<html>a proxy login page</html>"]))
        self.unexpected(self.client.health, "other than JSON", "text/html")
        s.route("/api/sessions/s1", json_answer(200, {"id": "s1"}))
        self.unexpected(lambda: self.client.get_session("s1"), "session.state is missing")
        s.route("/api/sessions/s2", json_answer(200, dict(SESSION, version="3")))
        self.unexpected(lambda: self.client.get_session("s2"), "session.version should be an integer, got a string")
        s.route("/api/sessions/s3/messages", json_answer(200, {"messages": {}}))
        self.unexpected(lambda: self.client.get_messages("s3"), '"messages": [...]')
        s.route("/api/sessions/s4/branches", json_answer(200, [1, 2]))
        self.unexpected(lambda: self.client.branches("s4"), "branches should be an object, got a list")
        s.route("/api/sessions/s5", (502, "text/plain", [b"Bad Gateway"]))
        error = self.unexpected(lambda: self.client.get_session("s5"), "HTTP 502", "Bad Gateway")
        self.assertEqual(error.status, 502)
        s.route("/api/sessions/s6", json_answer(500, {"message": "not our shape"}))
        self.unexpected(lambda: self.client.get_session("s6"), "without a sessionloom error body")
        s.route("/api/sessions/s7", (200, "application/json", [b'{"id": "s7", "state"']))
        self.unexpected(lambda: self.client.get_session("s7"), "other than JSON")

    def test_error_bodies_become_the_exceptions_of_their_code(self) -> None:
        s = self.server
        s.route("/api/sessions/gone", json_answer(404, {"error": {"code": "SESSION_NOT_FOUND", "message": "no", "sessionId": "gone"}}))
        self.assertIsNone(self.client.get_session("gone"))
        s.route("/api/sessions/gone/messages", json_answer(404, {"error": {"code": "SESSION_NOT_FOUND", "message": "no", "sessionId": "gone"}}))
        with self.assertRaises(SessionNotFoundError) as missing:
            self.client.append("gone", {"role": "user", "content": "hi"})
        self.assertEqual((missing.exception.session_id, missing.exception.status), ("gone", 404))
        conflict = {"code": "SESSION_CONFLICT", "message": "at 5", "sessionId": "s", "expectedVersion": 2, "actualVersion": 5}
        s.route("/api/sessions/s/messages", json_answer(409, {"error": conflict}))
        with self.assertRaises(SessionConflictError) as caught:
            self.client.append("s", {"role": "user", "content": "hi"}, expected_version=2)
        self.assertEqual((caught.exception.expected_version, caught.exception.actual_version), (2, 5))
        s.route("/api/runs/r1", json_answer(404, {"error": {"code": "RUN_NOT_FOUND", "message": "no run", "runId": "r1"}}))
        self.assertIsNone(self.client.get_run("r1"))
        s.route("/api/runs/r1/events", json_answer(404, {"error": {"code": "RUN_NOT_FOUND", "message": "no run", "runId": "r1"}}))
        with self.assertRaises(RunNotFoundError):
            self.client.run_events("r1")
        s.route("/api/health", json_answer(401, {"error": {"code": "UNAUTHORIZED", "message": "token"}}))
        with self.assertRaises(UnauthorizedError):
            self.client.health()
        s.route("/api/sessions", json_answer(418, {"error": {"code": "SOMETHING_NEWER", "message": "from a newer server"}}))
        with self.assertRaises(SessionloomError) as newer:
            self.client.list_sessions()
        self.assertEqual((newer.exception.code, newer.exception.status), ("SOMETHING_NEWER", 418))

    def test_requests_carry_the_token_json_and_camel_case(self) -> None:
        self.server.route("/api/sessions/s1", json_answer(200, SESSION))
        self.client.update_session("s1", metadata={"plan": "pro", "nested_key": {"keep_me": 1}}, ttl_ms=5000, expected_version=1)
        method, path, headers = self.server.requests[-1]
        self.assertEqual((method, path), ("PATCH", "/api/sessions/s1"))
        self.assertEqual(headers["authorization"], "Bearer " + "t" * 20)
        self.assertEqual(headers["content-type"], "application/json")
        self.server.route("/api/sessions", json_answer(200, {"sessions": [SESSION]}))
        page = self.client.list_sessions(user_id="u1", state=["active", "suspended"], tags=["a", "b c"], filter={"plan": "pro"}, limit=5)
        self.assertEqual(page.sessions[0].ttl_ms, 3600000)
        self.assertIsNone(page.next_cursor)
        self.assertEqual(
            self.server.requests[-1][1],
            "/api/sessions?userId=u1&state=active&state=suspended&tag=a&tag=b+c&limit=5&filter.plan=pro",
        )

    def test_an_export_cut_short_raises_after_its_last_whole_line(self) -> None:
        self.server.route("/api/export", (200, "application/x-ndjson", [b'{"kind":"header"}\n{"kind":"session"}\n{"kind":"mess']))
        lines = []
        with self.assertRaises(StoreUnavailableError) as caught:
            for line in self.client.export():
                lines.append(line)
        self.assertEqual(lines, ['{"kind":"header"}', '{"kind":"session"}'])
        self.assertIn("cut short", str(caught.exception))
        self.server.route("/api/export", (200, "application/x-ndjson", [b'{"kind":"header"}\n{"kind":"session"}\n']))
        with self.assertRaises(StoreUnavailableError):
            list(self.client.export())
        self.server.route("/api/export", (200, "application/x-ndjson", [b'{"kind":"header"}\n', b'{"kind":"end","data":{}}\n']))
        self.assertEqual(len(list(self.client.export())), 2)


def event(seq: int, type: str = "text-delta", **data: Any) -> str:
    body = {"runId": "run_1", "seq": seq, "type": type, "at": 1000 + seq, "data": data}
    return f"id: {seq}\ndata: {json.dumps(body)}"


class FollowingAStream(unittest.TestCase):
    def setUp(self) -> None:
        self.server = ScriptedServer()
        self.addCleanup(self.server.close)
        self.client = Client(self.server.url)

    def test_a_lost_connection_resumes_after_the_last_event_with_last_event_id(self) -> None:
        stream = "text/event-stream; charset=utf-8"
        self.server.route(
            "/api/runs/run_1/events",
            # Cut after seq 2, mid-way through seq 3 (a frame without its blank line is dropped).
            (200, stream, [sse(": opened\nretry: 1000", event(1, "run-start"), event(2, text="Hel")), f"{event(3)}\n".encode()]),
            # The server resumes after Last-Event-ID; an event sent twice is taken once.
            (200, stream, [sse(event(2, text="Hel"), event(3, text="lo"), ": heartbeat", event(4, "text", step=1, text="Hello"))]),
            (200, stream, [sse(event(5, "run-end", status="completed", steps=1, usage={"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}))]),
            (200, stream, [sse('event: end\ndata: {"runId":"run_1","status":"completed"}')]),
        )
        follower = self.client.follow_run("run_1", reconnect_delay=0.01, keep_events=True)
        seqs = [e.seq for e in follower]
        self.assertEqual(seqs, [1, 2, 3, 4, 5])
        self.assertEqual(follower.reconnects, 3)
        self.assertEqual(follower.status, "completed")
        result = follower.result
        self.assertEqual((result.output, result.steps, result.usage and result.usage.total_tokens), ("Hello", 1, 3))
        follows = [headers for method, path, headers in self.server.requests if "follow=1" in path]
        self.assertEqual([headers.get("last-event-id") for headers in follows], [None, "2", "4", "5"])
        self.assertEqual(follows[0]["accept"], "text/event-stream")

    def test_gives_up_after_max_reconnects_failures_in_a_row(self) -> None:
        self.server.route("/api/runs/run_1/events", (200, "text/event-stream", [b": nothing\n\n"]))
        follower = self.client.follow_run("run_1", reconnect_delay=0.01, max_reconnects=2)
        with self.assertRaises(StoreUnavailableError) as caught:
            list(follower)
        self.assertIn("lost 3 times in a row", str(caught.exception))

    def test_errors_other_than_outages_are_not_retried(self) -> None:
        self.server.route("/api/runs/run_1/events", json_answer(404, {"error": {"code": "RUN_NOT_FOUND", "message": "no", "runId": "run_1"}}))
        with self.assertRaises(RunNotFoundError):
            list(self.client.follow_run("run_1", reconnect_delay=0.01))
        self.assertEqual(len(self.server.requests), 1)
        self.server.route("/api/runs/run_2/events", (200, "application/json", [b"{}"]))
        with self.assertRaises(UnexpectedResponseError):
            list(self.client.follow_run("run_2", reconnect_delay=0.01))

    def test_a_server_from_before_live_runs_says_it_cannot_follow(self) -> None:
        refusal = {"code": "INVALID_ARGUMENT", "message": "not accepted here", "argument": 'query parameter "follow"'}
        self.server.route("/api/runs/run_1/events", json_answer(400, {"error": refusal}))
        with self.assertRaises(RouteNotFoundError) as caught:
            list(self.client.follow_run("run_1"))
        self.assertIn("cannot follow runs live", str(caught.exception))

    def test_a_204_ends_the_follow_with_the_runs_status(self) -> None:
        self.server.route("/api/runs/run_1/events", (204, "text/plain", []))
        run = {"id": "run_1", "sessionId": "s1", "status": "cancelled", "startedAt": 1, "lastActiveAt": 2, "usage": SESSION["usage"], "metadata": {}}
        self.server.route("/api/runs/run_1", json_answer(200, run))
        follower = self.client.follow_run("run_1", after_seq=9)
        self.assertEqual(list(follower), [])
        self.assertEqual((follower.status, follower.result.session_id), ("cancelled", "s1"))
        self.assertIn("afterSeq=9", self.server.requests[0][1])


if __name__ == "__main__":
    unittest.main()
