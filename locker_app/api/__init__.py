"""The courier API: /api/v1."""

from . import returns as _returns  # noqa: F401  (adds its routes to bp)
from .routes import bp

__all__ = ["bp"]
