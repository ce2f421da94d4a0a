"""Views of the assemblies domain."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assemblies", __name__)
