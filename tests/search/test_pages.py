"""The search pages: full page or htmx fragment of the same URL, errors beside
their fields (422), links to the listings, autocomplete, the home page box."""

from urllib.parse import urlencode

import sqlalchemy as sa

from app.extensions import db
from tests.search.conftest import DAY, flight_args, iso


def url(path, **args):
    return f"{path}?{urlencode(args, doseq=True)}"


def test_one_url_serves_the_page_or_only_the_results(client, flight):
    flight("SFO", "JFK", "08:00", "16:30", number="100")
    link = url("/search/flights", **flight_args())
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    assert "<html" in html and 'id="results"' in html and 'aria-live="polite"' in html
    assert 'value="San Francisco (SFO)"' in html  # the form shows what was understood
    fragment = client.get(link, headers={"HX-Request": "true"})
    part = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in part and "TA 100" in part and 'id="refine"' in part
    assert 'hx-push-url="true"' in part
    # Back/forward with an empty htmx cache asks for the whole page again.
    restore = client.get(link, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_results_link_to_the_listing_with_the_dates_and_party(client, flight, hotel, car):
    leg = flight("SFO", "JFK", "08:00", "16:30", number="100")
    html = client.get(url("/search/flights", **flight_args(travelers="2"))).get_data(as_text=True)
    assert f"/flights/{leg.id}?date={iso(DAY)}&amp;travelers=2&amp;cabin=economy" in html
    stay = hotel()
    html = client.get(
        url(
            "/search/hotels",
            where="San Francisco, CA",
            checkin=iso(DAY),
            checkout=iso(DAY, 2),
            guests="2",
            rooms="1",
        )
    ).get_data(as_text=True)
    assert (
        f"/hotels/{stay.id}?checkin={iso(DAY)}&amp;checkout={iso(DAY, 2)}&amp;guests=2&amp;rooms=1"
    ) in html
    assert "$438.00" in html and "total" in html  # 2 nights x $219
    rental = car()
    html = client.get(
        url("/search/cars", where="SFO", pickup=f"{iso(DAY)}T10:00", dropoff=f"{iso(DAY, 2)}T10:00")
    ).get_data(as_text=True)
    assert f"/cars/{rental.id}?pickup={iso(DAY)}T10%3A00&amp;dropoff={iso(DAY, 2)}T10%3A00" in html
    assert "$128.00" in html


def test_bad_input_is_422_with_each_message_beside_its_field(client, app_ctx):
    response = client.get(
        url(
            "/search/flights",
            trip="round",
            **{"from": "Xyzzyville"},
            to="LAX",
            depart=iso(DAY),
            travelers="10",
            **{"return": iso(DAY, -2)},
        )
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, text in [
        ("from", "don&#39;t know a place"),
        ("travelers", "Choose 1 to 9"),
        ("return", "before the departure"),
    ]:
        assert f'aria-describedby="e-{name}"' in html
        assert f'<p class="error" id="e-{name}">' in html and text in html
    response = client.get(
        url("/search/hotels", where="Chicago", checkin=iso(DAY), checkout=iso(DAY, 45))
    )
    assert response.status_code == 422 and "at most 30 nights" in response.get_data(as_text=True)
    # Even as an htmx request, the answer is the page with the form.
    response = client.get(url("/search/cars", where="LAX"), headers={"HX-Request": "true"})
    assert response.status_code == 422 and 'id="e-pickup"' in response.get_data(as_text=True)


def test_the_empty_forms_are_200_and_garbage_never_500(client, app_ctx):
    for path in ("/search/flights", "/search/hotels", "/search/cars"):
        assert client.get(path).status_code == 200
    odd = ["%00", "\u202e", "x" * 5000, "1e309", "-1", "[]", "{}", "2026-02-30"]
    for value in odd:
        for path, name in [
            ("/search/flights", "from"),
            ("/search/flights", "depart"),
            ("/search/hotels", "checkin"),
            ("/search/cars", "pickup"),
            ("/search/hotels", "guests"),
            ("/search/flights", "price_max"),
        ]:
            args = {**flight_args(), "where": "Chicago", name: value}
            assert client.get(url(path, **args)).status_code in (200, 422), (path, name, value)


def test_empty_results_say_which_filter_to_relax(client, flight):
    flight("SFO", "JFK", "08:00", "16:30", number="100")
    html = client.get(url("/search/flights", **flight_args(stops="1"))).get_data(as_text=True)
    assert "No flights match all your filters" in html and "Relax <strong>Stops</strong>" in html
    html = client.get(url("/search/flights", **flight_args(destination="BOS"))).get_data(
        as_text=True
    )
    assert "No flights for this search" in html


def test_a_search_is_a_read(client, flight, tracked):
    flight("SFO", "JFK", "08:00", "16:30", number="100")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.split(None, 1)[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url("/search/flights", **flight_args())).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements and set(statements) <= {"SELECT", "ROLLBACK"}, statements
    assert [a[0] for a, _ in tracked] == [("search.performed")]


def test_signed_in_searches_carry_the_user(login_as, make_user, flight, tracked):
    traveler = make_user("traveler")
    flight("SFO", "JFK", "08:00", "16:30", number="100")
    login_as(traveler).get(url("/search/flights", **flight_args()))
    assert tracked[-1][1]["actor"] == traveler.get_id()


def test_autocomplete_fragment(client, app_ctx):
    html = client.get("/search/places?kind=flights&field=from&from=new+y").get_data(as_text=True)
    assert html.count('role="option"') >= 4
    assert 'data-value="New York (all airports)"' in html and 'data-value="Newark (EWR)"' in html
    html = client.get("/search/places?kind=hotels&field=where&where=portl").get_data(as_text=True)
    assert 'data-value="Portland, OR"' in html
    assert client.get("/search/places?kind=boats&field=q&q=" + "z" * 500).status_code == 200


def test_the_home_page_has_the_search_box_with_tabs(client, app_ctx):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search/flights"' in html and 'name="from"' in html
    assert 'href="/?tab=hotels"' in html and 'href="/?tab=cars"' in html
    assert '<datalist id="dl-flights">' in html  # works without JavaScript
    assert 'action="/search/hotels"' in client.get("/?tab=hotels").get_data(as_text=True)
    assert 'action="/search/cars"' in client.get("/?tab=cars").get_data(as_text=True)
