"""Finding and reading anything from Python, against a real ``sessionloom serve`` on SQLite: titles
(set, taken, filtered by prefix), ``get_message`` of a message a rewind took off the path, and
``search`` (ranked hits with snippets, pages, scope, and hostile queries taken as text)."""

import unittest

from sessionloom import (
    Client,
    FoundMessage,
    InvalidArgumentError,
    MessageNotFoundError,
    SearchHit,
    SearchResult,
    SessionNotFoundError,
)

from .harness import ALICE_TOKEN, ServerTestCase, unique


class Titles(ServerTestCase):
    def test_titles_are_set_taken_and_filtered_by_prefix(self) -> None:
        c = self.client
        user = unique("titler")
        word = unique("Trip").replace(":", "")
        given = c.create_session(user_id=user, title=f"{word} to Lisbon", messages=[{"role": "user", "content": "A message does not replace a given title"}])
        taken = c.create_session(user_id=user, messages=[{"role": "user", "content": f"{word} to Porto, by\ntrain"}])
        c.create_session(user_id=user, title=f"Not a {word}")
        self.assertEqual((given.title, taken.title), (f"{word} to Lisbon", f"{word} to Porto, by train"))
        listed = c.list_sessions(user_id=user, title_prefix=f"{word} to")
        self.assertEqual(sorted(s.title or "" for s in listed.sessions), [f"{word} to Lisbon", f"{word} to Porto, by train"])
        self.assertEqual(c.list_sessions(user_id=user, title_prefix=f"{word} to L").sessions, [c.get_session(given.id)])
        self.assertEqual(c.list_sessions(user_id=user, title_prefix="%").sessions, [])

        renamed = c.update_session(given.id, title="Renamed")
        self.assertEqual(renamed.title, "Renamed")
        self.assertEqual(c.fork(given.id).title, "Renamed")
        self.assertEqual(c.fork(given.id, title="Another way").title, "Another way")
        with self.assertRaises(InvalidArgumentError):
            c.update_session(given.id, title="two\nlines")
        with self.assertRaises(InvalidArgumentError):
            c.list_sessions(title_prefix="")


class ReadAndSearch(ServerTestCase):
    def setUp(self) -> None:
        c = self.client
        self.word = unique("zebrafinch").replace(":", "").replace("-", "").lower()
        self.session = c.create_session(user_id="alice")
        self.messages = c.append(
            self.session.id,
            [
                {"role": "user", "content": f"Book the {self.word} ferry to Tangier."},
                {"role": "assistant", "content": "Which day?"},
                {"role": "user", "content": f"Saturday, the early {self.word} crossing."},
            ],
        )
        c.rewind(self.session.id, to_message=self.messages[1].id)

    def test_get_message_reads_a_rewound_message_and_says_where_it_lives(self) -> None:
        found = self.client.get_message(self.session.id, self.messages[2].id)
        self.assertIsInstance(found, FoundMessage)
        self.assertEqual(found.message, self.messages[2])
        self.assertEqual((found.location.placement, found.location.position, found.location.written_by), ("rewound", 3, self.session.id))
        on_path = self.client.get_message(self.session.id, self.messages[0].id)
        self.assertEqual((on_path.location.placement, on_path.location.position), ("path", 1))
        other = self.client.create_session(user_id="alice", messages=[{"role": "user", "content": "elsewhere"}])
        with self.assertRaises(MessageNotFoundError):
            self.client.get_message(other.id, self.messages[0].id)

    def test_another_users_message_reads_as_not_found(self) -> None:
        bob = self.client.create_session(user_id="bob", messages=[{"role": "user", "content": f"bob's {self.word} secret"}])
        (message,) = self.client.get_messages(bob.id)
        alice = Client(self.server.url, token=ALICE_TOKEN)
        with self.assertRaises(SessionNotFoundError):
            alice.get_message(bob.id, message.id)
        self.assertEqual([hit.session_id for hit in alice.search(self.word).hits], [self.session.id, self.session.id])
        with self.assertRaises(SessionNotFoundError):
            alice.search(self.word, session_id=bob.id)

    def test_search_finds_a_rewound_message_with_a_snippet_and_pages(self) -> None:
        c = self.client
        result = c.search(f"early {self.word}")
        self.assertIsInstance(result, SearchResult)
        (hit,) = result.hits
        self.assertIsInstance(hit, SearchHit)
        self.assertEqual((hit.session_id, hit.message_id, hit.role), (self.session.id, self.messages[2].id, "user"))
        self.assertEqual(hit.snippet, f"Saturday, the early {self.word} crossing.")
        self.assertEqual(hit.highlighted, ["early", self.word])
        self.assertGreater(hit.score, 0)
        self.assertIsNone(result.next_cursor)
        self.assertEqual(c.get_message(hit.session_id, hit.message_id).location.placement, "rewound")

        first = c.search(self.word, session_id=self.session.id, limit=1)
        self.assertEqual(len(first.hits), 1)
        assert first.next_cursor is not None
        second = c.search(self.word, session_id=self.session.id, limit=1, cursor=first.next_cursor)
        self.assertEqual({first.hits[0].message_id, second.hits[0].message_id}, {self.messages[0].id, self.messages[2].id})
        self.assertIsNone(second.next_cursor)
        self.assertEqual(c.search(self.word, user_id="bob").hits, [])

        handle = c.resume_session(self.session.id)
        self.assertEqual([hit.message_id for hit in handle.search(f"early {self.word}").hits], [self.messages[2].id])
        self.assertEqual(handle.get_message(self.messages[2].id).location.placement, "rewound")

    def test_operators_quotes_and_sql_are_only_text_and_an_empty_query_is_refused(self) -> None:
        c = self.client
        for query in [f'"{self.word}" OR ferry', f"{self.word} NEAR/2 ferry*", f"{self.word}'; DROP TABLE messages; --"]:
            hits = c.search(query, session_id=self.session.id).hits
            self.assertTrue(all(self.word in hit.snippet for hit in hits), query)
        self.assertEqual(c.search(f"{self.word} " + "x" * 10_000).hits, [])
        self.assertEqual(len(c.search(self.word, session_id=self.session.id).hits), 2)  # nothing was dropped
        for query in ["", "   ", "***"]:
            with self.assertRaises(InvalidArgumentError):
                c.search(query)
        with self.assertRaises(InvalidArgumentError):
            c.search(self.word, limit=0)


if __name__ == "__main__":
    unittest.main()
