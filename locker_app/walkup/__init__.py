"""The courier at the touchscreen (issue 19): kiosk PINs and sessions, walk-up deposits, room, lost codes, reports.

The blueprint is in routes.py; nothing is imported here, so that locker_app.models may import models.py."""
