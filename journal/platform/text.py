"""Characters that hide in text: control, zero-width and direction marks (no Flask)."""

import unicodedata

# Cc: control characters (NUL, tab, line breaks, escape...). Cf: invisible format marks,
# among them zero-width spaces and joiners, the byte-order mark and every bidi control.
# Cs and Co: lone surrogates and private-use characters, which show as nothing useful.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def is_hidden(char):
    """True for a character a person cannot see, or that turns text around."""
    return unicodedata.category(char) in HIDDEN_CATEGORIES


def has_hidden(text):
    """True when the text holds any control, zero-width, bidi or private-use character."""
    return any(is_hidden(char) for char in text or "")


def without_hidden(text):
    """The text with each hidden character turned into a space."""
    return "".join(" " if is_hidden(char) else char for char in text or "")
