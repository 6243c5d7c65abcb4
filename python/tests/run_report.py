"""Runs the Python tests for test/python-client.test.ts, which makes each one a vitest test.

    python3 -m tests.run_report --list          # the test ids, as JSON
    python3 -m tests.run_report --json FILE     # runs them all: unittest's report on stderr,
                                                # each test's outcome in FILE

Run from python/. Plain ``python3 -m unittest discover`` runs the same tests.
"""

import argparse
import json
import sys
import traceback
import unittest
from pathlib import Path
from types import TracebackType
from typing import Dict, Iterator, Optional, Tuple, Type, Union

PROJECT = Path(__file__).resolve().parents[1]

ErrorInfo = Union[Tuple[Type[BaseException], BaseException, TracebackType], Tuple[None, None, None]]


def discover() -> unittest.TestSuite:
    return unittest.defaultTestLoader.discover(str(PROJECT / "tests"), top_level_dir=str(PROJECT))


def test_ids(suite: unittest.TestSuite) -> Iterator[str]:
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from test_ids(test)
        else:
            yield test.id()


class RecordingResult(unittest.TextTestResult):
    """unittest's text result that also keeps each test's outcome and message."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.outcomes: Dict[str, Dict[str, str]] = {}

    def _record(self, test: unittest.TestCase, outcome: str, message: str = "") -> None:
        self.outcomes[test.id()] = {"outcome": outcome, "message": message}

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test: unittest.TestCase, err: ErrorInfo) -> None:
        super().addFailure(test, err)
        self._record(test, "failed", self._describe(err))

    def addError(self, test: unittest.TestCase, err: ErrorInfo) -> None:
        super().addError(test, err)
        # setUpClass / setUpModule failures come as _ErrorHolder: name every test of that class.
        self._record(test, "failed", self._describe(err))

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: ErrorInfo) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "passed")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, "failed", "unexpected success")

    @staticmethod
    def _describe(err: ErrorInfo) -> str:
        kind, value, trace = err
        return "".join(traceback.format_exception(kind, value, trace))


def class_level_outcome(outcomes: Dict[str, Dict[str, str]], test_id: str) -> Optional[Dict[str, str]]:
    """The outcome of a test that never ran because its class or module setup failed or skipped.

    unittest reports those as "setUpClass (tests.module.Class)" or "setUpModule (tests.module)".
    """
    class_path = test_id.rpartition(".")[0]
    module_path = class_path.rpartition(".")[0]
    for key, value in outcomes.items():
        if key.endswith(f"({class_path})") or key.endswith(f"({module_path})"):
            return value
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--json")
    arguments = parser.parse_args()
    suite = discover()
    ids = list(test_ids(suite))
    if arguments.list:
        print(json.dumps(ids))
        return 0
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=RecordingResult)
    result = runner.run(suite)
    assert isinstance(result, RecordingResult)
    outcomes = dict(result.outcomes)
    for test_id in ids:
        if test_id not in outcomes:
            # A skipped class (SkipTest in setUpClass) reports under the class, not its tests.
            outcomes[test_id] = class_level_outcome(result.outcomes, test_id) or {"outcome": "failed", "message": "did not run"}
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(outcomes, indent=1))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
