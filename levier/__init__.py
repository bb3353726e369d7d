"""Levier — territorial employment and business-support platform."""

__version__ = "0.1.0"
