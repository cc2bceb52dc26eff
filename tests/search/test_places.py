"""The place index: autocomplete and resolution of what travelers type (pure)."""

import pytest

from app.search.places import FLIGHT_KINDS, STAY_KINDS, index, normalize


def labels(text, kinds=FLIGHT_KINDS):
    return [p.label for p in index().suggest(text, kinds)]


def test_new_y_offers_the_metro_then_its_airports():
    found = labels("new y")
    assert found[0] == "New York (all airports)"
    assert {"New York (JFK)", "New York (LGA)", "Newark (EWR)"} <= set(found[:4])
    metro = index().resolve("New York (all airports)")
    assert set(metro.airports) == {"JFK", "LGA", "EWR"}


@pytest.mark.parametrize("typed", ["sfo", "SFO", "san fran", "San Francisco", "  San   FRAN "])
def test_code_and_city_both_find_sfo(typed):
    assert labels(typed)[0] == "San Francisco (SFO)"
    assert index().resolve(typed).code == "SFO"


def test_accents_and_case_do_not_matter():
    assert normalize("Montréal–Trudeau") == "montreal trudeau"
    assert labels("MONTRÉAL") == labels("montreal") != []
    assert labels("zürich")[0].endswith("(ZRH)")


def test_labels_codes_and_names_resolve_back():
    idx = index()
    for text in ["Chicago (all airports)", "CHI", "chicago"]:
        assert idx.resolve(text).airports == ("ORD", "MDW")
    assert idx.resolve("Boston (BOS)").code == "BOS"
    assert idx.resolve("dfw").kind == "airport"  # an airport code wins over the metro code
    assert idx.resolve("NYC").kind == "metro"


def test_unknown_and_ambiguous_places_say_what_to_do():
    with pytest.raises(ValueError, match="don't know a place called “Xyzzyville”"):
        index().resolve("Xyzzyville")
    with pytest.raises(ValueError, match="Enter a city"):
        index().resolve("   ")


def test_hotels_and_cars_search_cities_first():
    assert labels("new york", STAY_KINDS)[0] == "New York City, NY"
    assert index().resolve("portland", STAY_KINDS).label == "Portland, OR"
    assert index().resolve("Portland, ME", STAY_KINDS).state == "ME"
    assert index().resolve("SFO", STAY_KINDS).kind == "airport"
    assert index().resolve("NYC", STAY_KINDS).label == "New York City, NY"


def test_suggestions_are_bounded_and_short_input_is_fine():
    for text in ["a", "s", "new", "san", "los angeles", "intl", "!!", ""]:
        assert len(labels(text)) <= 8
