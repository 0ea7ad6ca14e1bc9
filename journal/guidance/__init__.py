"""Guidance: the content packs and the safety rule, read once at start."""
