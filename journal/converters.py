"""URL converters that keep ids inside what the database can hold."""

from werkzeug.routing import IntegerConverter

SQLITE_MAX_INTEGER = 2**63 - 1


class SQLiteInteger(IntegerConverter):
    """An <int:...> URL part; a number too big for SQLite is a 404, not a server error."""

    def __init__(self, map, fixed_digits=0, min=None, max=SQLITE_MAX_INTEGER, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
