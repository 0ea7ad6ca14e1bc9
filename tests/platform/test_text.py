"""Hidden characters: what counts, and how they are found and removed."""

import pytest

from journal.platform import text

HIDDEN = {
    "NUL": "\x00", "tab": "\t", "line break": "\n", "escape": "\x1b", "delete": "\x7f",
    "zero-width space": "\u200b", "zero-width joiner": "\u200d", "byte-order mark": "\ufeff",
    "right-to-left override": "\u202e", "left-to-right mark": "\u200e",
    "first-strong isolate": "\u2068", "soft hyphen": "\u00ad", "private use": "\ue000",
}


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_hidden_characters_are_found_and_turned_to_spaces(char):
    assert text.has_hidden(f"a{char}b")
    assert text.without_hidden(f"a{char}b") == "a b"


@pytest.mark.parametrize("visible", ["Siobhán", "Zoë", "José", "محمد", "李", "O'Neil-Smith",
                                     "name+tag@example.com", "😀"])
def test_ordinary_letters_of_any_script_are_not_hidden(visible):
    assert not text.has_hidden(visible)
    assert text.without_hidden(visible) == visible


def test_nothing_is_nothing():
    assert not text.has_hidden(None) and text.without_hidden(None) == ""
