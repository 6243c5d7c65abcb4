"""The README's Python section runs as written, against the test server."""

import contextlib
import io
import os
import re
import unittest
from typing import Any, Dict, List
from unittest import mock

from .harness import ADMIN_TOKEN, REPO_ROOT, shared_server


def python_blocks() -> List[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


class ReadmeExample(unittest.TestCase):
    def setUp(self) -> None:
        self.server = shared_server()
        self.blocks = python_blocks()
        self.assertEqual(len(self.blocks), 2)
        self.namespace: Dict[str, Any] = {"__name__": "readme"}

    def run_block(self, index: int) -> List[str]:
        output = io.StringIO()
        environment = {"SESSIONLOOM_URL": self.server.url, "SESSIONLOOM_TOKEN": ADMIN_TOKEN}
        with mock.patch.dict(os.environ, environment), contextlib.redirect_stdout(output):
            exec(compile(self.blocks[index], f"README.md (Python example {index + 1})", "exec"), self.namespace)
        return output.getvalue().splitlines()

    def test_the_store_example_runs_as_written(self) -> None:
        self.assertEqual(self.run_block(0), ["1 rewound tail, 1 fork", "expected version 1, the session is at 4"])

    def test_the_agent_example_runs_as_written(self) -> None:
        if not self.server.has_agents:
            self.skipTest("it runs agents: this checkout's `sessionloom serve` has no --agents yet")
        self.run_block(0)  # it goes on with the first example's client
        lines = self.run_block(1)
        self.assertEqual(lines[0], 'You said: "Where is my order?" (0 earlier messages from you in this conversation).')
        self.assertEqual(lines[1], 'You said: "And when will it arrive?" (1 earlier message from you in this conversation).')
        self.assertEqual(lines[2:6], ["[user] Where is my order?", f"[assistant] {lines[0][:80]}", "[user] And when will it arrive?", f"[assistant] {lines[1][:80]}"])
        self.assertEqual(len([line for line in lines if line.startswith("Run run_") and ": completed, " in line]), 2)
        self.assertEqual(lines[-1], 'You said: "Thanks!" (2 earlier messages from you in this conversation).')


if __name__ == "__main__":
    unittest.main()
