"""Care: care teams, what patients share with them, the nurses' inbox and triage."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("care", __name__)
