"""Every page, for every kind of visitor who can see it, on a phone and a desktop.

axe-core (pinned in tests/e2e/axe/package-lock.json) runs its WCAG 2.0 and 2.1
A and AA rules on each page at 360 px and at 1280 px, and no page may be wider
than a 360 px screen. The pages are not listed here: they come from the app's
URL map, with the sample URL and the allowed roles of the authorisation matrix
(tests/test_access_matrix.py MATRIX), so a page is checked from the day its
route lands. Whatever answers a GET with a whole HTML document is a page;
JSON, files and htmx fragments are not (a fragment is checked inside the page
that shows it). A route missing from MATRIX fails here too.

axe is added to every document of the browser context with an init script,
which the DevTools protocol runs outside the page's Content-Security-Policy:
the app's CSP stays as strict as it is. See docs/accessibility.md.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PASSWORD
from tests.test_access_matrix import MATRIX, allowed_roles, build_world

pytestmark = pytest.mark.e2e

ROLES = ("anonymous", "traveler", "super_admin", "partner")
PHONE, DESKTOP = 360, 1280
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# More states of a page than its MATRIX URL shows (another tab, a search with
# results, an empty form sent back with its errors is in the tests below).
# Used only while the endpoint exists; "{...}" is filled from the world.
MORE_URLS: dict[str, list[str]] = {
    "main.index": ["/?tab=hotels", "/?tab=cars"],
    "listings.admin_list": ["/admin/listings?kind=hotel", "/admin/listings?kind=car"],
    "listings.detail": ["/hotels/{hotel}?sort=helpful&page=2"],
    "search.flights": ["/search/flights?from=SFO&to=JFK&depart={depart}&travelers=1"],
    "search.hotels": [
        "/search/hotels?where=San+Francisco&checkin={checkin}&checkout={checkout}&guests=2&rooms=1"
    ],
    "search.cars": ["/search/cars?where=SFO&pickup={checkin}&dropoff={checkout}"],
}
# Error pages, which no route of the map serves on purpose.
ERROR_PAGES = {"anonymous": ["/no-such-page"], "traveler": ["/admin/users"]}

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => ({
      target: n.target.join(" "), html: n.html.slice(0, 160),
      summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" "),
    })),
    more: Math.max(0, v.nodes.length - 4),
  }));
}"""

