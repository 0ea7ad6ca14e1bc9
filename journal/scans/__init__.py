"""Scans: my scan, its stages, calendar files and questions for the appointment."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("scans", __name__)
