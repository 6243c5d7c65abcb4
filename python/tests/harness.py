"""A real ``sessionloom serve`` for the tests: started once per test run, on a free port, over SQLite.

The server is the repository's own CLI (``node --import tsx src/cli/main.ts serve``), with an
unbound token (``ADMIN_TOKEN``), two tokens bound to users ``alice`` and ``bob``, and, when the
CLI has ``--agents``, the scripted agents of test/fixtures/python/agents.ts. Environment:

- ``SESSIONLOOM_SERVE_ROOT``: the checkout whose CLI serves (default: this repository);
- ``SESSIONLOOM_NODE``: the node executable (default ``node``).
"""

import atexit
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from sessionloom import Client

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVE_ROOT = Path(os.environ.get("SESSIONLOOM_SERVE_ROOT") or REPO_ROOT)
NODE = os.environ.get("SESSIONLOOM_NODE") or "node"
FIXTURES = REPO_ROOT / "test" / "fixtures" / "python"

ADMIN_TOKEN = "python-admin-token-0123456789abcdef"
ALICE_TOKEN = "python-alice-token-0123456789abcdef"
BOB_TOKEN = "python-bob-token-0123456789abcdefgh"

#: How long the server may take to start (tsx compiles the CLI on a cold cache).
START_TIMEOUT = 90.0


def unique(prefix: str) -> str:
    """An id no other test uses (tests share one server and store)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def node_command(script: Path, *args: str) -> List[str]:
    return [NODE, "--import", "tsx", str(script), *args]


class Server:
    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="sessionloom-python-"))
        self.store_url = f"sqlite:{self.directory / 'sessions.db'}"
        self.url = ""
        self.has_agents = False
        self._process: Optional["subprocess.Popen[bytes]"] = None
        self._stderr: List[bytes] = []

    def start(self) -> None:
        tokens_file = self.directory / "tokens.json"
        tokens_file.write_text(json.dumps([{"token": ALICE_TOKEN, "userId": "alice"}, {"token": BOB_TOKEN, "userId": "bob"}]))
        self.has_agents = cli_has_agents_option()
        arguments = ["serve", "--port", "0", "--json", "--tokens-file", str(tokens_file)]
        if self.has_agents:
            arguments += ["--agents", str(FIXTURES / "agents.ts")]
        environment = dict(os.environ, SESSIONLOOM_STORE=self.store_url, SESSIONLOOM_TOKEN=ADMIN_TOKEN)
        environment.pop("SESSIONLOOM_FALLBACK", None)
        self._process = subprocess.Popen(
            node_command(SERVE_ROOT / "src" / "cli" / "main.ts", *arguments),
            cwd=str(SERVE_ROOT),
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.url = self._read_url()

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _read_url(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        text = b""
        while time.monotonic() < deadline:
            chunk = self._process.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                break
            text += chunk
            try:
                document: Dict[str, Any] = json.loads(text)
            except ValueError:
                continue
            return str(document["url"])
        self.stop()
        raise RuntimeError(f"sessionloom serve did not start: {b''.join(self._stderr).decode(errors='replace')}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")


def _die_with_parent() -> None:
    """On Linux, the server gets SIGTERM if this process dies without stopping it (a test run killed
    on a timeout), instead of serving on with nobody to stop it."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


PR_SET_PDEATHSIG = 1

_server: Optional[Server] = None
_agents_option: Optional[bool] = None


def cli_has_agents_option() -> bool:
    """Whether this checkout's ``serve`` takes ``--agents`` (the live-run routes: start, follow, cancel)."""
    global _agents_option
    if _agents_option is None:
        help_text = subprocess.run(
            node_command(SERVE_ROOT / "src" / "cli" / "main.ts", "serve", "--help"),
            cwd=str(SERVE_ROOT),
            capture_output=True,
            timeout=START_TIMEOUT,
            check=True,
        ).stdout.decode()
        _agents_option = "--agents" in help_text
    return _agents_option


def shared_server() -> Server:
    """The one server of this test run, started on first use and stopped when the run ends."""
    global _server
    if _server is None:
        server = Server()
        server.start()
        atexit.register(server.stop)
        _server = server
    return _server


def run_typescript_turn(store_url: str, session_id: str, text: str, user_id: Optional[str] = None) -> Dict[str, Any]:
    """One turn of the TypeScript `assistant` agent on the store (test/fixtures/python/agent-turn.ts)."""
    arguments = [store_url, session_id, text] + ([user_id] if user_id else [])
    completed = subprocess.run(
        node_command(FIXTURES / "agent-turn.ts", *arguments),
        cwd=str(REPO_ROOT),
        capture_output=True,
        timeout=START_TIMEOUT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"agent-turn.ts failed ({completed.returncode}): {completed.stderr.decode(errors='replace')}")
    result: Dict[str, Any] = json.loads(completed.stdout)
    return result


class ServerTestCase(unittest.TestCase):
    """Tests against the shared server: ``self.server``, and ``self.client`` with the unbound token."""

    server: Server
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = shared_server()
        cls.client = Client(cls.server.url, token=ADMIN_TOKEN, timeout=30)
