"""Finding and reading anything: one message by id wherever it lives, and full-text search.

A mixin of ``Client`` (kept apart so the client's file stays about sessions and runs); the
routes are ``GET /api/sessions/:id/messages/:messageId`` and ``GET /api/search``.
"""

from typing import Any, List, Optional, Tuple

from . import _validation as check
from ._arguments import session_path
from ._decode import decode
from ._http import query_pairs, segment
from .models import FoundMessage, SearchResult


class AuditMethods:
    def _get(self, path: str, query: Optional[List[Tuple[str, str]]] = None) -> Any:
        raise NotImplementedError  # Client's

    def get_message(self, session_id: str, message_id: str) -> FoundMessage:
        """A message the session can read: on its path, behind a compaction, or rewound off the path.

        ``result.location`` says which (``placement``, ``position``, ``written_by``, ``compacted_by``).
        Another session's message, or a session out of the token's reach, raises
        ``MessageNotFoundError`` or ``SessionNotFoundError``, never someone else's message.
        """
        path = f"{session_path(session_id)}/messages/{segment(check.check_id(message_id, 'messageId'))}"
        return decode(FoundMessage, self._get(path), "message")

    def search(
        self,
        query: str,
        *,
        user_id: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> SearchResult:
        """Messages whose text holds the query's words, best first, with a snippet each.

        Every word must match (case and accents ignored, the last word also as a prefix); quotes,
        operators and SQL in the query are only text. ``session_id`` searches what that session can
        read (rewound tails and compacted messages too); a user-bound token searches only its user's
        sessions. A query without a word is an ``InvalidArgumentError``. Pass ``result.next_cursor``
        as ``cursor`` (with the same query and options) for the next page.
        """
        pairs = query_pairs(
            q=check.check_str(query, "query", allow_empty=False),
            userId=check.check_optional_id(user_id, "userId"),
            sessionId=check.check_optional_id(session_id, "sessionId"),
            agentId=check.check_optional_id(agent_id, "agentId"),
            limit=check.check_optional_int(limit, "limit", 1),
            cursor=check.check_optional_str(cursor, "cursor"),
        )
        return decode(SearchResult, self._get("/api/search", pairs), "search")
