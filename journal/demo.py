"""Demo accounts and two weeks of believable entries, for `make run` only."""

import json
from datetime import time, timedelta

from .accounts import consent, users
from .care import teams
from .platform import audit
from .platform.clock import to_uk, uk_local_to_utc, utc_iso, utc_now
from .platform.config import DEMO_NURSE_EMAIL, DEMO_PATIENT_EMAIL

DEMO_PASSWORD = "waiting-well-demo"  # noqa: S105 - published in the README for demo mode only
PATIENT_EMAIL = DEMO_PATIENT_EMAIL
NURSE_EMAIL = DEMO_NURSE_EMAIL
DEMO_TEAM = "Breast Care Team"
# The demo patient shares her check-ins from the last week.
SHARED_DAYS = 6

# (days ago, hour UTC, distress, feelings, topics, note)
DIARY = [
    (14, 9, 3, ["okay"], ["treatment"], "Letter came for the liver scan. Two weeks away."),
    (13, 20, 4, ["worried"], ["results"], "Keep thinking about what they might find."),
    (12, 8, 3, ["tired"], ["sleep"], "Slept badly but a walk helped."),
    (11, 19, 5, ["anxious", "tired"], ["sleep", "results"], "Woke at 4am going over it all."),
    (10, 12, 4, ["okay"], ["family"], "Lunch with my sister. Told her about the scan."),
    (9, 18, 3, ["calm"], [], "Quiet day. Read in the garden."),
    (8, 21, 6, ["anxious"], ["results"], "Scan tomorrow. Letter says no food for 6 hours before."),
    (7, 14, 5, ["tired", "okay"], [], "Scan done. The gel was cold and it was over quickly."),
    (6, 10, 5, ["worried"], ["results", "work"], "Back at work. Hard to concentrate."),
    (5, 20, 7, ["scared", "anxious"], ["results", "sleep"], "Bad night. Everything feels louder."),
    (4, 9, 6, ["low"], ["money"], "Worrying about time off work if treatment changes."),
    (3, 17, 4, ["hopeful"], ["family"], "Talked it through with my partner. Felt lighter."),
    (2, 11, 5, ["anxious"], ["results"], "Still no news. Nurse said 1 to 2 weeks is normal."),
    (1, 19, 4, ["calm", "tired"], [], "Yoga class. Noticed my shoulders drop for once."),
    (0, 8, 5, ["worried", "hopeful"], ["results"], "Might ring on Monday if nothing comes."),
]


def seed(db, config):
    """Add the demo accounts and diary once; returns True if anything was added."""
    if users.user_by_email(db, PATIENT_EMAIL):
        return False
    hasher = users.Passwords(**config["ARGON2"])
    password_hash = hasher.hash(DEMO_PASSWORD)
    with db.atomic():
        patient_id = users.create_user(db, PATIENT_EMAIL, password_hash, first_name="Sam")
        consent.agree(db, patient_id)
        nurse_id = users.create_user(
            db, NURSE_EMAIL, password_hash, role="nurse", first_name="Priya"
        )
        now = utc_now()
        for days_ago, hour, distress, feelings, topics, note in DIARY:
            when = (now - timedelta(days=days_ago)).replace(hour=hour, minute=15)
            if when > now:
                when = now - timedelta(minutes=5)
            db.execute(
                "INSERT INTO entries (patient_id, created_at, distress, feelings, topics, note)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [patient_id, utc_iso(when), distress, json.dumps(feelings),
                 json.dumps(topics), note],
            )
        _seed_scan(db, patient_id, now)
        care_demo(db, patient_id, nurse_id, now)
    return True


def _seed_scan(db, patient_id, now):
    """The demo patient's liver ultrasound, a week ago, and two questions for the results."""
    scan_day = to_uk(now).date() - timedelta(days=7)
    db["scans"].insert({
        "patient_id": patient_id,
        "kind": "liver-ultrasound",
        "appointment_at": utc_iso(uk_local_to_utc(scan_day, time(10, 30))),
        "hospital": "City Hospital, imaging department",
        "fasting_hours": 6,
        # Numbers from Ofcom's range kept for drama, so nobody real is called.
        "arranged_by_name": "Dr Amara Shah",
        "arranged_by_phone": "01632 960 123",
        "nurse_name": "Priya",
        "nurse_phone": "01632 960 456",
        "created_at": utc_iso(now - timedelta(days=14)),
    })
    for text in ("How will I get my results: by letter, by phone or at an appointment?",
                 "Who should I contact if I have not heard anything by then?"):
        db["questions"].insert({"patient_id": patient_id, "text": text, "suggested": 1,
                                "created_at": utc_iso(now - timedelta(days=6))})


def care_demo(db, patient_id, nurse_id, now):
    """One team with the demo nurse, and the demo patient connected, sharing her last week."""
    team_id = teams.create_team(db, DEMO_TEAM, teams.DEFAULT_HOURS, now=now)
    teams.put_nurse_in_team(db, nurse_id, team_id, now=now)
    connected = now - timedelta(days=8)
    db.execute(
        "INSERT INTO care_links (team_id, patient_id, held_name, held_dob, held_hospital_number,"
        " connected_at) VALUES (?, ?, ?, ?, ?, ?)",
        [team_id, patient_id, "Sam Taylor", "1971-04-12", "RX4471", utc_iso(connected)],
    )
    patient = users.user_by_id(db, patient_id)
    nurse = users.user_by_id(db, nurse_id)
    audit.record(db, patient, "connect", patient_id=patient_id, team_id=team_id, now=connected)
    week = utc_iso(now - timedelta(days=SHARED_DAYS))
    db.execute("UPDATE entries SET shared = 1 WHERE patient_id = ? AND created_at >= ?",
               [patient_id, week])
    # The oldest shared ones have been read already, so both states show.
    read_at = now - timedelta(days=2)
    oldest = [r["id"] for r in db.query(
        "SELECT id FROM entries WHERE patient_id = ? AND shared = 1 ORDER BY created_at LIMIT 3",
        [patient_id])]
    audit.record(db, nurse, "view-patient", patient_id=patient_id, team_id=team_id, now=read_at)
    for entry_id in oldest:
        db.execute("UPDATE entries SET reviewed_at = ?, reviewed_team_id = ? WHERE id = ?",
                   [utc_iso(read_at), team_id, entry_id])
        db.execute(
            "INSERT INTO entry_reviews (entry_id, nurse_id, team_id, reviewed_at)"
            " VALUES (?, ?, ?, ?)",
            [entry_id, nurse_id, team_id, utc_iso(read_at)],
        )
        audit.record(db, nurse, "review", patient_id=patient_id, team_id=team_id,
                     entry_id=entry_id, now=read_at)
