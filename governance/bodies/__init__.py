"""The cooperative's bodies (Organe): board, supervisory board, committees, their seats."""
