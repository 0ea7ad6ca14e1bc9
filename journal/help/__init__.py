"""Help: the help lines, the nurse line's hours and the public pages."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("help", __name__)
