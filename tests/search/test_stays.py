"""Hotel and car search on the real database: availability, party fit, totals,
filters with counts, sorts."""

from datetime import timedelta
from decimal import Decimal

from app.search import searches
from tests.search.conftest import DAY, iso, room


def hotels(**args):
    base = {"where": "San Francisco, CA", "checkin": iso(DAY), "checkout": iso(DAY, 3)}
    return searches.hotels({**base, **args})


def names(outcome):
    return [item.name for item in outcome.refined.items]


def test_only_hotels_with_a_room_type_that_fits_the_party_and_has_the_rooms(hotel):
    hotel("Small Inn", rooms=[room("Single", 1, 5, "90.00")])
    hotel("Family Place", rooms=[room("Single", 1, 5, "80.00"), room("Family", 4, 1, "200.00")])
    hotel("Big Lodge", rooms=[room("Double", 2, 3, "150.00")])
    assert sorted(names(hotels(guests="1"))) == ["Big Lodge", "Family Place", "Small Inn"]
    assert sorted(names(hotels(guests="4"))) == ["Family Place"]  # one room for four
    # Four guests in two rooms: two doubles fit; singles are too small; one family
    # room is not two rooms.
    assert names(hotels(guests="4", rooms="2")) == ["Big Lodge"]
    assert names(hotels(guests="6", rooms="4")) == []


def test_the_cheapest_fitting_room_and_the_total_for_the_stay(hotel):
    hotel("Family Place", rooms=[room("Single", 1, 5, "80.00"), room("Family", 4, 1, "200.00")])
    (one,) = hotels(guests="1").refined.items
    assert (one.room_name, one.nightly, one.total) == (
        "Single",
        Decimal("80.00"),
        Decimal("240.00"),
    )
    (family,) = hotels(guests="3").refined.items
    assert (family.room_name, family.total) == ("Family", Decimal("600.00"))
    (two,) = hotels(guests="2", rooms="2", checkout=iso(DAY, 5)).refined.items
    assert two.total == Decimal("80.00") * 2 * 5


def test_hotel_filters_counts_and_sorts(hotel):
    hotel(
        "Cheap Stay",
        stars="2",
        amenities=["wifi"],
        pets_allowed="1",
        breakfast="included",
        cancellation_policy="non_refundable",
        rooms=[room("Room", 2, 9, "99.00")],
    )
    hotel(
        "Grand Palace",
        stars="5",
        amenities=["wifi", "spa", "pool"],
        cancellation_policy="free_72h",
        rooms=[room("Suite", 2, 9, "499.00")],
    )
    hotel(
        "Middle Hotel",
        stars="3",
        amenities=["pool"],
        latitude="37.7000",
        rooms=[room("Room", 2, 9, "180.00")],
    )
    everything = hotels()
    facets = everything.refined.facets
    assert {o["value"]: o["count"] for o in facets["stars"]}["5"] == 1
    assert {o["value"]: o["count"] for o in facets["amenity"]}["wifi"] == 2
    assert facets["free_cancel"]["count"] == 2 and facets["pets"]["count"] == 1
    assert facets["price"] == {"min": Decimal("99.00"), "max": Decimal("499.00")}
    assert names(hotels(stars="5,2", sort="price")) == ["Cheap Stay", "Grand Palace"]
    assert names(hotels(amenity=["wifi", "pool"])) == ["Grand Palace"]
    assert names(hotels(free_cancel="1", pets="1")) == []
    assert hotels(free_cancel="1", pets="1").refined.relax == ["free_cancel", "pets"]
    assert names(hotels(breakfast="1")) == ["Cheap Stay"]
    assert names(hotels(price_min="100", price_max="200")) == ["Middle Hotel"]
    assert names(hotels(sort="price")) == ["Cheap Stay", "Middle Hotel", "Grand Palace"]
    assert names(hotels(sort="stars")) == ["Grand Palace", "Middle Hotel", "Cheap Stay"]
    assert names(hotels(sort="distance"))[-1] == "Middle Hotel"  # 8 km south of the centre
    assert names(hotels(where="Los Angeles, CA")) == []


def test_hotels_around_an_airport_by_distance(hotel):
    hotel("Airport Hotel", latitude="37.6300", longitude="-122.4000")  # near SFO
    hotel("Downtown Hotel")  # 37.79, -122.39: about 19 km
    hotel("Far Away", city="Sacramento", latitude="38.5816", longitude="-121.4944")
    outcome = hotels(where="San Francisco (SFO)", sort="distance")
    assert names(outcome) == ["Airport Hotel", "Downtown Hotel"]
    assert outcome.refined.items[0].distance < 3


def cars(**args):
    base = {"where": "SFO", "pickup": f"{iso(DAY)}T10:00", "dropoff": f"{iso(DAY, 3)}T09:00"}
    return searches.cars({**base, **args})


def test_only_available_cars_at_the_place_with_the_total(car):
    car(model="RAV4", daily_price="64.00")
    car(model="Corolla", car_type="compact", daily_price="41.00", available="0")
    car(
        model="Camry",
        car_type="sedan",
        daily_price="52.00",
        pickup_airport="",
        pickup_city="San Francisco",
        pickup_name="Downtown SF",
    )
    car(model="Model 3", pickup_airport="LAX", pickup_city="Los Angeles")
    car(model="Prius", pickup_airport="OAK", pickup_city="Oakland", pickup_zip="94621")
    outcome = cars()
    assert [r.title for r in outcome.refined.items] == ["2025 Toyota RAV4"]
    assert outcome.refined.items[0].total == Decimal("64.00") * 3  # 2 days 23 hours
    # A city includes the airports around it (OAK is 17 km from San Francisco).
    in_town = cars(where="San Francisco, CA")
    assert sorted(r.title for r in in_town.refined.items) == [
        "2025 Toyota Camry",
        "2025 Toyota Prius",
        "2025 Toyota RAV4",
    ]


def test_car_filters_counts_and_sorts(car):
    car(
        "Alpha Cars",
        model="Yaris",
        car_type="economy",
        seats="4",
        transmission="manual",
        daily_price="30.00",
    )
    car("Alpha Cars", model="Sienna", car_type="van", seats="8", daily_price="90.00")
    car("Beta Rent", model="RAV4", daily_price="64.00")
    outcome = cars()
    facets = outcome.refined.facets
    assert {o["value"]: o["count"] for o in facets["company"]} == {"Alpha Cars": 2, "Beta Rent": 1}
    assert {o["value"]: o["count"] for o in facets["seats"]} == {"4": 3, "5": 2, "7": 1}
    titles = lambda o: [r.title for r in o.refined.items]  # noqa: E731
    assert titles(cars(seats="5", sort="price")) == ["2025 Toyota RAV4", "2025 Toyota Sienna"]
    assert titles(cars(transmission="manual")) == ["2025 Toyota Yaris"]
    assert titles(cars(type="suv,van", company="Alpha Cars")) == ["2025 Toyota Sienna"]
    assert titles(cars(price_max="60")) == ["2025 Toyota Yaris"]


def test_past_and_long_rentals_are_refused():
    import pytest

    from app.listings.validation import Invalid

    with pytest.raises(Invalid) as caught:
        cars(dropoff=f"{iso(DAY + timedelta(days=40))}T09:00")
    assert "at most 30 days" in caught.value.errors["dropoff"]
