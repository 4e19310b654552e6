"""The courier API: /api/v1."""

from .routes import bp

__all__ = ["bp"]
