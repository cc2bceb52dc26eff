"""A traveler books in headless Chromium: options -> review -> pay (a declined
card first) -> confirmation -> trips -> invoice; every state passes axe (WCAG
2.1 A/AA) at 360 px and 1280 px and fits a 360 px screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

import tests.e2e.test_accessibility as a11y
from tests.bookings.conftest import SOON, hotel, traveler  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


@pytest.fixture()
def tab(browser, live_server, axe_source):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 800})
    context.add_init_script(axe_source)
    page = context.new_page()
    yield page
    context.close()


def check(page, where: str) -> None:
    shots = a11y.shots_folder()
    wide = page.evaluate(a11y.WIDER_THAN_SCREEN)
    assert wide["scrollWidth"] <= 360, f"{where}: {wide}"
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        violations = a11y.axe(page)
        assert not violations, f"{where} at {width} px:\n{a11y.describe(violations)}"
        if shots:
            page.screenshot(path=str(shots / f"booking-{where}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})


def test_book_a_hotel_in_the_browser(tab, hotel, traveler):  # noqa: F811
    page = tab
    a11y.sign_in(page, traveler.email)
    page.goto(f"/book/hotel/{hotel.id}")
    check(page, "options")
    page.get_by_label("Check-in").fill(SOON.isoformat())
    page.get_by_label("Check-out").fill((SOON + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="See the price").click()
    page.wait_for_load_state()
    assert "Occupancy tax" in page.content()
    check(page, "review")
    page.get_by_label("Lead guest: last name").fill("")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_load_state()
    assert page.locator("#t0_last_name").get_attribute("aria-invalid") == "true"
    check(page, "review-errors")
    page.get_by_label("Lead guest: last name").fill("Lovelace")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/pay")
    check(page, "pay")
    page.get_by_label("Card number").fill("4000 0000 0000 0341")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_load_state()
    assert "declined" in page.content() and "Nothing was charged" in page.content()
    assert "number-error1" in page.locator("#number").get_attribute("aria-describedby")
    check(page, "pay-declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/trips/KY-*")
    assert "Confirmed." in page.content()
    check(page, "confirmation")
    page.get_by_role("link", name="Trips", exact=True).click()
    page.wait_for_load_state()
    check(page, "trips")
