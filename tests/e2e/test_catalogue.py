"""An admin adds a flight, a hotel and a car in the browser, with a photo each,
and sees them on the travelers' pages."""

import io

import pytest
from PIL import Image, ImageDraw

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def photo_file(tmp_path, name, color) -> str:
    image = Image.new("RGB", (1800, 1200), color)
    draw = ImageDraw.Draw(image)
    for x in range(0, 1800, 90):
        draw.line([(x, 0), (x + 500, 1200)], fill=(255, 255, 255), width=12)
    path = tmp_path / name
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def sign_in(page, email):
    page.goto("/auth/signin")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def upload_and_open(page, tmp_path, name, color, caption):
    page.locator("#photo").set_input_files(photo_file(tmp_path, name, color))
    page.locator("#caption").fill(caption)
    page.get_by_role("button", name="Upload photo").click()
    assert page.get_by_text("Photo added.").is_visible()
    page.get_by_role("link", name="View the public page").click()
    page.wait_for_load_state()
    figure = page.locator(".gallery img").first
    assert figure.get_attribute("alt") == caption
    assert page.evaluate("img => img.naturalWidth", figure.element_handle()) == 1600


def test_admin_builds_the_catalogue_in_the_browser(page, make_user, make_provider, tmp_path):
    make_user("admin", email="catalogue-admin@example.com")
    make_provider("Pacific Air", kind="airline", code="PA")
    make_provider("Harbor Group", kind="hotel")
    make_provider("Bay Cars", kind="car_rental")
    sign_in(page, "catalogue-admin@example.com")

    # A flight, first with a mistake the form explains.
    page.goto("/admin/listings/flight/new")
    page.get_by_label("Provider", exact=True).select_option(label="Pacific Air")
    page.get_by_label("Flight number", exact=True).fill("PA 88")
    page.get_by_label("From (airport code)", exact=True).fill("SFO")
    page.get_by_label("To (airport code)", exact=True).fill("HNL")
    page.get_by_label("Departure (local time at origin)", exact=True).fill("2026-12-20T09:00")
    page.get_by_label("Arrival (local time at destination)", exact=True).fill("2026-12-20T06:00")
    page.get_by_label("Economy fare", exact=True).fill("389.00")
    page.get_by_label("Economy seats total", exact=True).fill("150")
    page.get_by_label("Carry-on bags included", exact=True).fill("1")
    page.get_by_label("Checked bags included", exact=True).fill("0")
    page.get_by_label("Fee per extra checked bag (USD)", exact=True).fill("35")
    page.get_by_label("Refunds", exact=True).select_option("non_refundable")
    page.get_by_label("Change fee (USD)", exact=True).fill("0")
    page.get_by_role("button", name="Add flight").click()
    assert page.get_by_text("The arrival must be after the departure").is_visible()
    page.get_by_label("Arrival (local time at destination)", exact=True).fill("2026-12-20T11:40")
    page.get_by_role("button", name="Add flight").click()
    assert page.get_by_text("was added").is_visible()
    upload_and_open(page, tmp_path, "plane.jpg", (30, 80, 160), "Wing over the Pacific")
    assert page.locator("h1").inner_text() == "San Francisco → Honolulu"
    assert page.get_by_text("4h 40m").is_visible()

    # A hotel.
    page.goto("/admin/listings/hotel/new")
    page.get_by_label("Provider", exact=True).select_option(label="Harbor Group")
    page.get_by_label("Name", exact=True).fill("Lanai Bay Resort")
    page.get_by_label("Stars", exact=True).select_option("4")
    page.get_by_label("Street address", exact=True).fill("2259 Kalakaua Ave")
    page.get_by_label("City", exact=True).fill("Honolulu")
    page.get_by_label("State", exact=True).fill("Hawaii")
    page.get_by_label("ZIP code", exact=True).fill("96815")
    page.get_by_label("Room 1 name", exact=True).fill("Ocean View King")
    page.get_by_label("Room 1 beds", exact=True).fill("1 king bed")
    page.get_by_label("Room 1 capacity", exact=True).fill("2")
    page.get_by_label("Room 1 room count", exact=True).fill("60")
    page.get_by_label("Room 1 price per night", exact=True).fill("329.00")
    page.get_by_label("Free Wi-Fi", exact=True).check()
    page.get_by_label("Check-in from", exact=True).fill("15:00")
    page.get_by_label("Check-out until", exact=True).fill("11:00")
    page.get_by_label("Cancellation", exact=True).select_option("free_72h")
    page.get_by_label("Breakfast", exact=True).select_option("included")
    page.get_by_role("button", name="Add hotel").click()
    assert page.get_by_text("was added").is_visible()
    upload_and_open(page, tmp_path, "lobby.jpg", (200, 130, 50), "Open-air lobby")
    assert page.get_by_role("rowheader", name="Ocean View King").is_visible()

    # A car.
    page.goto("/admin/listings/car/new")
    page.get_by_label("Provider", exact=True).select_option(label="Bay Cars")
    page.get_by_label("Type", exact=True).select_option("suv")
    page.get_by_label("Brand", exact=True).fill("Jeep")
    page.get_by_label("Model", exact=True).fill("Wrangler")
    page.get_by_label("Model year", exact=True).fill("2025")
    page.get_by_label("Transmission", exact=True).select_option("automatic")
    page.get_by_label("Seats", exact=True).fill("5")
    page.get_by_label("Doors", exact=True).fill("4")
    page.get_by_label("Daily price (USD)", exact=True).fill("89.00")
    page.get_by_label("Location name", exact=True).fill("HNL Consolidated Rental Facility")
    page.get_by_label("Airport code", exact=True).fill("HNL")
    page.get_by_label("Street address", exact=True).fill("3001 Aolele St")
    page.get_by_label("City", exact=True).fill("Honolulu")
    page.get_by_label("State", exact=True).fill("HI")
    page.get_by_label("ZIP code", exact=True).fill("96819")
    page.get_by_role("button", name="Add car").click()
    assert page.get_by_text("was added").is_visible()
    upload_and_open(page, tmp_path, "jeep.jpg", (40, 120, 60), "Top down")
    assert page.locator("h1").inner_text() == "2025 Jeep Wrangler"
    page.screenshot(path=str(tmp_path / "car.png"), full_page=True)
    # The refused form answers 422 on purpose; nothing else may fail.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
