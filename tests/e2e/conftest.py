"""Browser fixtures: the app served on a free port, driven by headless Chromium."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `scripts/stack.sh browser` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


# -- accessibility: axe-core from its pinned npm package ------------------------
AXE_DIR = os.path.join(os.path.dirname(__file__), "axe")
AXE_SOURCE = os.path.join(AXE_DIR, "node_modules", "axe-core", "axe.min.js")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, installed from tests/e2e/axe/package-lock.json when missing.

    scripts/test.sh runs `npm ci` there already; this covers a bare `pytest`.
    """
    if not os.path.exists(AXE_SOURCE):
        import shutil
        import subprocess

        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: it installs axe-core for the accessibility tests")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AXE_DIR, check=True
        )
    with open(AXE_SOURCE, encoding="utf-8") as source:
        return source.read()
