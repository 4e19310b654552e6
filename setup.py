"""Only one thing here that pyproject.toml cannot say: the wheel carries the repository's `migrations/` and
the kiosk's page (`kiosk/`) inside the package, as `locker_app/_bundled/`, so an installed service can
migrate its database and serve the touchscreen page without a checkout (locker_app/paths.py finds them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# The page's own files; the agent's Python package and the READMEs stay out of the service's copy.
PAGE_FILES = {".html", ".js", ".css", ".svg", ".png", ".woff2", ".json"}


class BuildWithBundledFiles(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "locker_app" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE / "migrations", target / "migrations",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for path in (HERE / "kiosk").rglob("*"):
            relative = path.relative_to(HERE / "kiosk")
            if path.is_file() and path.suffix in PAGE_FILES and "__pycache__" not in relative.parts \
                    and not any(part.endswith("_agent") or part == "tests" for part in relative.parts):
                (target / "kiosk" / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / "kiosk" / relative)


setup(cmdclass={"build_py": BuildWithBundledFiles})
