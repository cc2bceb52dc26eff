"""Flight search on the real database: nonstops, connections, round trips,
metros, local days, filters with their counts, and sorts."""

from datetime import timedelta
from decimal import Decimal

from app.search import searches
from tests.search.conftest import DAY, flight_args, iso


def options(outcome):
    """Each result as 'NUMBER+NUMBER' (legs of every slice joined by '/')."""
    return {
        "/".join("+".join(leg.number for leg in s.legs) for s in trip.slices)
        for trip in outcome.refined.items
    }


def run(**args):
    return searches.flights(flight_args(**args), strip=False)


def test_nonstops_and_connections_within_the_layover_bounds(flight):
    flight("SFO", "JFK", "08:00", "16:30", code="TA", number="100", fare="300.00")
    flight("SFO", "ORD", "06:00", "12:00", code="TB", number="200", fare="100.00")
    flight("ORD", "JFK", "12:44", "15:50", code="TB", number="201")  # 44 min: too short
    flight("ORD", "JFK", "12:45", "15:50", code="TB", number="202")  # 45 min
    flight("ORD", "JFK", "18:00", "21:10", code="TB", number="203")  # 6 h
    flight("ORD", "JFK", "18:01", "21:10", code="TB", number="204")  # 6 h 01: too long
    flight("ORD", "JFK", "10:00", "13:10", code="TB", number="205")  # leaves before arrival
    assert options(run(origin="SFO", destination="JFK")) == {
        "TA 100",
        "TB 200+TB 202",
        "TB 200+TB 203",
    }


def test_a_connection_needs_the_same_airport_and_seats_on_both_legs(flight):
    flight("SFO", "LGA", "06:00", "14:30", code="TA", number="300")
    flight("EWR", "BOS", "16:00", "17:15", code="TA", number="301")  # other airport
    flight("LGA", "BOS", "16:00", "17:15", code="TA", number="302", seats=1)
    flight("LGA", "BOS", "17:00", "18:15", code="TA", number="303", seats=2)
    assert options(run(origin="SFO", destination="BOS")) == {"TA 300+TA 302", "TA 300+TA 303"}
    assert options(run(origin="SFO", destination="BOS", travelers="2")) == {"TA 300+TA 303"}
    assert options(run(origin="SFO", destination="BOS", travelers="3")) == set()


def test_cabin_seats_and_fares(flight):
    flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00", business="1200.00")
    flight("SFO", "JFK", "09:00", "17:30", number="102", fare="250.00")
    outcome = run(origin="SFO", destination="JFK", cabin="business", travelers="2")
    assert options(outcome) == {"TA 100"}
    assert outcome.refined.items[0].price == Decimal("1200.00")


def test_a_city_searches_all_its_airports_on_its_local_day(flight):
    flight("JFK", "SFO", "09:00", "12:30", number="400")
    flight("EWR", "SFO", "10:00", "13:30", number="402")
    flight("LGA", "SFO", "23:30", "02:45", number="404", arrive_day=1)  # next day in UTC
    flight("JFK", "SFO", "00:30", "03:45", number="406", day=DAY + timedelta(days=1))
    assert options(run(origin="New York (all airports)", destination="SFO")) == {
        "TA 400",
        "TA 402",
        "TA 404",
    }
    assert options(run(origin="JFK", destination="SFO")) == {"TA 400"}


def test_round_trips_pair_both_ways_priced_as_the_sum(flight):
    flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00")
    flight("SFO", "JFK", "13:00", "21:30", number="102", fare="200.00")
    back = DAY + timedelta(days=3)
    flight("JFK", "SFO", "09:00", "12:30", number="101", day=back, fare="150.00")
    outcome = run(
        origin="SFO", destination="JFK", trip="round", **{"return": iso(back)}, sort="cheapest"
    )
    assert options(outcome) == {"TA 100/TA 101", "TA 102/TA 101"}
    cheapest = outcome.refined.items[0]
    assert cheapest.price == Decimal("350.00") and len(cheapest.slices) == 2
    assert [s.legs[0].number for s in cheapest.slices] == ["TA 102", "TA 101"]
    # Filters apply to the pair: the return's departure window.
    none = run(
        origin="SFO", destination="JFK", trip="round", **{"return": iso(back)}, rdep="evening"
    )
    assert none.refined.total == 0 and none.refined.relax == ["rdep"]


def test_a_same_day_return_leaves_after_the_outbound_lands(flight):
    flight("SFO", "JFK", "06:00", "14:30", number="100")
    flight("JFK", "SFO", "12:00", "15:30", number="101")  # before the outbound lands
    flight("JFK", "SFO", "15:15", "18:45", number="103")  # 45 min after: fine
    outcome = run(origin="SFO", destination="JFK", trip="round", **{"return": iso(DAY)})
    assert options(outcome) == {"TA 100/TA 103"}


def world(flight):
    flight("SFO", "JFK", "07:00", "15:30", code="TA", number="100", fare="400.00")  # morning
    flight("SFO", "JFK", "13:00", "21:30", code="TB", number="110", fare="350.00")  # afternoon
    flight("SFO", "ORD", "06:00", "12:00", code="TB", number="200", fare="100.00")
    flight("ORD", "JFK", "13:00", "16:10", code="TB", number="202", fare="90.00")
    flight("SFO", "DEN", "05:30", "09:00", code="TC", number="300", fare="80.00")
    flight("DEN", "JFK", "11:00", "16:30", code="TA", number="302", fare="120.00")


