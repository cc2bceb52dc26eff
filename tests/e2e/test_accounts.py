"""Accounts in a real browser: a newcomer's whole journey, an admin, a partner.

Screenshots go to $KAYAK_SCREENSHOTS when set (to look at the pages), else to
the test's temporary folder.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "my new trip passphrase"


def portrait() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (255, 214, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 160, 450, 520), fill=(120, 72, 40))
    draw.rectangle((100, 560, 500, 800), fill=(31, 59, 115))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture()
def shots(tmp_path):
    folder = Path(os.environ.get("KAYAK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


def test_newcomer_signs_up_completes_profile_resets_password_and_deletes_account(page, shots):
    # Sign up.
    page.goto("/auth/signup")
    shots(page, "01-signup")
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Email").fill("maya.okafor@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Use at least 10 characters for the password.").is_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/profile")
    assert page.get_by_text("Welcome to Kayak, Maya!").is_visible()

    # Complete the profile; bad values first, each with its own message.
    page.get_by_label("Phone").fill("555")
    page.get_by_label("Street address").fill("201 S 4th St")
    page.get_by_label("City").fill("San Jose")
    page.get_by_label("State").fill("Californ")
    page.get_by_label("ZIP code").fill("9511")
    page.get_by_role("button", name="Save profile").click()
    for message in ("is not a US state", "Enter the ZIP code as 5 digits", "phone number"):
        assert page.get_by_text(re.compile(message)).first.is_visible(), message
    shots(page, "02-profile-errors")
    page.get_by_label("Phone").fill("(408) 555-0134")
    page.get_by_label("State").fill("California")
    page.get_by_label("ZIP code").fill("95112")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/account")
    assert page.get_by_text("San Jose, CA 95112").is_visible()
    assert page.get_by_text("(408) 555-0134").is_visible()

    # Edit it.
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("City").fill("Santa Clara")
    page.get_by_label("ZIP code").fill("95050")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url("**/account")
    assert page.get_by_text("Santa Clara, CA 95050").is_visible()

    # A card and preferences, so the account page shows everything.
    page.get_by_role("link", name="Add a card").first.click()
    page.get_by_label("Name on card").fill("Maya Okafor")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("08/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url("**/account#cards")
    assert page.get_by_text("Visa ending in 4242 saved.").is_visible()
    page.goto("/account/preferences")
    page.get_by_label("Home airport").fill("SJC")
    page.get_by_label("Cabin").select_option("premium_economy")
    page.get_by_label("Seat").select_option("window")
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_url("**/account#preferences")
    assert page.get_by_text("Travel preferences saved.").is_visible()
    page.goto("/account/preferences")
    page.get_by_label("Program", exact=True).fill("United MileagePlus")
    page.get_by_label("Membership number").fill("AB123456")
    page.get_by_role("button", name="Add number").click()
    assert page.get_by_text("United MileagePlus number saved.").is_visible()
    shots(page, "03-preferences")
    page.goto("/account")
    assert page.get_by_text("Premium economy").is_visible()
    page.get_by_label("Upload a photo").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": portrait()}
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    assert page.get_by_text("Photo updated.").is_visible()
    assert page.locator("img.avatar-xl").is_visible()
    shots(page, "04-account")

    # Sign out, forget the password, reset it through the development mailbox.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")
    page.goto("/auth/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("maya.okafor@example.com")
    page.get_by_role("button", name="Send the reset link").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    page.get_by_role("link", name="Open the development mailbox").click()
    shots(page, "05-dev-mail")
    page.locator("a[href*='/auth/password/reset/']").first.click()
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url("**/auth/signin")
    assert page.get_by_text("Sign in with your new password.").is_visible()

    # The old password fails without saying whether the account exists; the new one works.
    page.get_by_label("Email").fill("maya.okafor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Email or password is incorrect.").is_visible()
    shots(page, "06-signin-error")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account")

    # Delete the account.
    page.get_by_role("link", name="Delete my account…").click()
    page.get_by_role("button", name="Delete my account").click()
    assert page.get_by_text("Enter your password to confirm.").is_visible()
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_label("I understand").check()
    shots(page, "07-delete")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Your account has been deleted.").is_visible()
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("maya.okafor@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Email or password is incorrect.").is_visible()
    assert script_errors(page) == []


def script_errors(page) -> list[str]:
    """Console errors, less Chromium's note on each form sent back with 422 on purpose."""
    return [e for e in page.console_errors if "status of 422" not in e]


def sign_in(page, email, password=PASSWORD):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_manages_users_with_an_audit_trail(page, make_user, shots):
    make_user("support", email="sam@kayak.example", first_name="Sam", last_name="Rivera")
    ana = make_user(first_name="Ana", last_name="López", email="ana@example.com",
                    address="1 Main St", city="San Jose", state="CA", zip_code="95113")  # fmt: skip
    make_user(first_name="Bo", last_name="Chen", email="bo@example.com", city="Austin", state="TX")
    sign_in(page, "sam@kayak.example")
    page.wait_for_url("**/admin/users")
    page.get_by_label("State").fill("California")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="Ana López").is_visible()
    assert page.get_by_role("link", name="Bo Chen").count() == 0
    shots(page, "08-admin-users")
    page.get_by_role("link", name="Ana López").click()
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Phone").fill("408 555 0199")
    page.get_by_label("Last name").fill("López-Ruiz")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/admin/users/{ana.id}")
    page.get_by_role("button", name="Deactivate").click()
    assert page.get_by_text("deactivated and signed out everywhere").is_visible()
    audit = page.locator("#audit")
    assert audit.get_by_text("user.update").is_visible()
    assert audit.get_by_text("user.deactivate").is_visible()
    assert audit.get_by_text("López-Ruiz").is_visible()
    shots(page, "09-admin-user-detail")
    assert script_errors(page) == []


def test_partner_creates_a_key_and_calls_the_api(page, make_user, make_provider, shots):
    provider = make_provider("Skyline Air", "airline", code="SK")
    make_user("partner", email="ops@skyline.example", provider=provider, first_name="Priya")
    sign_in(page, "ops@skyline.example")
    page.wait_for_url("**/partner")
    page.get_by_label("Key name").fill("Inventory sync (production)")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("New API key").input_value()
    assert key.startswith("kyk_")
    shots(page, "10-partner-key")
    response = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200
    assert response.json()["provider"]["name"] == "Skyline Air"
    page.goto("/partner")
    assert key not in page.content()  # shown once
    page.get_by_role("button", name="Revoke").click()
    assert page.get_by_text("revoked").first.is_visible()
    refused = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert refused.status == 401
    assert script_errors(page) == []
