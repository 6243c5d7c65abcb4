"""The same sessions from both languages: a session a TypeScript agent started (``Runner.run`` in
test/fixtures/python/agent-turn.ts, on the store the server serves) is read, replayed and resumed
from Python, and one Python started is resumed by the TypeScript agent, which sees all of it."""

import unittest

from sessionloom import SessionConflictError

from .harness import ServerTestCase, run_typescript_turn, unique


class BothLanguages(ServerTestCase):
    def test_a_session_a_typescript_agent_started_is_resumed_from_python(self) -> None:
        session_id = unique("ts-started")
        turn = run_typescript_turn(self.server.store_url, session_id, "Plan a trip to Lisbon", user_id="ada")
        self.assertEqual(turn["output"], 'You said: "Plan a trip to Lisbon" (0 earlier messages from you in this conversation).')

        # Python reads exactly what TypeScript wrote.
        messages = self.client.get_messages(session_id)
        self.assertEqual([m.to_dict() for m in messages], turn["messages"])
        self.assertEqual([m.role for m in messages], ["user", "assistant"])
        self.assertEqual(messages[1].text, turn["output"])
        self.assertEqual({m.run_id for m in messages}, {turn["runId"]})

        # ... and replays the TypeScript run.
        (run,) = self.client.runs(session_id)
        self.assertEqual((run.id, run.status, run.agent_name, run.session_id), (turn["runId"], "completed", "assistant", session_id))
        self.assertGreater(run.usage.total_tokens, 0)
        events = self.client.run_events(run.id)
        self.assertEqual([e.seq for e in events], list(range(1, len(events) + 1)))
        self.assertEqual((events[0].type, events[-1].type), ("run-start", "run-end"))
        self.assertEqual(events[-1].data["status"], "completed")
        self.assertEqual(self.client.run_events(run.id, after_seq=2, limit=1), [events[2]])

        # Python continues the conversation where TypeScript left it.
        session = self.client.get_session(session_id)
        assert session is not None
        self.client.append(session_id, {"role": "user", "content": "Make it three days"}, expected_version=session.version)
        with self.assertRaises(SessionConflictError):
            self.client.append(session_id, {"role": "user", "content": "stale"}, expected_version=session.version)
        if self.server.has_agents:
            handle = self.client.resume_session(session_id, agent="assistant")
            result = handle.send("And in May?")
            # The server's agent saw both earlier user messages: TypeScript's and Python's.
            self.assertEqual(result.output, 'You said: "And in May?" (2 earlier messages from you in this conversation).')
            self.assertEqual(result.status, "completed")
            self.assertEqual([m.text for m in handle.history()][-2:], ["And in May?", result.output])
            self.assertEqual([r.status for r in handle.runs()], ["completed", "completed"])
            self.assertEqual(handle.run_events(result.run_id), result.events)
        self.assertEqual(self.client.get_session(session_id).message_count, 5 if self.server.has_agents else 3)  # type: ignore[union-attr]

    def test_a_session_python_started_is_resumed_by_a_typescript_agent(self) -> None:
        session_id = unique("py-started")
        handle = self.client.session(session_id, user_id="ada", agent="assistant" if self.server.has_agents else None)
        self.assertEqual((handle.id, handle.info.user_id), (session_id, "ada"))
        self.assertEqual(self.client.session(session_id).info.id, session_id)  # the second time it is found, not created
        written = handle.append(
            [
                {"role": "user", "content": "My name is Ada."},
                {"role": "assistant", "content": [{"type": "text", "text": "Hello Ada."}]},
                {"role": "user", "content": [{"type": "text", "text": "I like trains."}]},
                {"role": "assistant", "content": "Noted."},
            ]
        )
        if self.server.has_agents:
            self.assertEqual(handle.send("Remember that.").output, 'You said: "Remember that." (2 earlier messages from you in this conversation).')

        turn = run_typescript_turn(self.server.store_url, session_id, "What do you know about me?")
        earlier = 3 if self.server.has_agents else 2
        self.assertEqual(turn["output"], f'You said: "What do you know about me?" ({earlier} earlier messages from you in this conversation).')
        # TypeScript read Python's messages as they were written.
        self.assertEqual(turn["messages"][:4], [m.to_dict() for m in written])

        # And Python reads the TypeScript agent's answer and run.
        history = handle.history()
        self.assertEqual(history[-1].text, turn["output"])
        self.assertEqual(handle.runs()[-1].id, turn["runId"])


if __name__ == "__main__":
    unittest.main()
