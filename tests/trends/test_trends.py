"""Request tests: the trends page, its chart and insights, and the "this helped" mark."""

import re
from datetime import timedelta

import pytest

from journal.platform.clock import uk_today, utc_iso, utc_now
from journal.trends.chart import long_date
from journal.trends.queries import chart_for_patient
from tests.trend_data import add_days, add_entry, add_scan, uk_noon

HX = {"HX-Request": "true"}


def svg_of(html):
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "page has no chart"
    return match.group(0)


def test_anonymous_people_are_sent_to_sign_in(client):
    for path in ("/trends", "/summary"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_nurses_cannot_open_a_patients_trends_page(app, client, db, nurse, auth):
    auth.sign_in(email="nurse@example.com")

    assert client.get("/trends").status_code == 403
    assert client.get("/summary").status_code == 403


def test_empty_chart_says_so_and_has_title_desc_and_table(client, signed_in):
    response = client.get("/trends")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg = svg_of(html)
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Distress, ' in svg
    assert "no check-ins in this period." in svg
    assert "<circle" not in svg and "<path" not in svg
    assert "No check-ins with a number in these days." in html
    assert "When you check in with a number, your days will show here." in html
    assert 'style="' not in html
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("key", "days"), [("14", 14), ("30", 30), ("90", 90)])
def test_each_range_draws_one_dot_per_day_with_a_check_in(client, db, patient, signed_in, key,
                                                          days):
    add_days(db, patient.id, 100)

    html = client.get(f"/trends?range={key}").get_data(as_text=True)

    svg = svg_of(html)
    assert svg.count("<circle") == days
    assert html.count('<th scope="row">') == days
    assert f'id="range-{key}"' in html
    current = re.search(r'<a id="range-(\w+)"[^>]*aria-current="true"', html)
    assert current and current.group(1) == key


def test_gaps_break_the_line_and_a_single_day_is_a_dot(client, db, patient, signed_in):
    # Days 0-2 checked in, 3-6 missing, day 7 alone, 8-10 missing.
    for day in (0, 1, 2, 7):
        add_entry(db, patient.id, uk_noon(day), distress=4)

    svg = svg_of(client.get("/trends?range=14").get_data(as_text=True))

    assert svg.count("<circle") == 4
    assert svg.count('<path class="chart-line"') == 1


def test_a_single_check_in_is_drawn_as_a_dot_without_a_line(client, db, patient, signed_in):
    add_entry(db, patient.id, uk_noon(3), distress=6)

    svg = svg_of(client.get("/trends?range=14").get_data(as_text=True))

    assert svg.count("<circle") == 1
    assert "<path" not in svg
    assert "1 day with a check-in" in svg


def test_deleted_entries_leave_the_chart_and_the_counts(client, db, patient, signed_in):
    kept = add_entry(db, patient.id, uk_noon(1), distress=3, feelings=["calm"])
    gone = add_entry(db, patient.id, uk_noon(2), distress=9, feelings=["scared"])
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?", [utc_iso(utc_now()), gone])
    db.conn.commit()

    html = client.get("/trends?range=14").get_data(as_text=True)

    assert svg_of(html).count("<circle") == 1
    assert "calm (once)" in html and "scared" not in html
    assert kept


def test_the_scan_range_needs_a_scan_date(client, db, patient, signed_in):
    html = client.get("/trends?range=scan").get_data(as_text=True)

    assert 'id="range-scan"' not in html
    assert re.search(r'id="range-30"[^>]*aria-current="true"', html)
    assert "Once you save your scan date" in html


def test_the_scan_range_runs_from_a_week_before_the_scan_with_markers(client, db, patient,
                                                                      signed_in):
    add_days(db, patient.id, 40)
    add_scan(db, patient.id, days_ago=10)

    html = client.get("/trends?range=scan").get_data(as_text=True)

    svg = svg_of(html)
    # A week before the scan to today: 18 days, all with check-ins.
    assert svg.count("<circle") == 18
    assert 'class="chart-marker scan"' in svg
    assert 'class="chart-marker results"' not in svg
    assert "Dashed lines mark your scan and results days." in html
    assert "Before and after your results" not in html


def test_htmx_range_change_answers_a_fragment_that_announces_itself(client, db, patient,
                                                                     signed_in):
    add_days(db, patient.id, 20)

    response = client.get("/trends?range=14", headers=HX)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="trend"')
    assert '<p class="saved visually-hidden" role="status">Showing 14 days.</p>' in html
    assert svg_of(html).count("<circle") == 14


