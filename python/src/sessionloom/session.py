"""``client.session(...)``: one session as an agent SDK shows it, over the HTTP API.

In the style of the Python binding of the documents sessionloom was specified from
(``session.send(...)``, ``session.history()``, ``session.runs()``, ``resume_session``): ``send``
runs one of the server's registered agents on the session and waits for its answer (or streams its
events); the rest reads and moves the session's history. Anything else is on ``handle.client``.
"""

from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Union, overload

from . import _validation as check
from ._arguments import MessageInput, RunInput
from ._follow import RunFollower
from .errors import InvalidArgumentError, SessionNotFoundError
from .models import FoundMessage, Message, RewindResult, Run, RunEvent, RunResult, SearchResult, Session

if TYPE_CHECKING:
    from .client import Client


class SessionHandle:
    """A session and the agent that answers in it. Made by ``Client.session`` / ``Client.resume_session``."""

    def __init__(self, client: "Client", session: Session, agent: Optional[str]) -> None:
        self.client = client
        self.id = session.id
        self.agent = agent
        self._session = session

    def __repr__(self) -> str:
        return f"SessionHandle(id={self.id!r}, agent={self.agent!r})"

    @property
    def info(self) -> Session:
        """The session as last read (``refresh()`` reads it again)."""
        return self._session

    def refresh(self) -> Session:
        session = self.client.get_session(self.id)
        if session is None:
            raise SessionNotFoundError(f'Session "{self.id}" was not found.', details={"sessionId": self.id})
        self._session = session
        return session

    @overload
    def send(
        self, input: RunInput, *, agent: Optional[str] = None, stream: Literal[False] = False, reconnect_delay: Optional[float] = None
    ) -> RunResult: ...

    @overload
    def send(self, input: RunInput, *, agent: Optional[str] = None, stream: Literal[True], reconnect_delay: Optional[float] = None) -> RunFollower: ...

    def send(
        self,
        input: RunInput,
        *,
        agent: Optional[str] = None,
        stream: bool = False,
        reconnect_delay: Optional[float] = None,
    ) -> Union[RunResult, RunFollower]:
        """Runs the agent on ``input`` (a user message's text, or messages) with the whole conversation.

        Waits for the run and returns its ``RunResult`` (``output`` is the agent's answer); a run that
        fails or is cancelled raises ``RunFailedError``. With ``stream=True``, returns the run's
        ``RunFollower`` at once: iterate it for the events as they happen, then read ``.result``.
        """
        name = self._agent_name(agent)
        started = self.client.start_run(self.id, name, input)
        follower = self.client.follow_run(started.run_id, reconnect_delay=reconnect_delay, keep_events=True)
        follower.session_id = self.id
        if stream:
            return follower
        follower.wait()
        result = follower.raise_unless_completed()
        self._session = self.refresh()
        return result

    def history(self) -> List[Message]:
        """The whole conversation, oldest first, through every compaction."""
        return list(self.client.iter_messages(self.id, history=True))

    def messages(self, **paging: Any) -> List[Message]:
        """The session's path (what a model is sent), paged as ``Client.get_messages``."""
        return self.client.get_messages(self.id, **paging)

    def append(
        self,
        messages: Union[MessageInput, List[MessageInput]],
        *,
        expected_version: Optional[int] = None,
        operation_id: Optional[str] = None,
    ) -> List[Message]:
        return self.client.append(self.id, messages, expected_version=expected_version, operation_id=operation_id)

    def runs(self) -> List[Run]:
        return self.client.runs(self.id)

    def run_events(self, run_id: str) -> List[RunEvent]:
        return self.client.run_events(run_id)

    def get_message(self, message_id: str) -> FoundMessage:
        """Any message this session can read (on its path, behind a compaction or rewound off it), with where it lives."""
        return self.client.get_message(self.id, message_id)

    def search(self, query: str, **options: Any) -> SearchResult:
        """``client.search(query, session_id=this session)``: what this session can read, rewound tails included."""
        return self.client.search(query, session_id=self.id, **options)

    def fork(self, *, from_message: Optional[str] = None, id: Optional[str] = None, **options: Any) -> "SessionHandle":
        """A handle on a fork of this session (up to ``from_message``, default its head), with the same agent."""
        fork = self.client.fork(self.id, from_message=from_message, id=id, **options)
        return SessionHandle(self.client, fork, self.agent)

    def rewind(self, *, to_message: Optional[str] = None, to_start: bool = False, dry_run: bool = False) -> RewindResult:
        result = self.client.rewind(self.id, to_message=to_message, to_start=to_start, dry_run=dry_run)
        if not dry_run:
            self._session = result.session
        return result

    def delete(self) -> bool:
        return self.client.delete_session(self.id)

    def _agent_name(self, agent: Optional[str]) -> str:
        name = agent if agent is not None else self.agent
        if name is not None:
            return check.check_id(name, "agent")
        registered = [info.name for info in self.client.agents()]
        if len(registered) != 1:
            known = ", ".join(registered) or "none: start the server with --agents MODULE"
            raise check.invalid("agent", f"name the agent to run (registered: {known}).")
        self.agent = registered[0]
        return self.agent


def open_session(
    client: "Client",
    session_id: Optional[str],
    *,
    user_id: Optional[str],
    agent: Optional[str],
    create: bool,
    init: Dict[str, Any],
) -> SessionHandle:
    if agent is not None:
        check.check_id(agent, "agent")
    if session_id is None:
        if not create:
            raise check.invalid("sessionId", "resuming needs the id of an existing session.")
        return SessionHandle(client, client.create_session(user_id=user_id, **init), agent)
    existing = client.get_session(session_id)
    if existing is not None:
        return SessionHandle(client, existing, agent)
    if not create:
        raise SessionNotFoundError(f'Session "{session_id}" was not found.', details={"sessionId": session_id})
    try:
        created = client.create_session(id=session_id, user_id=user_id, **init)
    except InvalidArgumentError as error:
        # Created by someone else between the read and the create ("already exists"): theirs is the session.
        again = client.get_session(session_id) if error.argument == "session id" else None
        if again is None:
            raise
        created = again
    return SessionHandle(client, created, agent)
