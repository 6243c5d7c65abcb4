"""Every route of the HTTP API through the client, against a real ``sessionloom serve`` on SQLite."""

import json
import unittest
from typing import Any, Dict, List

from sessionloom import (
    Client,
    InvalidArgumentError,
    Message,
    MessageNotFoundError,
    SessionConflictError,
    SessionNotFoundError,
    UnauthorizedError,
)

from .harness import ServerTestCase, unique


class Sessions(ServerTestCase):
    def test_health(self) -> None:
        health = self.client.health()
        self.assertEqual((health.ok, health.backend, health.degraded), (True, "sqlite", False))
        self.assertIsNone(health.fallback)  # a plain SQLite store has no fallback journal

    def test_create_get_update_delete(self) -> None:
        c = self.client
        chosen = unique("tenant:order@shop.example")
        session = c.create_session(
            id=chosen, user_id="ada", agent_id="billing-bot", workspace_id="ws-1", metadata={"topic": "billing", "n": {"deep": [1, None]}}, tags=["vip"], ttl_ms=60_000
        )
        self.assertEqual(session.id, chosen)
        self.assertEqual((session.user_id, session.agent_id, session.workspace_id, session.ttl_ms), ("ada", "billing-bot", "ws-1", 60_000))
        self.assertEqual((session.state, session.version, session.message_count), ("active", 1, 0))
        self.assertEqual(session.metadata, {"topic": "billing", "n": {"deep": [1, None]}})
        self.assertEqual(c.get_session(chosen), session)
        updated = c.update_session(chosen, metadata={"priority": "high", "topic": None}, tags=["vip", "escalated"], expected_version=1)
        self.assertEqual(updated.metadata, {"topic": None, "n": {"deep": [1, None]}, "priority": "high"})
        self.assertEqual((updated.tags, updated.version), (["vip", "escalated"], 2))
        with self.assertRaises(SessionConflictError) as caught:
            c.update_session(chosen, tags=["late"], expected_version=1)
        self.assertEqual((caught.exception.expected_version, caught.exception.actual_version, caught.exception.session_id), (1, 2, chosen))
        self.assertEqual(c.get_session(chosen), updated)  # the refused update changed nothing
        self.assertTrue(c.delete_session(chosen))
        self.assertIsNone(c.get_session(chosen))
        self.assertFalse(c.delete_session(chosen))
        with self.assertRaises(InvalidArgumentError) as duplicate:
            c.create_session(id=unique("dup"), messages=[{"role": "user", "content": "hi", "id": "same-id"}, {"role": "user", "content": "x", "id": "same-id"}])
        self.assertEqual(duplicate.exception.status, 400)

    def test_list_with_filters_and_cursors(self) -> None:
        c = self.client
        user = unique("lister")
        made = [c.create_session(user_id=user, metadata={"plan": "pro" if i % 2 else "free"}, tags=["t"] if i < 3 else []) for i in range(5)]
        pages, cursor = [], None
        while True:
            page = c.list_sessions(user_id=user, order_by="createdAt", order="asc", limit=2, cursor=cursor)
            pages.append([s.id for s in page.sessions])
            cursor = page.next_cursor
            if cursor is None:
                break
        self.assertEqual(pages, [[made[0].id, made[1].id], [made[2].id, made[3].id], [made[4].id]])
        self.assertEqual([s.id for s in c.iter_sessions(user_id=user, order_by="createdAt", order="asc", limit=2)], [s.id for s in made])
        pro = c.list_sessions(user_id=user, filter={"plan": "pro"}, order_by="createdAt", order="asc")
        self.assertEqual([s.id for s in pro.sessions], [made[1].id, made[3].id])
        tagged = c.list_sessions(user_id=user, tags=["t"], state=["active", "suspended"], order_by="createdAt", order="asc")
        self.assertEqual([s.id for s in tagged.sessions], [s.id for s in made[:3]])
        c.append(made[0].id, {"role": "user", "content": "fork from here"})
        fork = c.fork(made[0].id)
        self.assertEqual([s.id for s in c.list_sessions(parent_id=made[0].id).sessions], [fork.id])
        with self.assertRaises(InvalidArgumentError):
            c.list_sessions(cursor="not-a-cursor")

    def test_unauthorized_without_a_valid_token(self) -> None:
        for token in (None, "wrong-token-0123456789abcdef"):
            with self.assertRaises(UnauthorizedError) as caught:
                Client(self.server.url, token=token).health()
            self.assertEqual((caught.exception.code, caught.exception.status), ("UNAUTHORIZED", 401))


