"""URL converters that keep ids inside what the database can hold."""

from werkzeug.routing import IntegerConverter

SQLITE_MAX_INTEGER = 2**63 - 1


class SQLiteInteger(IntegerConverter):
    """An <int:...> URL part; a number too big for SQLite is a 404, not a server error.

    ASCII digits only: werkzeug's own pattern is \\d+, which in Python also matches "٣"
    (Arabic-Indic three), so /entries/%D9%A3 opened entry 3."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=SQLITE_MAX_INTEGER, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def whole_number(raw):
    """A query or form value as an id SQLite can hold, or None: plain ASCII digits only
    (not "²" or "٣", which str.isdigit allows) and no bigger than an INTEGER."""
    raw = raw or ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    number = int(raw)
    return number if number <= SQLITE_MAX_INTEGER else None