def test_week_comparison_counts_this_week_and_last(client, db, patient, signed_in):
    for day in range(7):
        add_entry(db, patient.id, uk_noon(day), distress=4)
    for day in range(7, 14):
        add_entry(db, patient.id, uk_noon(day), distress=6)
    # Two weeks ago is in neither week.
    add_entry(db, patient.id, uk_noon(14), distress=10)

    html = client.get("/trends").get_data(as_text=True)

    assert "Your average this week is 4.0, a little lower than last week&#39;s 6.0." in html


def test_top_feelings_and_topics_are_counted_over_the_range(client, db, patient, signed_in):
    for day, feelings, topics in [
        (1, ["anxious", "tired"], ["results"]),
        (2, ["anxious"], ["results", "sleep"]),
        (3, ["anxious", "calm"], ["sleep"]),
        (4, ["tired"], ["results"]),
        (5, ["low"], []),
        # Outside the 14 days: not counted.
        (20, ["scared", "scared"], ["money"]),
    ]:
        add_entry(db, patient.id, uk_noon(day), distress=5, feelings=feelings, topics=topics)

    html = client.get("/trends?range=14").get_data(as_text=True)

    assert (
        "The feelings you noted most often: anxious (3 times), tired (twice) and calm (once)."
        in html
    )
    assert (
        "What was on your mind most often: waiting for results (3 times) and sleep (twice)."
        in html
    )
    assert "scared" not in html and "money" not in html


def test_before_and_after_once_results_have_come(client, db, patient, signed_in):
    add_scan(db, patient.id, days_ago=20, results_days_ago=8)
    # The week before the scan: 2 and 4; while waiting: 7 and 8; since results: 5.
    for day, distress in [(25, 2), (22, 4), (18, 7), (10, 8), (3, 5), (40, 10)]:
        add_entry(db, patient.id, uk_noon(day), distress=distress)

    html = client.get("/trends?range=scan").get_data(as_text=True)

    assert "Before and after your results" in html
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', html)
    assert ("The week before your scan", "3.0 out of 10") in rows
    assert ("While you waited", "7.5 out of 10") in rows
    assert ("Since your results", "5.0 out of 10") in rows
    assert "They say nothing about your results." in html
    assert 'class="chart-marker results"' in svg_of(html)


def test_another_patients_data_never_shows(client, db, patient, other_patient, signed_in):
    add_entry(db, patient.id, uk_noon(1), distress=2, feelings=["calm"], topics=["family"],
              note="Mine.", helped=True)
    for day in range(10):
        add_entry(db, other_patient.id, uk_noon(day), distress=9, feelings=["scared"],
                  topics=["money"], note="Olu private words", helped=True)
    add_scan(db, other_patient.id, days_ago=5, results_days_ago=1)

    html = client.get("/trends?range=90").get_data(as_text=True)

    assert svg_of(html).count("<circle") == 1
    assert "Olu private words" not in html
    assert "scared" not in html and "money" not in html
    assert "You have marked 1 entry as helping." in html
    assert 'id="range-scan"' not in html
    assert "Before and after" not in html


def test_the_care_team_seam_can_limit_the_chart_to_some_entries(db, patient):
    add_entry(db, patient.id, uk_noon(1), distress=2, helped=True)
    add_entry(db, patient.id, uk_noon(2), distress=8)

    _, everything = chart_for_patient(db, patient.id, "14", utc_now())
    _, some = chart_for_patient(db, patient.id, "14", utc_now(), only="entries.helped = 1")

    assert [p.value for p in everything.points] == [8, 2]
    assert [p.value for p in some.points] == [2]


def test_90_day_chart_stays_small(client, db, patient, signed_in):
    add_days(db, patient.id, 90)
    add_scan(db, patient.id, days_ago=20, results_days_ago=8)

    svg = svg_of(client.get("/trends?range=90").get_data(as_text=True))

    assert svg.count("<circle") == 90
    assert len(svg.encode()) < 12_000


# "This helped"


def helped_of(db, entry_id):
    return db.execute("SELECT helped FROM entries WHERE id = ?", [entry_id]).fetchone()[0]


def test_entry_cards_carry_the_this_helped_form(client, db, patient, signed_in):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4, note="Walked to the shop.")

    html = client.get("/timeline").get_data(as_text=True)

    form = re.search(rf'<form class="helped" id="helped-{entry_id}".*?</form>', html, re.S)
    assert form, "the entry card has no this-helped form"
    assert f'action="/entries/{entry_id}/helped" method="post"' in form.group(0)
    assert 'name="csrf_token"' in form.group(0)
    assert 'aria-pressed="false"' in form.group(0)


