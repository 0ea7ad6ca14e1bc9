"""Pages: a results time the patient was told replaces the usual one everywhere she looks."""

import re
from datetime import date, time

import pytest

from journal.platform.clock import uk_local_to_utc


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


APPT = uk(2026, 11, 18, 10)  # Wednesday 18 November 2026
# Told 4 weeks: results due Wednesday 16 December.
MOMENTS = {
    "afterwards": uk(2026, 11, 18, 14),
    "waiting": uk(2026, 11, 22, 12),
    "results-due": uk(2026, 12, 16, 12),
    "overdue": uk(2026, 12, 20, 12),
}
PAGES = ("/home", "/scans", "/summary")
USUAL_TIME = re.compile(r"1 to 2 weeks|results usually|usual time", re.IGNORECASE)


def pages(client):
    html = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html[path] = response.get_data(as_text=True)
    return html


@pytest.mark.parametrize("stage", list(MOMENTS))
def test_told_four_weeks_never_shows_the_usual_time(client, signed_in, patient, clock, add_scan,
                                                     stage):
    clock(MOMENTS[stage])
    add_scan(patient.id, appointment_at=APPT, results_expected_days=28)
    html = pages(client)
    assert f'class="card stage stage-{stage}"' in html["/home"]
    for path, page in html.items():
        assert not USUAL_TIME.search(page), (path, USUAL_TIME.search(page))
    for path in ("/home", "/scans"):
        assert "4 weeks" in html[path], path
    assert "About 4 weeks, as you were told." in html["/scans"]
    assert "<dd>About 4 weeks</dd>" in html["/summary"]


def test_told_and_overdue_says_she_expected_them_by_the_told_day(client, signed_in, patient,
                                                                  clock, add_scan):
    clock(MOMENTS["overdue"])
    add_scan(patient.id, appointment_at=APPT, results_expected_days=28)
    for path in ("/home", "/scans"):
        page = client.get(path).get_data(as_text=True)
        assert "You expected your results by Wednesday 16 December." in page
        assert "It has been longer than you were told." in page


def test_not_told_and_overdue_speaks_of_the_usual_time_not_an_expectation(
        client, signed_in, patient, clock, add_scan):
    clock(uk(2026, 12, 4, 12))
    add_scan(patient.id, appointment_at=APPT)
    for path in ("/home", "/scans"):
        page = client.get(path).get_data(as_text=True)
        assert 'class="card stage stage-overdue"' in page
        assert "You expected your results" not in page
        assert "They usually come within 1 to 2 weeks, and that usual time ended on" in page
        assert "It has been longer than results usually take." in page


def test_ct_scan_not_told_shows_no_usual_time_and_no_medicines_advice(client, signed_in, patient,
                                                                     clock, add_scan):
    # Fasting and waiting on one day is impossible, so check the two stages apart.
    clock(uk(2026, 11, 18, 6))
    add_scan(patient.id, kind="ct-scan", appointment_at=APPT, fasting_hours=6)
    home = client.get("/home").get_data(as_text=True)
    assert 'class="card stage stage-prepare"' in home
    assert "Keep taking your medicines" not in home
    assert "call the number on your letter" in home
    for moment in (MOMENTS["waiting"], uk(2026, 12, 4, 12)):
        clock(moment)
        for path, page in pages(client).items():
            assert not re.search(r"1 to 2 weeks|\busually (take|come)", page), path
            assert "You expected your results" not in page, path
    home = client.get("/home").get_data(as_text=True)
    assert "Nobody has told you how long your results will take. It is fine to ask." in home


def test_about_page_does_not_name_the_ultrasound_leaflet_as_the_ct_source(client):
    html = client.get("/about-information").get_data(as_text=True)
    ct = html.split('id="pack-ct-scan"')[1].split("</section>")[0]
    assert "The leaflet was last reviewed" not in ct
    assert "“Liver ultrasound for secondary breast cancer”" not in ct
    assert "This guide is not built on a leaflet about CT scans." in ct
