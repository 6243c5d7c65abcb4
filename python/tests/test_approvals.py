"""Approvals from Python: a run of the server's ``refunds`` agent stops for approval (its tool needs
one); ``pending_approvals`` lists the request (a token bound to another user sees none and cannot
answer); ``approve`` lets the server continue the run (the tool runs once), ``deny`` sends the model
the reason; answering twice is a ``SessionConflictError`` and a malformed answer an
``InvalidArgumentError``, both changing nothing."""

import time
import unittest
from typing import Any, List

from sessionloom import (
    Client,
    InvalidArgumentError,
    PendingApproval,
    Run,
    RunNotFoundError,
    SessionConflictError,
)

from .harness import ALICE_TOKEN, BOB_TOKEN, ServerTestCase

#: What the refunds agent answers once it was sent its tool's result (test/fixtures/approval-agents.ts).
FINISHED = "Finished after: "


class Approvals(ServerTestCase):
    alice: Client
    bob: Client

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if not cls.server.has_agents:
            raise unittest.SkipTest("this checkout's `sessionloom serve` has no --agents")
        cls.alice = Client(cls.server.url, token=ALICE_TOKEN)
        cls.bob = Client(cls.server.url, token=BOB_TOKEN)

    def waiting_run(self) -> PendingApproval:
        """A run of Alice's that waits for approval, and its one request."""
        session_id = self.alice.create_session().id
        started = self.alice.start_run(session_id, "refunds", "Refund order 42")
        run = self.wait_for(started.run_id, "awaiting-approval")
        self.assertEqual(run.status, "awaiting-approval")
        (request,) = self.alice.pending_approvals(run_id=started.run_id)
        return request

    def wait_for(self, run_id: str, status: str) -> Run:
        deadline = time.monotonic() + 20
        while True:
            run = self.client.get_run(run_id)
            if run is not None and run.status == status:
                return run
            if time.monotonic() > deadline:
                self.fail(f"run {run_id} never reached {status} (it is {run.status if run else 'missing'})")
            time.sleep(0.05)

    def last_text(self, session_id: str) -> str:
        content: Any = self.client.get_messages(session_id)[-1].content
        return "".join(part["text"] for part in content if part.get("type") == "text") if isinstance(content, list) else str(content)

    def tool_results(self, session_id: str) -> List[Any]:
        return [part for message in self.client.get_messages(session_id) if message.role == "tool" for part in message.content if part["type"] == "tool-result"]

    def test_lists_a_waiting_request_for_its_user_only(self) -> None:
        request = self.waiting_run()
        self.assertEqual((request.tool_name, request.input, request.user_id), ("refund", {"order": "42", "amount": 30}, "alice"))
        self.assertIn(request.approval_id, [r.approval_id for r in self.client.pending_approvals(user_id="alice")])
        self.assertEqual(self.bob.pending_approvals(), [])
        with self.assertRaises(RunNotFoundError):
            self.bob.pending_approvals(run_id=request.run_id)
        with self.assertRaises(RunNotFoundError):
            self.bob.approve(request.run_id, request.approval_id)
        with self.assertRaises(RunNotFoundError):
            self.bob.approve(request.run_id)
        run = self.client.get_run(request.run_id)
        assert run is not None and run.approvals is not None
        self.assertEqual((run.approvals[0].approval_id, run.approvals[0].decision), (request.approval_id, None))

    def test_approve_lets_the_server_continue_the_run_and_the_tool_runs_once(self) -> None:
        request = self.waiting_run()
        answer = self.alice.approve(request.run_id)
        self.assertTrue(answer.resumed)
        self.assertEqual(answer.events, f"/api/runs/{request.run_id}/events?follow=1")
        run = self.wait_for(request.run_id, "completed")
        assert run.approvals is not None and run.approvals[0].decision is not None
        self.assertTrue(run.approvals[0].decision.approved)
        self.assertEqual(self.last_text(request.session_id), FINISHED + 'refund:json:{"refunded":"42","amount":30}')
        self.assertEqual(len(self.tool_results(request.session_id)), 1)
        with self.assertRaises(SessionConflictError):
            self.alice.approve(request.run_id, request.approval_id)

    def test_deny_sends_the_reason_to_the_model(self) -> None:
        request = self.waiting_run()
        answer = self.alice.answer_approvals(request.run_id, [{"approval_id": request.approval_id, "approved": False, "reason": "Not today"}])
        self.assertTrue(answer.resumed)
        self.wait_for(request.run_id, "completed")
        self.assertEqual(self.last_text(request.session_id), FINISHED + "refund:execution-denied:Not today")

    def test_malformed_answers_are_refused_before_anything_changes(self) -> None:
        request = self.waiting_run()
        for bad in ([], [{"approval_id": request.approval_id}], [{"approval_id": request.approval_id, "approved": "yes"}], [{"approved": True}], "yes"):
            with self.assertRaises(InvalidArgumentError):
                self.alice.answer_approvals(request.run_id, bad)  # type: ignore[arg-type]
        with self.assertRaises(InvalidArgumentError):
            self.alice.approve(request.run_id, "approval_unknown")
        self.assertEqual([r.approval_id for r in self.alice.pending_approvals(run_id=request.run_id)], [request.approval_id])
        self.alice.deny(request.run_id, reason="cleanup")
        self.wait_for(request.run_id, "completed")
