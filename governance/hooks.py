"""How a lower layer asks a higher one without importing it.

Two kinds, both declared by the lower layer and filled in by the higher one when it is
imported (each domain's `__init__.py` imports its `provides.py`):
- a blinker signal (`governance.hooks.signals`), when something happens and any number of
  higher domains may react or object (an assembly about to be deleted);
- a `Provider`, when the lower layer needs one answer (the open poll of an assembly for the
  live page). A provider nobody registered raises: a missing answer is a bug, never a default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from blinker import Namespace

signals = Namespace()

F = TypeVar("F", bound=Callable[..., Any])


class Provider(Generic[F]):
    """One function that a higher layer registers and a lower one calls."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._impl: F | None = None

    def register(self, impl: F) -> F:
        """Use `impl` from now on (a decorator)."""
        self._impl = impl
        return impl

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._impl is None:
            raise LookupError(f"no provider registered for {self.name!r}")
        return self._impl(*args, **kwargs)
