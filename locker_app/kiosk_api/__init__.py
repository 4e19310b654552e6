"""The kiosk API: /kiosk/v1, for the touchscreen device at a site."""

from .routes import bp

__all__ = ["bp"]