# What sticks out of a 360 px page: the outermost elements past the right edge
# that are not inside a scroll container of their own.
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !scrolls(el) &&
        !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5)) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        classes.filter(Boolean).map((c) => "." + c).join("");
      out.push(`${name} (right edge ${Math.round(box.right)} px)`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, culprits: out.slice(0, 6)};
}"""


def shots_folder() -> Path | None:
    folder = os.environ.get("KAYAK_SCREENSHOTS")
    return Path(folder) if folder else None


# -- the world: the matrix's accounts and objects, plus demo-sized listings ----
def demo_world(app, make_user, make_provider) -> dict:
    """build_world() of the matrix, plus a flight and a car with photos, a
    hotel with a page and a half of reviews, and audit entries."""
    from app.extensions import db, mongo
    from app.listings import reviews
    from app.listings import services as listings
    from app.listings.media import add_photo
    from app.listings.queries import get_listing
    from tests.listings.factories import car_input, flight_input
    from tests.test_access_matrix import _jpeg

    world = build_world(app, make_user, make_provider)
    users, fill = world["users"], world["fill"]
    admin = users["super_admin"]
    day = (datetime.now(UTC) + timedelta(days=30)).date()
    flight = listings.create_listing(
        "flight",
        flight_input(
            provider_id=users["partner"].provider_id,
            departs_local=f"{day}T08:30",
            arrives_local=f"{day}T17:05",
        ),
        admin,
    )
    cars = make_provider("Bay Cars", "car_rental")
    car = listings.create_listing("car", car_input(provider_id=cars.id), admin)
    db.session.commit()
    add_photo(flight, _jpeg(), "cabin.jpg", "The cabin", None)
    hotel = get_listing("hotel", fill["hotel"])
    people = [f"Traveler {chr(65 + n)}." for n in range(12)]
    mongo.db.reviews.insert_many(
        [
            {
                "_id": f"demo-review-{n}",
                "author_id": 100_000 + n,
                "author_name": people[n],
                "title": ["Great stay", "Fine", "Noisy street", "Lovely staff"][n % 4],
                "rating": 2 + n % 4,
                "text": "Clean rooms, friendly staff, a short walk to the ferry building.",
                "created_at": datetime(2026, 1, 1) + timedelta(days=n),
                "trip_date": datetime(2025, 11, 1),
                "helpful": n % 3,
                "listing_kind": "hotel",
                "listing_id": hotel.id,
                "listing_title": hotel.title,
            }
            for n in range(12)
        ]
    )
    reviews.refresh_rating(hotel)
    db.session.commit()
    fill.update(
        flight=flight.id,
        car=car.id,
        depart=day.isoformat(),
        checkin=day.isoformat(),
        checkout=(day + timedelta(days=3)).isoformat(),
    )
    return world


# -- the pages ------------------------------------------------------------------
def get_endpoints(app) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods})


def kind_variants(app, endpoint: str, url: str) -> list[str]:
    """The MATRIX URL of a flight/hotel/car route, for each kind it serves."""
    from werkzeug.routing import AnyConverter

    for rule in app.url_map.iter_rules(endpoint):
        for converter in rule._converters.values():
            if isinstance(converter, AnyConverter) and converter.items & {"hotel", "hotels"}:
                return [url.replace("hotel", kind) for kind in ("flight", "hotel", "car")]
    return [url]


def pages_for(app, role: str, fill: dict) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET route `role` may use, every state we know."""
    pages = []
    for endpoint in get_endpoints(app):
        rule = MATRIX.get(endpoint)
        # API routes too: a JSON answer is skipped below, an HTML page (the API docs) is not.
        if rule is None or role not in allowed_roles(rule, "GET"):
            continue
        urls = kind_variants(app, endpoint, rule.url) + MORE_URLS.get(endpoint, [])
        pages += [(endpoint, url.format(**fill)) for url in urls]
    pages += [("error page", url) for url in ERROR_PAGES.get(role, [])]
    return pages


def sign_in(page, email: str) -> None:
    page.goto("/auth/signin")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/auth/signin" not in page.url, f"{email} could not sign in"


