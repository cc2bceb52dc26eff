"""Search in a real browser: the autocomplete listbox by keyboard, filters and
sorts that swap only the results and push the URL, back and forward, and the
same pages without JavaScript."""

import pytest

from tests.search.conftest import DAY, airline, flight, iso  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


@pytest.fixture()
def flights(flight):  # noqa: F811
    flight("SFO", "JFK", "08:00", "16:30", code="TA", number="100", fare="300.00")
    flight("SFO", "JFK", "13:00", "21:30", code="TB", number="110", fare="350.00")
    flight("SFO", "ORD", "06:00", "12:00", code="TB", number="200", fare="100.00")
    flight("ORD", "JFK", "13:00", "16:10", code="TB", number="202", fare="90.00")


def test_search_from_the_home_page_with_the_keyboard(page, flights):
    page.goto("/")
    page.locator("#f-from").press_sequentially("san fran", delay=30)
    page.wait_for_selector("#lb-from [role=option]")
    assert page.get_attribute("#f-from", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#f-from", "aria-activedescendant") == "opt-from-1"
    page.keyboard.press("Enter")
    assert page.input_value("#f-from") == "San Francisco (SFO)"
    page.locator("#f-to").press_sequentially("new y", delay=30)
    page.wait_for_selector("#lb-to [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#f-to") == "New York (all airports)"
    page.check("input[name=trip][value=oneway]")
    assert not page.is_visible("#f-return")
    page.fill("#f-depart", iso(DAY))
    page.click("button.btn-search")
    page.wait_for_selector(".result-card")
    assert page.locator(".result-card").count() == 3
    assert "from=San+Francisco+%28SFO%29" in page.url
    assert page.console_errors == []


def test_filters_and_sorts_swap_the_results_and_keep_the_url(page, flights):
    page.goto(f"/search/flights?trip=oneway&from=SFO&to=JFK&depart={iso(DAY)}")
    page.wait_for_selector(".result-card")
    page.evaluate("window.marker = 'same page'")  # gone if the page reloads
    page.check("input[name=stops][value='0']")
    page.wait_for_function("() => location.search.includes('stops=0')")
    page.wait_for_function("() => document.querySelectorAll('.result-card').length === 2")
    page.click(".sort-option:has-text('Cheapest')")
    page.wait_for_function("() => location.search.includes('sort=cheapest')")
    page.wait_for_function(
        "() => document.querySelector('.result-card .price').textContent.includes('300')"
    )
    assert page.evaluate("window.marker") == "same page"
    assert "price_min" not in page.url  # empty filters are left out of the link
    page.go_back()
    page.wait_for_function("() => !location.search.includes('sort=cheapest')")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('stops=0')")
    page.wait_for_function("() => document.querySelectorAll('.result-card').length === 3")
    assert page.console_errors == []


def test_the_same_pages_work_without_javascript(browser, live_server, flights):  # noqa: F811
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()  # noqa: F811
    page.goto("/")
    page.fill("#f-from", "sfo")
    page.fill("#f-to", "JFK")
    page.check("input[name=trip][value=oneway]")
    page.fill("#f-depart", iso(DAY))
    page.click("button.btn-search")
    page.wait_for_selector(".result-card")
    assert page.input_value("#f-from") == "San Francisco (SFO)"
    page.check("input[name=stops][value='1']")
    page.click("text=Apply filters")
    page.wait_for_selector(".result-card")
    assert "stops=1" in page.url and page.locator(".result-card").count() == 1
    context.close()
