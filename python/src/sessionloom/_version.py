"""The package version (kept in one place: the build backend reads pyproject.toml, this must match it)."""

__version__ = "0.1.0"
