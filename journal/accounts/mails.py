"""The emails accounts send: a link to reset a password, a link that makes a new account,
and a note to the owner of an address someone tried to sign up with. None names anything
about health: an email can be read over a shoulder or on a locked screen."""

from flask import current_app, render_template, request, url_for

from ..platform import mail

RESET_SUBJECT = "Reset your Waiting Well password"
ASK_ADMIN_SUBJECT = "Resetting your Waiting Well password"
SIGN_UP_SUBJECT = "Finish making your Waiting Well account"
TRIED_SUBJECT = "Someone tried to make an account with your email"


def _base():
    return mail.link_base(current_app.config, request.host_url)


def links_on():
    """True when "Email me a link" can work here: a way to send, and a safe base for links."""
    return mail.can_send(current_app.config) and _base() is not None


def confirms_sign_up():
    """True when sign-up confirms the address first: only with a real mail server, so the
    demo and the tests without one keep the quick sign-up."""
    return bool(current_app.config.get("MAIL_SERVER")) and _base() is not None


def _link(endpoint, **values):
    return _base() + url_for(endpoint, **values)


def send_reset(to, user_id, token):
    minutes = current_app.config["RESET_LINK_MINUTES"]
    body = render_template("accounts/mail/reset.txt", minutes=minutes,
                           link=_link("accounts.reset_password", token=token),
                           ask_again=_link("accounts.email_me_a_link"))
    mail.send_soon("password_reset", to, RESET_SUBJECT, body, user_id)


def send_ask_admin(to, user_id):
    """A staff account an emailed link may not reset (see email_links.may_reset_by_email)."""
    body = render_template("accounts/mail/ask_admin.txt")
    mail.send_soon("password_reset_by_admin", to, ASK_ADMIN_SUBJECT, body, user_id)


def send_sign_up_link(to, token):
    hours = current_app.config["SIGN_UP_LINK_HOURS"]
    body = render_template("accounts/mail/sign_up.txt", hours=hours,
                           link=_link("accounts.confirm_sign_up", token=token))
    mail.send_soon("sign_up_link", to, SIGN_UP_SUBJECT, body)


def send_sign_up_tried(to, user_id):
    body = render_template("accounts/mail/sign_up_tried.txt",
                           sign_in=_link("accounts.sign_in"),
                           forgotten=_link("accounts.forgotten_password"))
    mail.send_soon("sign_up_tried", to, TRIED_SUBJECT, body, user_id)
