"""The package's build backend (PEP 517 and PEP 660), in the standard library only.

``pip install ./python`` builds in an isolated environment into which it first installs the
backend's requirements; with setuptools as the backend, a machine that reaches no package index
could not install this package at all. This backend requires nothing: it zips ``src/sessionloom``
with the wheel metadata (name, summary and Python requirement from pyproject.toml's ``[project]``,
the version from ``sessionloom/_version.py``, the one place it is written).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
PACKAGE = "sessionloom"
#: Fixed timestamps, so the same source always builds the same archive.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_TAR_TIME = 1577836800


def _project() -> Dict[str, str]:
    """The string keys of pyproject.toml's ``[project]`` table (all this backend reads; no TOML parser in 3.9)."""
    values: Dict[str, str] = {}
    in_project = False
    for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_project = stripped == "[project]"
            continue
        match = re.match(r'^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*"([^"]*)"\s*$', stripped) if in_project else None
        if match:
            values[match.group(1)] = match.group(2)
    version = re.search(r'__version__\s*=\s*"([^"]+)"', (SOURCE / PACKAGE / "_version.py").read_text(encoding="utf-8"))
    if version is None:
        raise RuntimeError("sessionloom/_version.py does not set __version__")
    values["version"] = version.group(1)
    return values


def _dist_info_name(project: Dict[str, str]) -> str:
    return f"{project['name']}-{project['version']}.dist-info"


def _metadata(project: Dict[str, str]) -> str:
    readme = (ROOT / project.get("readme", "README.md")).read_text(encoding="utf-8")
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.9')}",
        "License: MIT",
        "Classifier: Typing :: Typed",
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + readme


def _wheel_file() -> str:
    return "Wheel-Version: 1.0\nGenerator: sessionloom_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files() -> List[Tuple[str, bytes]]:
    files = []
    for path in sorted((SOURCE / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed"):
            files.append((path.relative_to(SOURCE).as_posix(), path.read_bytes()))
    return files


def _write_wheel(wheel_directory: str, files: List[Tuple[str, bytes]]) -> str:
    project = _project()
    dist_info = _dist_info_name(project)
    entries = files + [
        (f"{dist_info}/METADATA", _metadata(project).encode("utf-8")),
        (f"{dist_info}/WHEEL", _wheel_file().encode("utf-8")),
        (f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode("utf-8")),
    ]
    record = io.StringIO()
    for name, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        record.write(f"{name},sha256={digest},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    entries.append((f"{dist_info}/RECORD", record.getvalue().encode("utf-8")))
    wheel_name = f"{project['name']}-{project['version']}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return wheel_name


# -- PEP 517 hooks -------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    project = _project()
    dist_info = Path(metadata_directory) / _dist_info_name(project)
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata(project), encoding="utf-8")
    (dist_info / "WHEEL").write_text(_wheel_file(), encoding="utf-8")
    return dist_info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    """A wheel holding only a ``.pth`` file that puts ``src`` on the path: edits take effect at once."""
    return _write_wheel(wheel_directory, [(f"_{PACKAGE}_editable.pth", f"{SOURCE}\n".encode("utf-8"))])


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    project = _project()
    base = f"{project['name']}-{project['version']}"
    members = [(f"{base}/PKG-INFO", _metadata(project).encode("utf-8"))]
    for relative in ("pyproject.toml", project.get("readme", "README.md"), "build_backend/sessionloom_build.py"):
        members.append((f"{base}/{relative}", (ROOT / relative).read_bytes()))
    members += [(f"{base}/src/{name}", data) for name, data in _package_files()]
    archive = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, archive), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = _TAR_TIME
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return archive
