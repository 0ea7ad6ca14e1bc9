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


def test_parts_time_a_whole_page_s_render_and_an_htmx_answer_s_blocks(client, signed_in):
    with cpu_of(parts(), Counter()) as page_spent:
        assert client.get("/home").status_code == 200
    with cpu_of(parts(), Counter()) as blocks_spent:
        answer = client.post("/check-in", data={"csrf_token": signed_in},
                             headers={"HX-Request": "true", "X-CSRFToken": signed_in})
        assert answer.status_code == 422
    spent = {label.strip(): (page_spent[label], blocks_spent[label]) for label, _, _ in parts()}
    assert spent["rendering a page"][0] > 0 and spent["rendering htmx blocks"][0] == 0
    assert spent["rendering htmx blocks"][1] > 0 and spent["rendering a page"][1] == 0
    assert spent["the view, rendering and all"][1] > spent["rendering htmx blocks"][1]
