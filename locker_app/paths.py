"""Where the service's own files are: the repository's `migrations/` and `kiosk/` in a checkout, or their
copies inside the package (`locker_app/_bundled/`, made by setup.py's build step) in an installed wheel."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE.parent
# In a checkout the package sits beside pyproject.toml; installed, it sits in site-packages, where a folder
# called `migrations` could belong to anything.
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "migrations" / "env.py").is_file()


def project_dir(name: str) -> Path:
    """`migrations` or `kiosk`: the checkout's folder when running from one, else the wheel's copy."""
    return _CHECKOUT / name if IN_CHECKOUT else PACKAGE / "_bundled" / name


MIGRATIONS = project_dir("migrations")
KIOSK = project_dir("kiosk")
