"""The package version, written only here (the build backend reads it for the wheel's metadata)."""

__version__ = "0.1.0"