class Messages(ServerTestCase):
    def test_append_read_back_and_page(self) -> None:
        c = self.client
        session = c.create_session(user_id="ada")
        written: List[Dict[str, Any]] = [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is 2+2?", "metadata": {"channel": "web"}},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me compute."},
                    {"type": "tool-call", "toolCallId": "call_1", "toolName": "add", "input": {"a": 2, "b": 2}},
                ],
            },
            {"role": "tool", "content": [{"type": "tool-result", "toolCallId": "call_1", "toolName": "add", "output": {"type": "json", "value": 4}}]},
            {"role": "assistant", "content": "4", "providerOptions": {"openai": {"store": False}}},
        ]
        appended = c.append(session.id, written)
        self.assertEqual([m.role for m in appended], ["system", "user", "assistant", "tool", "assistant"])
        read = c.get_messages(session.id)
        self.assertEqual(read, appended)
        # Read back deep-equal to what was written: the AI SDK's part keys are passed through as sent.
        for message, original in zip(read, written):
            self.assertEqual(message.content, original["content"])
            self.assertEqual(message.to_input(), original)
        self.assertEqual(read[3].text, "4")
        self.assertEqual(read[2].text, "Let me compute.")
        ids = [m.id for m in read]
        self.assertEqual([m.id for m in c.get_messages(session.id, limit=2)], ids[:2])
        self.assertEqual([m.id for m in c.get_messages(session.id, after=ids[1], limit=2)], ids[2:4])
        self.assertEqual([m.id for m in c.get_messages(session.id, before=ids[2])], ids[:2])
        self.assertEqual([m.id for m in c.get_messages(session.id, last=2)], ids[3:])
        self.assertEqual([m.id for m in c.get_messages(session.id, order="desc", limit=2)], [ids[4], ids[3]])
        self.assertEqual([m.id for m in c.iter_messages(session.id, page_size=2)], ids)
        with self.assertRaises(MessageNotFoundError):
            c.get_messages(session.id, after="msg_unknown")
        # A Message read here is input for another session (a new id is given).
        other = c.create_session()
        copied = c.append(other.id, read[1])
        self.assertEqual((copied[0].content, copied[0].metadata), (read[1].content, read[1].metadata))
        self.assertNotEqual(copied[0].id, read[1].id)

    def test_expected_version_conflicts_carry_both_versions_and_change_nothing(self) -> None:
        c = self.client
        session = c.create_session()
        c.append(session.id, {"role": "user", "content": "first"}, expected_version=1)
        with self.assertRaises(SessionConflictError) as caught:
            c.append(session.id, {"role": "user", "content": "stale"}, expected_version=1)
        error = caught.exception
        self.assertEqual((error.code, error.status, error.session_id), ("SESSION_CONFLICT", 409, session.id))
        self.assertEqual((error.expected_version, error.actual_version), (1, 2))
        self.assertEqual([m.content for m in c.get_messages(session.id)], ["first"])
        with self.assertRaises(SessionNotFoundError) as missing:
            c.append(unique("nobody"), {"role": "user", "content": "x"})
        self.assertEqual(missing.exception.code, "SESSION_NOT_FOUND")

    def test_operation_id_makes_a_retry_append_nothing_twice(self) -> None:
        c = self.client
        session = c.create_session()
        operation = unique("op")
        first = c.append(session.id, [{"role": "user", "content": "once"}], operation_id=operation)
        again = c.append(session.id, [{"role": "user", "content": "once"}], operation_id=operation)
        self.assertEqual(first, again)
        self.assertEqual(len(c.get_messages(session.id)), 1)

    def test_fork_rewind_and_branches(self) -> None:
        c = self.client
        session = c.create_session(user_id="ada")
        m = c.append(session.id, [{"role": "user", "content": f"m{i}"} for i in range(4)])
        fork = c.fork(session.id, from_message=m[1].id, metadata={"why": "try again"}, tags=["fork"])
        self.assertEqual((fork.parent_id, fork.metadata, fork.message_count), (session.id, {"why": "try again"}, 2))
        assert fork.forked_from is not None
        self.assertEqual((fork.forked_from.session_id, fork.forked_from.message_id), (session.id, m[1].id))
        self.assertEqual(len(c.get_messages(session.id)), 4)  # the source is untouched
        dry = c.rewind(session.id, to_message=m[1].id, dry_run=True)
        self.assertEqual((dry.dry_run, dry.removed_messages, dry.session.message_count), (True, 2, 4))
        self.assertEqual(len(c.get_messages(session.id)), 4)
        rewound = c.rewind(session.id, to_message=m[1].id)
        self.assertEqual((rewound.removed_messages, rewound.session.message_count, rewound.files), (2, 2, None))
        branches = c.branches(session.id)
        self.assertEqual([node.session.id for node in branches.forks], [fork.id])
        self.assertEqual(branches.forks[0].forked_at_message_id, m[1].id)
        self.assertEqual([(tail.after_message_id, tail.message_ids) for tail in branches.rewound_tails], [(m[1].id, [m[2].id, m[3].id])])
        self.assertEqual([p.id for p in c.branches(fork.id).parents], [session.id])
        to_start = c.rewind(session.id, to_start=True)
        self.assertEqual((to_start.removed_messages, to_start.session.message_count), (2, 0))
        with self.assertRaises(MessageNotFoundError) as caught:
            c.rewind(session.id, to_message=m[3].id)
        self.assertEqual(caught.exception.message_id, m[3].id)

    def test_compact_and_history(self) -> None:
        c = self.client
        session = c.create_session()
        written = c.append(session.id, [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}"} for i in range(6)])
        version = c.get_session(session.id).version  # type: ignore[union-attr]
        with self.assertRaises(SessionConflictError):
            c.compact(session.id, summary="earlier turns", expected_version=version - 1)
        result = c.compact(session.id, summary="They counted turns 0 to 3.", keep={"last_messages": 2}, expected_version=version)
        assert result.compaction is not None
        self.assertTrue(result.compacted)
        self.assertEqual((result.compaction.from_, result.compaction.to, result.compaction.count, result.compaction.kept), (written[0].id, written[3].id, 4, 2))
        path = c.get_messages(session.id)
        self.assertEqual(len(path), 3)
        self.assertIn("They counted turns 0 to 3.", path[0].text)
        self.assertEqual([m.content for m in c.history(session.id)], [f"turn {i}" for i in range(6)])
        self.assertEqual([m.content for m in c.history(session.id, last=2)], ["turn 4", "turn 5"])
        self.assertEqual(len(c.branches(session.id).compactions), 1)
        self.assertEqual(c.checkpoints(session.id), [])

    def test_export_streams_the_sessions_as_json_lines(self) -> None:
        c = self.client
        session = c.create_session(user_id="exporter")
        c.append(session.id, [{"role": "user", "content": "keep me"}])
        records = [json.loads(line) for line in c.export([session.id])]
        kinds = [record["kind"] for record in records]
        self.assertEqual((kinds[0], kinds[-1]), ("header", "end"))
        self.assertIn("session", kinds)
        self.assertEqual([r["data"]["id"] for r in records if r["kind"] == "session"], [session.id])
        self.assertTrue(all(len(record["sha256"]) == 64 for record in records))
        with self.assertRaises(SessionNotFoundError):
            c.export([unique("missing")])


class MessagesAreModels(unittest.TestCase):
    def test_message_text_follows_typescript_message_text(self) -> None:
        message = Message(
            role="tool",
            content=[
                {"type": "tool-result", "toolCallId": "c", "toolName": "t", "output": {"type": "json", "value": {"a": [1, "b"]}}},
                {"type": "tool-result", "toolCallId": "d", "toolName": "t", "output": {"type": "execution-denied", "reason": "no"}},
            ],
            id="m",
            created_at=1,
        )
        self.assertEqual(message.text, '{"a":[1,"b"]}no')


if __name__ == "__main__":
    unittest.main()
