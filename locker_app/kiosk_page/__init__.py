"""Serves the touchscreen app in the top-level kiosk/ folder at /kiosk/."""

from .routes import bp

__all__ = ["bp"]
