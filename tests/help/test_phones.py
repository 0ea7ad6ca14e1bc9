import pytest

from journal.help.nurse_line import HELP_LINES
from journal.help.phones import check_phone, tel_href, tidy_phone


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        pytest.param("0808 800 4040", "tel:+448088004040", id="uk-freephone"),
        pytest.param("020 7946 0123", "tel:+442079460123", id="uk-london"),
        pytest.param("(01632) 960-123", "tel:+441632960123", id="brackets-and-dashes"),
        pytest.param("01632 96012", "tel:+44163296012", id="uk-ten-digits"),
        pytest.param("+44 (0)20 7946 0123", "tel:+442079460123", id="international-with-0"),
        pytest.param("+44 20 7946 0123", "tel:+442079460123", id="international"),
        pytest.param("0044 20 7946 0123", "tel:+442079460123", id="double-zero"),
        pytest.param("+353 1 234 5678", "tel:+35312345678", id="ireland"),
        pytest.param("999", "tel:999", id="emergency-as-dialled"),
        pytest.param("111", "tel:111", id="nhs-111-as-dialled"),
        pytest.param("116 123", "tel:116123", id="samaritans-as-dialled"),
        pytest.param("020 7946 0123 ext 45", "tel:+442079460123;ext=45", id="extension"),
        pytest.param("01632 960123 x12", "tel:+441632960123;ext=12", id="extension-x"),
        pytest.param("  020   7946 0123  ", "tel:+442079460123", id="extra-spaces"),
    ],
)
def test_tel_href(typed, href):
    assert tel_href(typed) == href
    assert check_phone(typed) is None


@pytest.mark.parametrize(
    "typed",
    ["ring the ward", "12", "0207-CALL-NOW", "1" * 16, "+44 20 7946 0123 +1", "++4420"],
)
def test_not_a_phone_number(typed):
    assert tel_href(typed) is None
    assert check_phone(typed) == "Enter a phone number using numbers, like 01632 960 123."


def test_empty_number_is_allowed_but_has_no_link():
    assert check_phone("") is None
    assert tel_href("") is None


def test_too_long_is_refused():
    assert check_phone("0" + " " * 40 + "20 7946 0123") is not None


def test_tidy_phone_collapses_spaces():
    assert tidy_phone("  020   7946\t0123 ") == "020 7946 0123"


def test_help_lines_agree_with_the_rule():
    for line in HELP_LINES:
        if line.href.startswith("tel:"):
            assert tel_href(line.number) == line.href
