"""Runs over HTTP from Python: starting a registered agent's run, following it live as Server-Sent
Events (and reconnecting mid-run through a proxy that cuts the stream, with ``Last-Event-ID``),
cancelling it, one run at a time per session, and ``session.send``.

Needs a server with the live-run routes (``serve --agents``); on a checkout without them these
tests are skipped, saying so."""

import threading
import unittest
from typing import List

from sessionloom import (
    Client,
    InvalidArgumentError,
    RunEvent,
    RunFailedError,
    RunFollower,
    RunNotFoundError,
    RunResult,
    SessionConflictError,
)

from .fakes import CuttingProxy
from .harness import ADMIN_TOKEN, ServerTestCase, unique

#: What the typist agent answers (test/fixtures/python/agents.ts: TYPIST_ANSWER).
TYPIST_ANSWER = " ".join(f"word{index}" for index in range(60))


def text_of(events: List[RunEvent]) -> str:
    return "".join(str(e.data["text"]) for e in events if e.type == "text-delta")


class LiveRuns(ServerTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if not cls.server.has_agents:
            raise unittest.SkipTest("this checkout's `sessionloom serve` has no --agents: the live-run routes are not there yet")

    def new_session(self) -> str:
        return self.client.create_session(user_id="runner").id

    def test_start_a_run_and_follow_it_to_its_end(self) -> None:
        session_id = self.new_session()
        started = self.client.start_run(session_id, "typist", "Type something")
        self.assertEqual((started.session_id, started.status), (session_id, "running"))
        self.assertEqual(started.events, f"/api/runs/{started.run_id}/events?follow=1")
        follower = self.client.follow_run(started.run_id, keep_events=True)
        events = list(follower)
        self.assertEqual([e.seq for e in events], list(range(1, len(events) + 1)))
        self.assertEqual((events[0].type, events[-1].type), ("run-start", "run-end"))
        self.assertGreater(sum(e.type == "text-delta" for e in events), 3)  # it arrived as it was typed
        self.assertEqual(text_of(events), TYPIST_ANSWER)
        self.assertEqual((follower.status, follower.reconnects), ("completed", 0))
        self.assertEqual(follower.result.output, TYPIST_ANSWER)
        self.assertEqual(events, self.client.run_events(started.run_id))
        # Following a finished run from its last event: nothing more can come (204).
        after_end = self.client.follow_run(started.run_id, after_seq=events[-1].seq)
        self.assertEqual((list(after_end), after_end.status), ([], "completed"))
        self.assertEqual([e.seq for e in self.client.follow_run(started.run_id, after_seq=len(events) - 2)], [len(events) - 1, len(events)])

    def test_a_follow_cut_mid_run_reconnects_with_last_event_id_and_misses_nothing(self) -> None:
        port = int(self.server.url.rsplit(":", 1)[1])
        proxy = CuttingProxy(port, after_events=3, cuts=2)
        self.addCleanup(proxy.close)
        session_id = self.new_session()
        started = self.client.start_run(session_id, "typist", "Type through the cuts")
        through_proxy = Client(proxy.url, token=ADMIN_TOKEN)
        follower = through_proxy.follow_run(started.run_id, reconnect_delay=0.05)
        events = list(follower)
        self.assertEqual(proxy.cut_count, 2)
        self.assertEqual(follower.reconnects, 2)
        self.assertEqual(follower.status, "completed")
        # Every event exactly once, in order, as the store recorded it.
        self.assertEqual(events, self.client.run_events(started.run_id))
        self.assertEqual(text_of(events), TYPIST_ANSWER)
        follows = [head for head in proxy.heads if "follow=1" in head.split("\r\n", 1)[0]]
        self.assertEqual(len(follows), 3)
        self.assertNotIn("last-event-id", follows[0].lower())
        resumed_after = [int(line.split(":", 1)[1]) for head in follows[1:] for line in head.split("\r\n") if line.lower().startswith("last-event-id:")]
        self.assertEqual(len(resumed_after), 2)
        # Cut mid-run: the reconnections resumed before the run's last event.
        self.assertTrue(0 < resumed_after[0] < resumed_after[1] < events[-1].seq, resumed_after)

    def test_cancel_a_running_run(self) -> None:
        session_id = self.new_session()
        started = self.client.start_run(session_id, "typist", "Type until stopped")
        with self.client.follow_run(started.run_id) as follower:
            for event in follower:
                if event.type == "text-delta":
                    break
            asked = self.client.cancel_run(started.run_id, reason="enough typing")
            self.assertEqual(asked.status, "running")
            assert asked.cancel_requested is not None
            self.assertEqual(asked.cancel_requested.reason, "enough typing")
            rest = list(follower)
        self.assertEqual(follower.status, "cancelled")
        self.assertEqual((rest[-1].type, rest[-1].data["status"]), ("run-end", "cancelled"))
        self.assertEqual(self.client.cancel_run(started.run_id).status, "cancelled")  # already ended: as it is
        self.assertNotEqual(text_of(self.client.run_events(started.run_id)), TYPIST_ANSWER)
        with self.assertRaises(RunNotFoundError):
            self.client.cancel_run(unique("run"))

    def test_one_run_at_a_time_per_session(self) -> None:
        session_id = self.new_session()
        first = self.client.start_run(session_id, "typist", "first")
        with self.assertRaises(SessionConflictError) as caught:
            self.client.start_run(session_id, "assistant", "second")
        self.assertEqual((caught.exception.running_run_id, caught.exception.status), (first.run_id, 409))
        beside = self.client.start_run(session_id, "assistant", "beside it", allow_concurrent=True)
        statuses = [self.client.follow_run(run_id).wait().status for run_id in (beside.run_id, first.run_id)]
        self.assertEqual(statuses, ["completed", "completed"])
        with self.assertRaises(InvalidArgumentError) as unknown:
            self.client.start_run(session_id, "nobody", "hello")
        self.assertEqual(unknown.exception.argument, "agent")
        self.assertEqual([a.name for a in self.client.agents()], ["assistant", "refunds", "typist"])

    def test_session_send_waits_or_streams(self) -> None:
        chat = self.client.session(unique("chat"), user_id="runner", agent="assistant")
        first = chat.send("Hello")
        self.assertIsInstance(first, RunResult)
        assert isinstance(first, RunResult)
        self.assertEqual(first.output, 'You said: "Hello" (0 earlier messages from you in this conversation).')
        self.assertEqual((first.session_id, first.status, first.steps), (chat.id, "completed", 1))
        assert first.usage is not None
        self.assertGreater(first.usage.total_tokens, 0)
        self.assertEqual(chat.info.message_count, 2)
        second = chat.send([{"role": "user", "content": "Again"}])
        assert isinstance(second, RunResult)
        self.assertIn("(1 earlier message from you", second.output)

        typist = self.client.session(unique("typing"), agent="typist")
        stream = typist.send("Type", stream=True)
        assert isinstance(stream, RunFollower)
        seen = [event.type for event in stream]
        self.assertEqual((seen[0], seen[-1]), ("run-start", "run-end"))
        self.assertEqual(stream.result.output, TYPIST_ANSWER)

        # A run that does not complete raises RunFailedError once waited for.
        streaming = typist.send("Type again", stream=True)
        assert isinstance(streaming, RunFollower)
        next(event for event in streaming if event.type == "text-delta")
        threading.Thread(target=self.client.cancel_run, args=(streaming.run_id,)).start()
        streaming.wait()
        with self.assertRaises(RunFailedError) as failed:
            streaming.raise_unless_completed()
        self.assertEqual((failed.exception.run_status, failed.exception.code), ("cancelled", "RUN_FAILED"))

        # Two agents registered: send needs to be told which.
        unnamed = self.client.session(unique("unnamed"))
        with self.assertRaises(InvalidArgumentError) as which:
            unnamed.send("Hi")
        self.assertIn("assistant, refunds, typist", str(which.exception))


if __name__ == "__main__":
    unittest.main()
