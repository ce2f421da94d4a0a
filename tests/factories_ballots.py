"""Shared test factories of the ballots domain (pytest plugin)."""
