"""Trends: the chart, insights and the appointment summary."""

from flask import Blueprint

# One blueprint for the wing; its route modules add to it, and the factory registers it.
bp = Blueprint("trends", __name__)
