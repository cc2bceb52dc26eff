"""Pages in a real browser: they load their scripts and show what a person needs."""

import pytest

pytestmark = pytest.mark.e2e


def test_home_page_in_the_browser(page, tmp_path):
    page.goto("/")
    assert page.title().startswith("Search flights, hotels and cars")
    assert page.locator("h1").inner_text() == "Search hundreds of travel sites at once."
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert page.locator(".tile").count() == 3
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert page.console_errors == []


def test_navigation_collapses_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Sign in").is_visible()


def test_missing_page_in_the_browser(page):
    response = page.goto("/nowhere")
    assert response.status == 404
    assert "We couldn't find that page" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Back to the home page").click()
    page.wait_for_url("**/")
    # Chromium reports the 404 of the page itself; nothing else may fail.
    others = [e for e in page.console_errors if "status of 404" not in e]
    assert others == []