def test_filters_and_their_facet_counts(flight):
    world(flight)
    everything = run()
    assert everything.refined.total == 4
    facets = everything.refined.facets
    assert {o["value"]: o["count"] for o in facets["stops"]} == {"0": 2, "1": 2}
    assert {o["value"]: o["count"] for o in facets["airline"]} == {"TA": 2, "TB": 2, "TC": 1}
    assert {o["value"]: o["count"] for o in facets["via"]} == {"DEN": 1, "ORD": 1}
    assert facets["price"] == {"min": Decimal("190.00"), "max": Decimal("400.00")}

    nonstop = run(stops="0")
    assert options(nonstop) == {"TA 100", "TB 110"}
    # A group's own counts ignore its own filter, and follow the others.
    assert {o["value"]: o["count"] for o in nonstop.refined.facets["stops"]} == {"0": 2, "1": 2}
    assert {o["value"]: o["count"] for o in nonstop.refined.facets["airline"]} == {
        "TA": 1,
        "TB": 1,
        "TC": 0,
    }
    assert options(run(airline="TB")) == {"TB 110", "TB 200+TB 202"}
    assert options(run(airline=["TA", "TC"])) == {"TA 100", "TC 300+TA 302"}
    assert options(run(via="ORD", stops="1")) == {"TB 200+TB 202"}
    assert options(run(dep="morning")) == {"TA 100", "TB 200+TB 202", "TC 300+TA 302"}
    assert options(run(dep="afternoon", arr="evening")) == {"TB 110"}
    assert options(run(price_max="200")) == {"TB 200+TB 202", "TC 300+TA 302"}
    assert options(run(price_min="300", price_max="380")) == {"TB 110"}
    assert options(run(max_hours="6")) == {"TA 100", "TB 110"}  # 5 h 30 nonstops


def test_sorts(flight):
    world(flight)

    def order(sort):
        return [
            "+".join(leg.number for leg in t.slices[0].legs) for t in run(sort=sort).refined.items
        ]

    assert order("cheapest") == ["TB 200+TB 202", "TC 300+TA 302", "TB 110", "TA 100"]
    assert order("fastest")[:2] == ["TB 110", "TA 100"]  # both 5h30: the cheaper first
    assert order("earliest") == ["TC 300+TA 302", "TB 200+TB 202", "TA 100", "TB 110"]
    assert order("latest") == ["TB 110", "TA 100", "TB 200+TB 202", "TC 300+TA 302"]
    # best = price + $35 an hour + $40 a stop
    best = run(sort="best").refined.items
    scores = [t.score for t in best]
    assert scores == sorted(scores)
    nonstop = next(t for t in best if t.stops == 0 and t.price == Decimal("350.00"))
    assert nonstop.score == Decimal("350.00") + Decimal(35) * Decimal(330) / 60


def test_paging(flight):
    for n in range(20):
        flight("SFO", "JFK", f"{6 + n // 2:02d}:{30 * (n % 2):02d}", "23:50", number=str(500 + n))
    first = run(sort="earliest")
    assert first.refined.total == 20 and first.refined.pages == 2 and len(first.refined.items) == 15
    second = run(sort="earliest", page="2")
    assert len(second.refined.items) == 5
    assert not options(first) & options(second)


def test_price_strip_shows_the_cheapest_day_around(flight):
    flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00")
    flight("SFO", "JFK", "08:00", "16:30", number="102", fare="180.00", day=DAY + timedelta(days=2))
    flight("SFO", "ORD", "06:00", "12:00", number="200", fare="60.00", day=DAY - timedelta(days=1))
    flight("ORD", "JFK", "13:00", "16:10", number="202", fare="60.00", day=DAY - timedelta(days=1))
    strip = searches.flights(flight_args()).strip
    by_offset = {day["offset"]: day["price"] for day in strip}
    assert by_offset[0] == Decimal("300.00")
    assert by_offset[2] == Decimal("180.00")
    assert by_offset[-1] == Decimal("120.00")
    assert by_offset[1] is None and len(strip) == 7


def test_every_search_is_tracked_as_activity(flight, tracked):
    flight("SFO", "JFK", "08:00", "16:30")
    run(stops="0")
    ((args, kwargs),) = tracked
    assert args == ("search.performed",) and kwargs["key"] == "flight"
    assert kwargs["data"]["kind"] == "flight" and kwargs["data"]["result_count"] == 1
    assert kwargs["data"]["query"]["from"] == "San Francisco (SFO)"
    assert kwargs["data"]["filters"]["stops"] == ["0"]


def test_the_strip_agrees_with_the_search_it_summarises(flight):
    from app.search import queries
    from app.search.places import index

    world(flight)
    flight("SFO", "ORD", "07:00", "13:00", code="TB", number="210", fare="60.00", seats=1)
    flight("ORD", "JFK", "19:30", "22:40", code="TB", number="212", fare="50.00")  # 6 h 30
    origin, destination = index().resolve("SFO"), index().resolve("JFK")
    days = [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    for travelers in (1, 2):
        options = queries.search_slices(origin, destination, days, "economy", travelers)
        cheapest = queries.cheapest_by_day(origin, destination, days, "economy", travelers)
        assert cheapest == {d: min((s.price for s in options[d]), default=None) for d in days}
    assert queries.cheapest_by_day(origin, destination, [DAY], "economy", 1)[DAY] == Decimal(
        "190.00"
    )
