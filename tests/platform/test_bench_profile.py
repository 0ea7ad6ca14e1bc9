"""bench.profile --parts: the timing wrapper counts CPU per part and leaves nothing behind."""

import types
from collections import Counter

import pytest

from bench.profile import cpu_of, parts


def busy(n):
    return sum(i * i for i in range(n))


def test_cpu_of_adds_each_call_s_cpu_time_and_puts_the_real_functions_back():
    box = types.SimpleNamespace(work=busy, idle=lambda: None)
    with cpu_of([("work", box, "work"), ("idle", box, "idle")], Counter()) as spent:
        assert box.work(300_000) == busy(300_000)
        once = spent["work"]
        box.work(300_000)
        box.idle()
    assert once > 0 and spent["work"] > once  # a second call adds to the first
    assert spent["work"] > 20 * spent["idle"]
    assert box.work is busy


def test_cpu_of_counts_a_call_that_raises_and_still_puts_it_back():
    def fails():
        busy(100_000)
        raise ValueError("no")

    box = types.SimpleNamespace(fails=fails)
    with pytest.raises(ValueError), cpu_of([("fails", box, "fails")], Counter()) as spent:
        box.fails()
    assert spent["fails"] > 0 and box.fails is fails


def test_every_part_names_an_attribute_that_exists():
    for label, owner, attribute in parts():
        assert callable(getattr(owner, attribute)), label
