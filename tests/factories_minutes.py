"""Shared test factories of the minutes domain (pytest plugin)."""
