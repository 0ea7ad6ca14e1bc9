"""Accounts: sign-up, sign-in, sessions, second factor, recovery, consent, data rights and staff."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("accounts", __name__)
