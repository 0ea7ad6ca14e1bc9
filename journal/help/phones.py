"""Phone numbers as people type them, and the tel: links a phone can dial."""

import re

MAX_PHONE = 40
# Digits with the usual spacing marks, an optional leading +, and an optional extension.
_PHONE = re.compile(
    r"(?P<main>\+?[\d\s().-]+?)\s*(?:(?:ext|extension|x)\.?\s*(?P<ext>\d{1,6}))?",
    re.IGNORECASE,
)
_UK_TRUNK = re.compile(r"0\d{9,10}")


def _parts(number: str):
    match = _PHONE.fullmatch(number.strip())
    if match is None:
        return None
    main = match["main"]
    # "+44 (0)20 ..." : the bracketed 0 is only dialled from inside the UK.
    if main.lstrip().startswith("+"):
        main = main.replace("(0)", "")
    digits = re.sub(r"\D", "", main)
    if not 3 <= len(digits) <= 15:
        return None
    return main.lstrip().startswith("+"), digits, match["ext"]


def check_phone(number: str) -> str | None:
    """An error message for something that is not a phone number, or None."""
    if not number:
        return None
    if len(number) > MAX_PHONE or _parts(number) is None:
        return "Enter a phone number using numbers, like 01632 960 123."
    return None


def tidy_phone(number: str) -> str:
    """The number as typed, with spaces collapsed, for showing back."""
    return " ".join((number or "").split())


def tel_href(number: str) -> str | None:
    """A tel: link, in international form where the number allows it.

    UK numbers (0 then 9 or 10 digits) become +44; 00 becomes +; short codes
    such as 999 or 116 123 stay as dialled, because that is how they work.
    """
    parts = _parts(number or "")
    if parts is None:
        return None
    plus, digits, ext = parts
    if plus:
        dial = "+" + digits
    elif digits.startswith("00"):
        dial = "+" + digits[2:]
    elif _UK_TRUNK.fullmatch(digits):
        dial = "+44" + digits[1:]
    else:
        dial = digits
    return f"tel:{dial};ext={ext}" if ext else f"tel:{dial}"
