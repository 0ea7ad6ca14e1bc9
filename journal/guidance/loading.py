"""Content packs and the safety rule, loaded once at start; the help panel for each page."""

import sqlite3
from dataclasses import dataclass

from flask import current_app, g

from ..help.nurse_line import HELP_LINES, HelpLine, LineStatus, help_line, line_status
from ..platform.clock import uk_today, utc_now
from ..platform.db import get_db
from ..scans import records
from . import concern
from . import packs as content

DEFAULT_KIND = "liver-ultrasound"


def init_app(app):
    """Read and check every content pack now, so a malformed one stops the start."""
    folder = app.config.get("CONTENT_DIR")
    app.extensions["packs"] = content.load_packs(folder)
    app.extensions["safety"] = content.load_safety(folder)
    app.jinja_env.globals.update(help_panel=help_panel, packs_past_review=packs_past_review,
                                 distress_band=distress_band)


def now():
    """The current time, in one place so tests can move it."""
    return utc_now()


def packs():
    """Every content pack, keyed by kind."""
    return current_app.extensions["packs"]


def safety():
    """The rule for when a check-in brings the help panel forward."""
    return current_app.extensions["safety"]


def distress_band(distress):
    """The colour band of a score ("high", "mid", "low"), from safety.toml's levels."""
    return concern.distress_band(distress, safety())


def check(distress=None, *texts):
    """The one concern check, with the rule read at start."""
    return concern.check(safety(), distress, *texts)


def reach_out(found, shared=False):
    """What the help panel needs after a save, or None when it should not come forward."""
    if not found.show_help:
        return None
    return {"gentle": not found.flag_nurses, "shared": bool(shared)}


def packs_in_order():
    """Every pack, the default one first, for forms and the About page."""
    first = default_kind()
    return sorted(packs().values(), key=lambda pack: (pack.kind != first, pack.name))


def default_kind():
    """The pack used before a patient has added a scan."""
    loaded = packs()
    return DEFAULT_KIND if DEFAULT_KIND in loaded else next(iter(loaded))


def packs_past_review():
    """Packs whose own review-by date has passed (UK today), for the admin notice."""
    today = uk_today(now())
    return [pack for pack in packs().values() if content.pack_is_past_review(pack, today)]


def is_known_prompt(text):
    """Whether the text is a prompt from one of the packs."""
    return any(text in stage.prompts for pack in packs().values()
               for stage in pack.stages.values())


def todays_prompt(journey, user):
    """One prompt for the patient today, from their current scan's stage at this moment:
    after the scan, the day's question no longer asks how they feel before it."""
    if journey is None:
        pack, stage = packs()[default_kind()], "no-date"
    else:
        pack, stage = journey.pack, journey.stage
    return content.prompt_for_day(pack, stage, uk_today(now()), salt=f"patient-{user.id}")


def current_journey(db, user):
    """The patient's current scan with its pack and stage, or None."""
    row = records.current_scan(db, user.id)
    if row is None:
        return None
    return records.journey_for(row, packs(), default_kind(), now())


def scans_to_show(db, user, current=None):
    """Every scan still waiting for results and the current one, overdue first."""
    current = current or current_journey(db, user)
    if current is None:
        return []
    moment = now()
    journeys = [current] + [records.journey_for(r, packs(), default_kind(), moment)
                            for r in records.scans_for(db, user.id)[1:]]
    return records.waits_first(journeys, current.row["id"])


@dataclass(frozen=True)
class HelpPanel:
    """What the help panel shows on this request."""

    status: LineStatus
    nurse_line: HelpLine
    urgent: tuple[HelpLine, ...]
    contacts: list


def help_panel():
    """The nurse line's status now, the urgent lines and the patient's own contacts."""
    if "help_panel" not in g:
        g.help_panel = HelpPanel(
            status=line_status(now()),
            nurse_line=help_line("nurse-line"),
            urgent=tuple(line for line in HELP_LINES if line.key != "nurse-line"),
            contacts=_own_contacts(),
        )
    return g.help_panel


def _own_contacts():
    user = getattr(g, "user", None)
    if user is None or user.role != "patient":
        return []
    try:
        return records.own_contacts(get_db(), user.id)
    except sqlite3.Error:
        # The panel must still show the public numbers when the database is in trouble.
        current_app.logger.exception("Could not read the patient's own contacts")
        return []
