"""Reminders: gentle nudges the patient chooses, by email and by calendar subscription."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("reminders", __name__)
