"""``get_weather``: current weather and a 3-day forecast from Open-Meteo (no key needed)."""

from __future__ import annotations

import os

from strands import tool

from genai.net.fetch import get_json

GEOCODING_URL = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST_URL = "https://api.open-meteo.com/v1/forecast"
WMO_CODES = {
    0: "clear sky", 1: "mainly clear", 2: "partly cloudy", 3: "overcast", 45: "fog",
    48: "rime fog", 51: "light drizzle", 53: "drizzle", 55: "dense drizzle", 61: "light rain",
    63: "rain", 65: "heavy rain", 71: "light snow", 73: "snow", 75: "heavy snow",
    80: "rain showers", 81: "heavy rain showers", 82: "violent rain showers",
    95: "thunderstorm", 96: "thunderstorm with hail", 99: "severe thunderstorm with hail",
}


def _describe(code: object) -> str:
    return WMO_CODES.get(code, f"weather code {code}") if isinstance(code, int) else "unknown"


@tool
def get_weather(location: str) -> str:
    """Get the current weather and a short forecast for a city or place name.

    Args:
        location: City or place name, e.g. "Tokyo" or "Paris, France".
    """
    name = location.split(",")[0].strip()
    geo = get_json(
        os.environ.get("OPEN_METEO_GEOCODING_URL") or GEOCODING_URL,
        {"name": name, "count": 1, "language": "en", "format": "json"},
    )
    places = geo.get("results") or []
    if not places:
        return f"No place called {location!r} was found."
    place = places[0]
    data = get_json(
        os.environ.get("OPEN_METEO_FORECAST_URL") or FORECAST_URL,
        {
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "current": "temperature_2m,relative_humidity_2m,apparent_temperature,"
            "weather_code,wind_speed_10m",
            "daily": "weather_code,temperature_2m_max,temperature_2m_min,"
            "precipitation_probability_max",
            "timezone": "auto",
            "forecast_days": 3,
        },
    )
    now = data.get("current", {})
    where = ", ".join(str(p) for p in (place.get("name"), place.get("country")) if p)
    lines = [
        f"Weather in {where} at {now.get('time', 'now')} (local time):",
        f"{_describe(now.get('weather_code'))}, {now.get('temperature_2m')} °C "
        f"(feels like {now.get('apparent_temperature')} °C), humidity "
        f"{now.get('relative_humidity_2m')} %, wind {now.get('wind_speed_10m')} km/h.",
    ]
    daily = data.get("daily", {})
    for i, day in enumerate(daily.get("time", [])):
        lines.append(
            f"{day}: {_describe(daily['weather_code'][i])}, "
            f"{daily['temperature_2m_min'][i]}–{daily['temperature_2m_max'][i]} °C, "
            f"precipitation chance {daily['precipitation_probability_max'][i]} %"
        )
    return "\n".join(lines)
