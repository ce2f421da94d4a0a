"""Shared test factories of the register domain (pytest plugin)."""
