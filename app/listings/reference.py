"""Reference data that ships in PyPI packages: airports (airportsdata)."""

from __future__ import annotations

from functools import cache


@cache
def airports() -> dict[str, dict]:
    """IATA code -> {name, city, subd, country, lat, lon, tz, ...}."""
    import airportsdata

    return airportsdata.load("IATA")


def airport_name(code: str) -> str:
    found = airports().get(code)
    return f"{found['city']} ({code})" if found else code
