"""Platform: what every wing stands on (database, configuration, clock, security, templates)."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("platform", __name__)
