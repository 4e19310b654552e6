"""CSV exports that a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

EXPORT_MAX_ROWS = 20_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run in Excel or LibreOffice (CSV injection); a leading
    # apostrophe makes it plain text. Masked numbers (`+82 10-****-5678`) get one too.
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], truncated: bool) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    # A BOM, so that Excel reads the Korean site names as UTF-8.
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if truncated:
        response.headers["X-Export-Truncated"] = f"only the newest {EXPORT_MAX_ROWS} rows"
    return response
