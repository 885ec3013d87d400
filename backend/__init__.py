"""Xunjian (巡检): inspection, rectification and scoring of residential compounds."""

__version__ = "0.1.0"
