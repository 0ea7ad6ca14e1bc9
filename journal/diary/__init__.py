"""Diary: check-ins, the timeline, search, editing and deleting entries."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("diary", __name__)