def test_this_helped_is_explained_in_one_line_beside_the_button(client, db, patient,
                                                                signed_in):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4, note="Walked to the shop.")

    html = client.get("/timeline").get_data(as_text=True)

    form = re.search(rf'<form class="helped" id="helped-{entry_id}".*?</form>', html, re.S)
    assert f'aria-describedby="helped-hint-{entry_id}"' in form.group(0)
    hint = re.search(rf'id="helped-hint-{entry_id}">([^<]+)<', form.group(0)).group(1)
    assert "Trends" in hint and hint.count(". ") <= 1


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        pytest.param(None, "/timeline#entry-{id}", id="default-timeline"),
        pytest.param("/home", "/home#entry-{id}", id="back-to-home"),
        pytest.param("https://example.org/", "/timeline#entry-{id}", id="never-off-site"),
    ],
)
def test_marking_an_entry_as_helping(client, db, patient, signed_in, next_url, location):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4)
    data = {"csrf_token": signed_in, "helped": "1"}
    if next_url:
        data["next"] = next_url

    response = client.post(f"/entries/{entry_id}/helped", data=data)

    assert response.status_code == 303
    assert response.headers["Location"] == location.format(id=entry_id)
    assert helped_of(db, entry_id) == 1


def test_taking_the_mark_off(client, db, patient, signed_in):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4, helped=True)

    response = client.post(
        f"/entries/{entry_id}/helped", data={"csrf_token": signed_in, "helped": "0"}
    )

    assert response.status_code == 303
    assert helped_of(db, entry_id) == 0


def test_htmx_mark_answers_the_toggle_alone(client, db, patient, signed_in):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4)

    response = client.post(
        f"/entries/{entry_id}/helped",
        data={"csrf_token": signed_in, "helped": "1", "next": "/home"},
        headers=HX,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<form class="helped" id="helped-{entry_id}"')
    assert 'aria-pressed="true"' in html
    assert 'name="helped" value="0"' in html
    assert 'name="next" value="/home"' in html
    assert 'role="status">Marked as helping.' in html
    assert helped_of(db, entry_id) == 1


def test_another_patients_entry_cannot_be_marked(client, db, other_patient, signed_in):
    theirs = add_entry(db, other_patient.id, uk_noon(0), distress=4)

    response = client.post(
        f"/entries/{theirs}/helped", data={"csrf_token": signed_in, "helped": "1"}
    )

    assert response.status_code == 404
    assert helped_of(db, theirs) == 0


def test_marking_without_the_csrf_token_is_refused(client, db, patient, signed_in):
    entry_id = add_entry(db, patient.id, uk_noon(0), distress=4)

    response = client.post(f"/entries/{entry_id}/helped", data={"helped": "1"})

    assert response.status_code == 400
    assert helped_of(db, entry_id) == 0


def test_helped_entries_are_listed_newest_first(client, db, patient, signed_in):
    add_entry(db, patient.id, uk_noon(5), distress=4, note="Older walk.", helped=True)
    add_entry(db, patient.id, uk_noon(1), distress=4, note="Newer bath.", helped=True)
    add_entry(db, patient.id, uk_noon(2), distress=4, note="Not marked.")

    html = client.get("/trends").get_data(as_text=True)

    listed = re.search(r'<ul class="helped-list">.*?</ul>', html, re.S).group(0)
    assert listed.index("Newer bath.") < listed.index("Older walk.")
    assert "Not marked." not in listed
    assert "You have marked 2 entries as helping." in html


def test_a_day_of_8_9_and_10_is_named_by_its_highest_score_and_marked(client, db, patient,
                                                                       signed_in):
    peak_day = uk_noon(2)
    for minutes, score in ((0, 8), (60, 9), (120, 10)):
        add_entry(db, patient.id, peak_day + timedelta(minutes=minutes), distress=score)
    add_entry(db, patient.id, uk_noon(1), distress=3)
    day = uk_today(peak_day)

    for path in ("/trends?range=14", "/summary"):
        html = client.get(path).get_data(as_text=True)
        # The text summary names the highest single score and its day, not the average 9.
        assert f"highest: 10 ({long_date(day)})" in html, path
        svg = svg_of(html)
        peak = re.search(rf'<g class="chart-peak" data-day="{day.isoformat()}">.*?</g>', svg)
        assert peak, path
        assert "highest 10 out of 10" in peak.group(0)
        assert svg.count('class="chart-peak"') == 1
        assert "<td>9</td><td>10</td>" in html
