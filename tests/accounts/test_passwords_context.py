"""Passwords made only of words this service brings to mind are refused."""

import pytest

from journal.accounts.users import check_new_password


@pytest.mark.parametrize("password", ["WaitingWell2026!", "waiting well", "Breast Cancer 1",
                                      "ultrasound!!", "Nurse-line-99"])
def test_service_words_alone_are_too_easy_to_guess(password):
    assert "too easy to guess" in check_new_password(password)


@pytest.mark.parametrize("password", ["waiting for the kettle", "my cancer nurse is kind"])
def test_service_words_inside_a_longer_phrase_are_fine(password):
    assert check_new_password(password) is None
