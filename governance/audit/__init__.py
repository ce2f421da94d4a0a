"""Append-only, hash-chained audit log; verification of ballots and exports."""
