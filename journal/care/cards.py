"""The inbox's entry cards, rendered once and reused while nothing on them changes: a load
after one new check-in renders one card, not thirty."""

import secrets
import threading
from collections import OrderedDict

from flask import current_app, g, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..guidance import loading

# Cards kept per app: the first pages of some sixty teams, about 5 MB (a card is 2.5 KB).
CARDS_KEPT = 2000
# Stand-ins for the two things on a card that belong to the request, not to the entry: the
# nurse's form token and the page the review form returns to. Random, so that nothing a
# patient writes can match them.
_TOKEN = f"card-token-{secrets.token_hex(16)}"
_NEXT = f"card-next-{secrets.token_hex(16)}"
_lock = threading.Lock()


def _kept():
    """The app's kept cards, forgotten when the safety rule (which colours the scores) is
    not the one they were rendered by."""
    rule = loading.safety()
    kept = current_app.extensions.get("inbox_cards")
    if kept is None or kept[0] is not rule:
        kept = current_app.extensions["inbox_cards"] = (rule, OrderedDict())
    return kept[1]


def card(item, in_patient_view=False):
    """The inbox card for an InboxItem, as care/_item.html renders it in the inbox (or on
    the patient's own page).

    Kept by the item itself: an InboxItem is frozen and holds everything the card shows
    (the entry, the link, the words found, the flags and the review), so any change to
    those makes another key."""
    kept, token, back = _request_fill()
    key = (item, in_patient_view)
    with _lock:
        html = kept.get(key)
        if html is not None:
            kept.move_to_end(key)
    if html is None:
        html = _render(item, in_patient_view)
        with _lock:
            kept[key] = html
            if len(kept) > CARDS_KEPT:
                kept.popitem(last=False)
    # The template escaped the card as it rendered it; the token is letters, digits and
    # punctuation that HTML leaves alone, and the page's address was escaped.
    return Markup(html.replace(_TOKEN, token).replace(_NEXT, back))  # noqa: S704


def _render(item, in_patient_view):
    """The card as render_template would make it, with the template's context (the app's
    context processors) worked out once per request rather than once per card."""
    if "card_context" not in g:
        context = {}
        current_app.update_template_context(context)
        g.card_context = context
    return current_app.jinja_env.get_template("care/_item.html").render(
        g.card_context, item=item, in_patient_view=in_patient_view, card_token=_TOKEN,
        card_next=_NEXT)


def _request_fill():
    """The kept cards, the nurse's form token and the escaped page to return to, once per
    request: the same for every card on the page."""
    fill = g.get("card_fill")
    if fill is None:
        back = request.full_path.rstrip("?") if request.method == "GET" else request.form.get(
            "next", "")
        fill = g.card_fill = (_kept(), generate_csrf(), str(escape(back)))
    return fill
