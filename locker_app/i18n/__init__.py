"""Pages in the reader's language with Flask-Babel: Korean and English catalogues in `translations/`.

The locale comes from, in order: `?lang=` (remembered in a cookie, so a browser switches once), the signed-in
admin's own setting (`locker set-admin-language`), the browser's Accept-Language, and then Korean, the language
of the districts this service is built for. Source strings are English; `make i18n` extracts and compiles."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

LANGUAGES = ("ko", "en")
DEFAULT = "ko"
COOKIE = "locker_lang"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def choose_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return str(remembered)
    admin = getattr(g, "admin", None)
    own = getattr(admin, "language", None)
    if own in LANGUAGES:
        return str(own)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    babel.init_app(app, locale_selector=choose_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["current_lang"] = lambda: str(get_locale() or DEFAULT)

    @app.after_request
    def _remember_language(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

