"""determinism-lint: find and fix what makes pipeline artifacts non-reproducible or crash-unsafe."""

__version__ = "0.1.0"

__all__ = ["__version__"]
