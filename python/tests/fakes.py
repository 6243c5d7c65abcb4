"""Stand-ins for the network, for the tests of what the client does when things go wrong:
a port where nothing listens, a server that accepts and never answers, an HTTP server that answers
whatever a test scripts, and a TCP proxy that cuts event streams mid-way."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple

#: A scripted answer: (status, content type, body chunks); each chunk is sent and flushed in turn.
Answer = Tuple[int, str, List[bytes]]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class SilentServer:
    """Accepts connections and never answers: every request to it times out."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def close(self) -> None:
        self._socket.close()


class ScriptedServer:
    """An HTTP server answering each path (without its query) with the answers a test gives, in order.

    ``requests`` records (method, path with query, headers) of every request it got.
    """

    def __init__(self) -> None:
        self.routes: Dict[str, List[Answer]] = {}
        self.requests: List[Tuple[str, str, Dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                fake.requests.append((self.command, self.path, {key.lower(): value for key, value in self.headers.items()}))
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                answers = fake.routes.get(self.path.split("?")[0]) or [(404, "text/plain", [b"no route in this fake"])]
                status, content_type, chunks = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def route(self, path: str, *answers: Answer) -> None:
        self.routes[path] = list(answers)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class CuttingProxy:
    """A TCP proxy to ``target_port`` that cuts the first ``cuts`` event-stream connections once the
    server has sent ``after_events`` events on them. ``heads`` holds each request's head as received."""

    def __init__(self, target_port: int, *, after_events: int, cuts: int = 1) -> None:
        self.heads: List[str] = []
        self.cut_count = 0
        self._target_port = target_port
        self._after_events = after_events
        self._cuts_left = cuts
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self._target_port))
        head = client.recv(65536)
        self.heads.append(head.decode("latin-1"))
        upstream.sendall(head)
        cut = False
        with self._lock:
            if b"follow=1" in head.split(b"\r\n", 1)[0] and self._cuts_left > 0:
                self._cuts_left -= 1
                cut = True
        threading.Thread(target=_pipe, args=(client, upstream, None), daemon=True).start()
        _pipe(upstream, client, self._after_events if cut else None)
        if cut:
            self.cut_count += 1
        for end in (client, upstream):
            _close(end)


def _pipe(source: socket.socket, destination: socket.socket, cut_after_events: Optional[int]) -> None:
    """Copies until either side closes, or, with ``cut_after_events``, until that many SSE ids went by."""
    seen = 0
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            destination.sendall(data)
            if cut_after_events is not None:
                seen += data.count(b"\nid: ") + (1 if data.startswith(b"id: ") else 0)
                if seen >= cut_after_events:
                    break
    except OSError:
        pass
    finally:
        for end in (source, destination):
            _close(end)


def _close(end: socket.socket) -> None:
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()


def sse(*frames: str) -> bytes:
    """An event stream body: each frame's lines, then the blank line that ends it."""
    return "".join(frame + "\n\n" for frame in frames).encode("utf-8")

