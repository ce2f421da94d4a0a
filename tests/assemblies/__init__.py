from typing import Any


def beat(response: Any) -> dict[str, Any]:
    """A heartbeat's answer without the live state it carries (views_live._beat_answer)."""
    return {key: response.json[key] for key in ("channel", "beat_seconds")}
