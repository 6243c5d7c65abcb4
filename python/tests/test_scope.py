"""User-bound tokens: a Python client whose token is bound to user A sees and changes only A's
sessions and runs; B's read as missing, whatever the route."""

import json
import unittest
from typing import Callable, List

from sessionloom import Client, InvalidArgumentError, RunNotFoundError, SessionNotFoundError

from .harness import ALICE_TOKEN, ServerTestCase, run_typescript_turn, unique


class UserBoundTokens(ServerTestCase):
    admin: Client
    alice: Client
    bob_session: str
    bob_run: str
    bob_version: int

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.admin = cls.client
        cls.alice = Client(cls.server.url, token=ALICE_TOKEN)
        # Bob's session, with a run by a TypeScript agent, made behind Alice's back.
        cls.bob_session = unique("bob:secret")
        turn = run_typescript_turn(cls.server.store_url, cls.bob_session, "my secret plan", user_id="bob")
        cls.bob_run = turn["runId"]
        cls.bob_version = cls.admin.get_session(cls.bob_session).version  # type: ignore[union-attr]

    def test_another_users_session_reads_as_missing_on_every_route(self) -> None:
        alice, bob = self.alice, self.bob_session
        self.assertIsNone(alice.get_session(bob))
        not_found: List[Callable[[], object]] = [
            lambda: alice.get_messages(bob),
            lambda: alice.history(bob),
            lambda: alice.append(bob, {"role": "user", "content": "hijack"}),
            lambda: alice.fork(bob),
            lambda: alice.rewind(bob, to_start=True),
            lambda: alice.branches(bob),
            lambda: alice.checkpoints(bob),
            lambda: alice.update_session(bob, metadata={"owned": True}),
            lambda: alice.compact(bob, summary="gone"),
            lambda: alice.runs(bob),
            lambda: list(alice.export([bob])),
        ]
        for call in not_found:
            with self.assertRaises(SessionNotFoundError):
                call()
        self.assertFalse(alice.delete_session(bob))
        self.assertIsNone(alice.get_run(self.bob_run))
        with self.assertRaises(RunNotFoundError):
            alice.run_events(self.bob_run)
        if self.server.has_agents:
            for call in (lambda: list(alice.follow_run(self.bob_run)), lambda: alice.cancel_run(self.bob_run)):
                with self.assertRaises(RunNotFoundError):
                    call()
            with self.assertRaises(SessionNotFoundError):
                alice.start_run(bob, "assistant", "answer me")
        # Nothing of Bob's changed.
        bob_now = self.admin.get_session(bob)
        assert bob_now is not None
        self.assertEqual((bob_now.version, bob_now.metadata), (self.bob_version, {}))
        self.assertEqual(self.admin.get_run(self.bob_run).status, "completed")  # type: ignore[union-attr]

    def test_lists_and_exports_hold_only_the_users_own_sessions(self) -> None:
        own = self.alice.create_session(metadata={"mine": "yes"})
        self.assertEqual(own.user_id, "alice")
        listed = list(self.alice.iter_sessions(limit=50))
        self.assertIn(own.id, [s.id for s in listed])
        self.assertEqual({s.user_id for s in listed}, {"alice"})
        self.assertEqual(self.alice.list_sessions(user_id="bob").sessions, [])
        exported = [json.loads(line) for line in self.alice.export()]
        owners = {record["data"].get("userId") for record in exported if record["kind"] == "session"}
        self.assertEqual(owners, {"alice"})

    def test_chosen_ids_must_be_in_the_users_namespace(self) -> None:
        for chosen in ("chat-1", unique("bob:taken"), "alice:a:b"):
            with self.assertRaises(InvalidArgumentError) as caught:
                self.alice.create_session(id=chosen)
            self.assertEqual(caught.exception.argument, "id")
        mine = self.alice.create_session(id=unique("alice:chat"))
        self.alice.append(mine.id, {"role": "user", "content": "hi"})
        with self.assertRaises(InvalidArgumentError):
            self.alice.fork(mine.id, id="not-namespaced")
        with self.assertRaises(InvalidArgumentError):
            self.alice.append(mine.id, {"role": "user", "content": "x", "id": "msg-chosen"})
        fork = self.alice.fork(mine.id, id=unique("alice:fork"))
        self.assertEqual(fork.parent_id, mine.id)


if __name__ == "__main__":
    unittest.main()
