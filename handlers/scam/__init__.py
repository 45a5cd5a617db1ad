"""Detectors the guard runs on every message: each is a pure function of the text."""
