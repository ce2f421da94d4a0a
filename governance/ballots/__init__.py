"""ballots domain."""
