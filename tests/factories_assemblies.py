"""Shared test factories of the assemblies domain (pytest plugin)."""