def settle(page) -> None:
    """Wait for htmx requests started by the page (hx-trigger=load) to land."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=5000)


def axe(page) -> list[dict]:
    return page.evaluate(AXE_RUN, AXE_TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"    {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"      - {node['target']}: {node['summary']}")
        if v["more"]:
            lines.append(f"      - and {v['more']} more")
    return "\n".join(lines)


@pytest.fixture()
def a11y_context(browser, live_server, axe_source):
    """A context whose every document gets axe before its own scripts run."""
    context = browser.new_context(base_url=live_server, viewport={"width": PHONE, "height": 800})
    context.add_init_script(axe_source)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def test_every_get_route_is_in_the_matrix(app):
    """The page list is MATRIX's: a route without an entry would go unchecked."""
    missing = [e for e in get_endpoints(app) if e not in MATRIX]
    assert not missing, (
        f"GET routes with no entry in tests/test_access_matrix.py MATRIX: {missing}; "
        "add them there (sample URL and roles) and this test checks them"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_at_phone_and_desktop_widths(
    role, app, make_user, make_provider, a11y_context
):
    page = a11y_context
    world = demo_world(app, make_user, make_provider)
    if role != "anonymous":
        sign_in(page, world["users"][role].email)
    shots = shots_folder()
    problems, checked, not_pages, seen = [], [], [], set()
    for endpoint, url in pages_for(app, role, world["fill"]):
        page.set_viewport_size({"width": PHONE, "height": 800})
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" not in str(exc):
                raise
            not_pages.append(url)  # a file download (CSV, PDF): not a page
            continue
        where = f"{endpoint} {url} as {role}"
        if response is None or response.status >= 500:
            problems.append(f"{where}: HTTP {response.status if response else 'no response'}")
            continue
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html") or not page.evaluate("!!document.doctype"):
            not_pages.append(url)
            continue
        final = page.url.split("#")[0]
        if final in seen:  # a redirect to a page already checked
            continue
        seen.add(final)
        settle(page)
        checked.append(url)
        wide = page.evaluate(WIDER_THAN_SCREEN)
        if wide["scrollWidth"] > PHONE:
            problems.append(
                f"{where}: {wide['scrollWidth']} px wide on a {PHONE} px screen; "
                f"sticking out: {', '.join(wide['culprits']) or '?'}"
            )
        for width in (PHONE, DESKTOP):
            if width != PHONE:
                page.set_viewport_size({"width": width, "height": 900})
            violations = axe(page)
            if violations:
                problems.append(f"{where} at {width} px:\n{describe(violations)}")
            if shots:
                name = f"{role}-{url.strip('/').replace('/', '_').replace('?', '-')[:80] or 'home'}"
                page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    assert checked, f"no page checked for {role}"
    report = f"{len(checked)} pages checked for {role} ({len(not_pages)} URLs were not pages)"
    assert not problems, report + ":\n" + "\n".join(problems)
    assert not [e for e in page.console_errors if "status of 4" not in e], page.console_errors
    print(report, json.dumps(checked))


# -- what axe cannot see: keyboard, focus, announcements, alternatives ---------
@pytest.fixture()
def world(app, make_user, make_provider):
    return demo_world(app, make_user, make_provider)


def signed_in(page, world, role):
    if role != "anonymous":
        sign_in(page, world["users"][role].email)
    return page


def no_axe_violations(page, where):
    shots = shots_folder()
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe(page)
        assert not violations, f"{where} at {width} px:\n{describe(violations)}"
        if shots:
            name = "".join(c if c.isalnum() else "-" for c in where)[:80]
            page.screenshot(path=str(shots / f"state-{name}-{width}.png"), full_page=True)


def test_skip_link_is_the_first_stop_and_lands_on_the_content(a11y_context, world):
    page = a11y_context
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, text: document.activeElement.textContent,"
        " top: document.activeElement.getBoundingClientRect().top})"
    )
    assert focused["cls"] == "skip-link" and focused["text"] == "Skip to content"
    assert focused["top"] >= 0, "the skip link must show while it has the focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert inside, "the next Tab after the skip link goes into the content"


FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // A visually hidden control (the star rating's radios) shows its focus on its label.
  const box = el.getBoundingClientRect();
  const hidden = box.width <= 1 || getComputedStyle(el).opacity === "0";
  const target = hidden && el.labels && el.labels[0] ? el.labels[0] : el;
  const style = getComputedStyle(target);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) ||
    (style.boxShadow && style.boxShadow !== "none");
  return {ring, name: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    " " + (el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40)};
}"""


@pytest.mark.parametrize(
    "role, url",
    [
        ("anonymous", "/"),
        ("anonymous", "/auth/signup"),
        ("traveler", "/hotels/{hotel}"),
        ("traveler", "/account"),
        ("super_admin", "/admin/listings/hotel/{hotel}/edit"),
        ("partner", "/partner"),
    ],
)
def test_every_stop_of_the_tab_order_shows_a_focus_ring(a11y_context, world, role, url):
    page = signed_in(a11y_context, world, role)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(url.format(**world["fill"]))
    seen, missing = 0, []
    for _ in range(250):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_RING)
        if stop is None:  # back to the start: the whole page was visited
            break
        seen += 1
        if not stop["ring"]:
            missing.append(stop["name"])
    assert seen > 3, f"only {seen} keyboard stops on {url}"
    assert not missing, f"no visible focus on {url} for: {missing}"


def test_sign_up_errors_are_announced_and_tied_to_their_fields(a11y_context, world):
    page = a11y_context
    page.goto("/auth/signup")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary-box")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.classList.contains('error-summary-box')"), (
        "the error summary takes the focus, so a screen reader reads it first"
    )
    links = summary.get_by_role("link")
    assert links.count() >= 3
    assert_errors_tied(page)
    # A summary link leads to its field.
    links.first.click()
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    no_axe_violations(page, "/auth/signup with errors")


def assert_errors_tied(page):
    """Every invalid field names its error message in aria-describedby."""
    fields = page.evaluate(
        """() => [...document.querySelectorAll('[aria-invalid="true"]')].map((el) => {
          const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
          const texts = ids.map((id) => (document.getElementById(id) || {}).textContent || '');
          return {name: el.name, ids, texts};
        })"""
    )
    assert fields, "no field is marked aria-invalid"
    for f in fields:
        assert any("Error:" in text for text in f["texts"]), f"{f['name']}: no error in {f['ids']}"


def test_catalogue_form_errors_are_announced_and_tied(a11y_context, world):
    page = signed_in(a11y_context, world, "super_admin")
    page.goto("/admin/listings/hotel/new")
    page.get_by_role("button", name="Add hotel").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    assert_errors_tied(page)
    no_axe_violations(page, "/admin/listings/hotel/new with errors")


def test_review_form_errors_are_tied_to_their_fields(a11y_context, world):
    page = signed_in(a11y_context, world, "other_traveler")
    page.goto(f"/hotels/{world['fill']['hotel']}")
    page.get_by_text("Write a review").click()
    page.get_by_role("button", name="Publish review").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.classList.contains('error-summary-box')")
    assert_errors_tied(page)
    no_axe_violations(page, "a review sent back with errors")


def test_sorting_reviews_announces_the_new_list(a11y_context, world):
    page = a11y_context
    page.goto(f"/hotels/{world['fill']['hotel']}")
    status = page.locator("#review-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == ""
    page.get_by_role("group", name="Sort reviews").get_by_role("link", name="Most helpful").click()
    page.wait_for_function(
        "() => document.getElementById('review-status').textContent.includes('most helpful first')"
    )
    assert "13 reviews" in status.inner_text()  # the matrix's review and a dozen more
    page.get_by_role("link", name="Next →").click()
    page.wait_for_function(
        "() => document.getElementById('review-status').textContent.includes('page 2 of 2')"
    )
    assert page.locator("#review-status").count() == 1
    no_axe_violations(page, "the hotel page after an htmx swap")


def test_price_chart_has_a_table_with_the_same_numbers(a11y_context, world):
    page = a11y_context
    page.goto(f"/hotels/{world['fill']['hotel']}")
    canvas = page.locator("canvas.price-chart")
    assert canvas.get_attribute("role") == "img"
    assert "Standard King $219.00" in canvas.get_attribute("aria-label")
    page.get_by_text("Price history as a table").click()
    table = page.get_by_role("region", name="Price history table").get_by_role("table")
    assert table.is_visible()
    headers = table.get_by_role("columnheader").all_text_contents()
    assert headers == ["Date", "Standard King", "Double Queen"]
    assert "$219.00" in table.inner_text() and "$259.00" in table.inner_text()


def test_menu_opens_by_keyboard_and_touch_on_a_phone(browser, live_server, world):
    context = browser.new_context(
        base_url=live_server, viewport={"width": PHONE, "height": 800}, has_touch=True
    )
    page = context.new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator("summary.menu-button")
    assert not nav.is_visible()
    menu.tap()
    assert nav.is_visible()
    heights = [box["height"] for box in (a.bounding_box() for a in nav.get_by_role("link").all())]
    assert min(heights) >= 44, f"touch targets of the menu are {heights} px tall"
    menu.tap()
    assert not nav.is_visible()
    # Keyboard: the skip link, the logo, then the menu button.
    page.goto("/")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Enter")
    assert nav.is_visible()
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    assert not menu.is_visible() and nav.is_visible()
    context.close()
