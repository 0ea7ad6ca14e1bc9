"""Links made once in shape (templating.link_to) are the links url_for makes."""

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from journal import create_app
from journal.platform.templating import link_to


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"MODE": "test",
                       "JOURNAL_DB": str(tmp_path_factory.mktemp("links") / "links.db")})


def one_id_routes(app):
    """(endpoint, argument) of every route whose only part is an id."""
    found = []
    for rule in app.url_map.iter_rules():
        if len(rule.arguments) == 1:
            [name] = rule.arguments
            if isinstance(rule._converters[name], IntegerConverter):
                found.append((rule.endpoint, name))
    return sorted(set(found))


def test_every_one_id_route_is_covered_and_has_one_plain_rule(app):
    routes = one_id_routes(app)
    assert ("diary.edit", "entry_id") in routes and ("care.patient", "link_id") in routes
    assert len(routes) > 10
    # A second rule or defaults for an endpoint could make url_for pick another shape for
    # some ids than the one link_to keeps.
    for endpoint, _ in routes:
        rules = list(app.url_map.iter_rules(endpoint))
        assert len(rules) == 1 and not rules[0].defaults, endpoint


@given(number=st.one_of(st.integers(0, 2**63 - 1), st.sampled_from([0, 1, 9, 10, 2**63 - 1])),
       root=st.sampled_from(["", "/ww"]))
def test_one_id_links_match_url_for(app, number, root):
    with app.test_request_context("/", base_url=f"https://localhost{root}"):
        for endpoint, name in one_id_routes(app):
            assert link_to(endpoint, **{name: number}) == url_for(endpoint, **{name: number})
        # An id as a query value, and links that are not one id, take url_for's own way.
        assert link_to("diary.timeline", before=number) == url_for("diary.timeline",
                                                                     before=number)
        assert link_to("care.dashboard", flag="rising") == url_for("care.dashboard",
                                                                   flag="rising")
        assert link_to("diary.home") == url_for("diary.home")


@given(values=st.dictionaries(
    st.sampled_from(["flag", "patient", "before", "since", "next"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 2**64), st.text(max_size=12)),
    max_size=4),
    root=st.sampled_from(["", "/ww"]))
def test_links_with_values_match_url_for(app, values, root):
    with app.test_request_context("/", base_url=f"https://localhost{root}"):
        for endpoint in ("care.dashboard", "care.poll", "diary.timeline"):
            # Twice: the second answer may come from what the first kept.
            assert link_to(endpoint, **values) == url_for(endpoint, **values)
            assert link_to(endpoint, **values) == url_for(endpoint, **values)


def test_kept_links_tell_equal_values_of_other_types_apart(app):
    with app.test_request_context("/"):
        made = [link_to("care.dashboard", flag=value, patient="")
                for value in (1, True, "1", 1, True)]
    assert made == ["/care?flag=1&patient=", "/care?flag=True&patient=",
                    "/care?flag=1&patient=", "/care?flag=1&patient=",
                    "/care?flag=True&patient="]
