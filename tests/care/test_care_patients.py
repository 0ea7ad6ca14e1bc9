"""The team's patient list: findable by name, date of birth or hospital number, one page at
a time, and the dashboard that stays small however many patients a team has."""

import re

from care_helpers import add_entry, client_for, link_patient, make_account

from journal.care.views import ATTENTION_SHOWN, PATIENTS_PER_PAGE
from tests.care.test_care_dashboard import add_scan


def names(html):
    return re.findall(r'<a href="/care/patients/\d+">([^<]+)</a>', html)


def connect_many(app, db, team, count, prefix="Patient"):
    people = []
    for n in range(count):
        person = make_account(app, db, f"p{prefix}{n}@example.com")
        link_patient(db, person, team, name=f"{prefix} {n:03d}", dob="1960-01-01",
                     hospital_number=f"H{n:05d}")
        people.append(person)
    return people


def test_patients_are_found_by_name_date_of_birth_or_hospital_number(app, db, patient,
                                                                      other_patient, team,
                                                                      team_nurse):
    link_patient(db, patient, team, name="Pat Jones", dob="1971-04-12", hospital_number="RX4471")
    link_patient(db, other_patient, team, name="Olu Ade", dob="1980-02-03", hospital_number="Q1")
    client, csrf = client_for(app, "priya@example.com")

    def find(words):
        return client.post("/care/patients", data={"q": words, "csrf_token": csrf}).get_data(
            as_text=True)

    assert names(find("jones")) == ["Pat Jones"]
    assert names(find("12/04/1971")) == ["Pat Jones"]
    assert names(find("rx4471")) == ["Pat Jones"]
    assert names(client.get("/care/patients").get_data(as_text=True)) == ["Olu Ade", "Pat Jones"]
    empty = find("nobody")
    assert names(empty) == [] and "No connected patient matches" in empty


def test_what_a_nurse_types_to_find_someone_never_counts_from_the_url(app, db, patient, team,
                                                                      team_nurse):
    link_patient(db, patient, team, name="Pat Jones")
    link_patient(db, make_account(app, db, "x@example.com"), team, name="Xena Smith")
    client, _ = client_for(app, "priya@example.com")

    html = client.get("/care/patients?q=Pat").get_data(as_text=True)

    assert names(html) == ["Pat Jones", "Xena Smith"]


def test_the_search_answers_htmx_with_the_results_only(app, db, patient, team, team_nurse):
    link_patient(db, patient, team, name="Pat Jones")
    client, csrf = client_for(app, "priya@example.com")

    response = client.post("/care/patients", data={"q": "pat", "csrf_token": csrf},
                           headers={"HX-Request": "true"})

    html = response.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<section id="results"')
    assert names(html) == ["Pat Jones"]


def test_another_teams_patients_are_never_listed(app, db, patient, other_team, team,
                                                 team_nurse):
    link_patient(db, patient, other_team, name="Pat Jones")
    client, csrf = client_for(app, "priya@example.com")

    html = client.post("/care/patients", data={"q": "Pat", "csrf_token": csrf}).get_data(
        as_text=True)

    assert "Pat Jones" not in html


def test_the_list_pages_through_a_big_team(app, db, team, team_nurse):
    connect_many(app, db, team, PATIENTS_PER_PAGE + 3)
    client, csrf = client_for(app, "priya@example.com")

    first = client.get("/care/patients").get_data(as_text=True)
    second = client.post("/care/patients", data={"start": PATIENTS_PER_PAGE,
                                                 "csrf_token": csrf}).get_data(as_text=True)

    assert len(names(first)) == PATIENTS_PER_PAGE and "Next" in first
    assert names(second) == [f"Patient {n:03d}" for n in range(PATIENTS_PER_PAGE,
                                                               PATIENTS_PER_PAGE + 3)]
    assert "Previous" in second and "Next" not in second


def test_the_dashboard_names_only_the_first_patients_who_need_a_look(app, db, team,
                                                                     team_nurse):
    people = connect_many(app, db, team, ATTENTION_SHOWN + 4)
    for person in people:
        add_scan(db, person, days_ago=30)  # results overdue for everyone
    client, _ = client_for(app, "priya@example.com")

    html = client.get("/care").get_data(as_text=True)

    aside = html[html.index('id="patients-title"'):]
    assert len(names(aside)) == ATTENTION_SHOWN
    assert f"{ATTENTION_SHOWN + 4} patients need a look in all" in aside
    assert "/care?flag=overdue" in aside
    assert f"results overdue ({ATTENTION_SHOWN + 4})</a>" in aside
    assert "flag=rising" not in aside
    assert f"{ATTENTION_SHOWN + 4} patients connected" in aside


def test_the_dashboard_counts_the_patients_whose_scores_rise(app, db, team, team_nurse):
    people = connect_many(app, db, team, ATTENTION_SHOWN + 2)
    for person in people:
        for score in (1, 1, 1, 8, 8, 8):
            add_entry(db, person, distress=score, shared=True)
    client, _ = client_for(app, "priya@example.com")

    aside = client.get("/care").get_data(as_text=True)
    aside = aside[aside.index('id="patients-title"'):]
    assert f"distress rising ({ATTENTION_SHOWN + 2})</a>" in aside
    assert "flag=overdue" not in aside


def test_a_patient_filter_says_whose_check_ins_are_shown(app, db, patient, other_patient,
                                                        team, team_nurse):
    pat = link_patient(db, patient, team, name="Pat Jones")
    link_patient(db, other_patient, team, name="Olu Ade")
    add_entry(db, patient, distress=3, shared=True)
    client, _ = client_for(app, "priya@example.com")

    html = client.get(f"/care?patient={pat}").get_data(as_text=True)

    assert "Only Pat Jones, born 12 April 1971" in html
    assert f'name="patient" value="{pat}"' in html
