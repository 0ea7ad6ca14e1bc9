"""People: someone the patient chooses sees a read-only page of what she picked for them."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("people", __name__)
