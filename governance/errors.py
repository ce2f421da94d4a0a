"""Domain errors raised by services and models; views turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refuses the operation; the message is user-facing (translated)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)  # the message may be a lazy (translated) string


class NotFound(DomainError):
    """The object does not exist."""


class IllegalTransition(DomainError):
    """A state machine refused a transition."""
