"""minutes domain."""
