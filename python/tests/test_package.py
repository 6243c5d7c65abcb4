"""The package as a user installs it: ``pip install ./python`` with no package index, the standard
library only, Python 3.9's grammar, and typed (``py.typed``)."""

import ast
import importlib.util
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path
from types import ModuleType

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "src" / "sessionloom"
SOURCES = sorted(PACKAGE.glob("*.py")) + sorted((PROJECT / "build_backend").glob("*.py"))


def load_backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sessionloom_build", PROJECT / "build_backend" / "sessionloom_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Package(unittest.TestCase):
    def test_pip_installs_it_with_no_package_index(self) -> None:
        if importlib.util.find_spec("pip") is None:
            self.skipTest("pip is not installed for this Python")
        with tempfile.TemporaryDirectory() as target:
            # --no-index: nothing may come from a package index, the build backend included.
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--no-index", "--no-cache-dir", "--quiet", "--target", target, str(PROJECT)],
                check=True,
                capture_output=True,
            )
            probe = "import sessionloom, sys; print(sessionloom.__file__); print(sessionloom.__version__); print(sessionloom.Client.__name__)"
            printed = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {target!r}); {probe}"], check=True, capture_output=True, cwd=target, text=True).stdout.split()
            self.assertTrue(printed[0].startswith(target), printed)
            self.assertEqual(printed[1:], [load_backend()._project()["version"], "Client"])
            installed = Path(target)
            self.assertTrue((installed / "sessionloom" / "py.typed").exists())
            metadata = next(installed.glob("sessionloom-*.dist-info")) / "METADATA"
            self.assertIn("Requires-Python: >=3.9", metadata.read_text())

    def test_the_sdist_holds_what_a_build_needs_and_the_editable_wheel_points_at_src(self) -> None:
        backend = load_backend()
        with tempfile.TemporaryDirectory() as directory:
            with tarfile.open(Path(directory) / backend.build_sdist(directory)) as sdist:
                names = set(sdist.getnames())
            base = f"sessionloom-{backend._project()['version']}"
            for required in ("pyproject.toml", "README.md", "PKG-INFO", "build_backend/sessionloom_build.py", "src/sessionloom/__init__.py", "src/sessionloom/py.typed"):
                self.assertIn(f"{base}/{required}", names)
            with zipfile.ZipFile(Path(directory) / backend.build_editable(directory)) as wheel:
                self.assertEqual(wheel.read("_sessionloom_editable.pth").decode().strip(), str(PROJECT / "src"))
                self.assertIn("Tag: py3-none-any", wheel.read(f"{base}.dist-info/WHEEL").decode())

    def test_standard_library_only_and_python_3_9_grammar(self) -> None:
        standard = set(getattr(sys, "stdlib_module_names", ()))
        for path in SOURCES:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 9))
            if not standard:
                continue  # Python before 3.10 cannot list its standard library
            for node in ast.walk(tree):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    self.assertIn(name.split(".")[0], standard, f"{path.name} imports {name}, which is not in the standard library")


if __name__ == "__main__":
    unittest.main()
