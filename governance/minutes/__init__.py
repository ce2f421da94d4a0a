"""minutes domain."""

from governance.minutes import provides_circulars  # noqa: F401  (registers the providers)
