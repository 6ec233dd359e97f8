"""Browser journeys: Playwright driving Debian's chromium against pytest-django's live server.

One browser per test session (so one per xdist worker), a fresh context per test. The browser is
Debian's /usr/bin/chromium, never a downloaded one; without it the journeys are skipped, unless
YINGJI_REQUIRE_SERVICES=1, when they fail. Set YINGJI_SCREENSHOTS=<dir> to save a desktop and a
phone screenshot of every journey step.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from tests.conftest import COUNTY, PASSWORD, TOWN_A, TOWN_B, remove_audit_rows, require_services

from yingji.core.models import Division

# Playwright's sync API runs an event loop in the test thread, so Django's async-safety check would
# refuse the ORM calls the tests make; this is Django's documented way to allow them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Debian chromium not installed: apt-get install -y chromium"
        if require_services():
            pytest.fail(message + " (and YINGJI_REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh context at desktop size: no cookies, and an English browser, which the
    platform must ignore (Chinese unless the user picks another language)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems: list[str] = []
    in_flight: set = set()
    tab.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    tab.on("response", lambda response: _check_response(response, problems))
    tab.on("request", lambda request: in_flight.add(request))
    tab.on("requestfinished", lambda request: in_flight.discard(request))
    tab.on("requestfailed", lambda request: in_flight.discard(request))
    yield tab
    _wait_until_answered(tab, in_flight)
    context.close()
    remove_audit_rows()
    assert not problems, "\n".join(problems)


def _wait_until_answered(tab, in_flight: set) -> None:
    """Let the live server answer what the page still asked for (map data, say) before the database
    is emptied: a request served during the flush would find the tables locked."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while in_flight and time.monotonic() < deadline:
        tab.wait_for_timeout(20)  # lets Playwright deliver the request events


def _check_response(response, problems: list[str]) -> None:
    """Server errors, and static files that are missing, fail the journey even if the page looks fine."""
    if response.status >= 500 or (response.status == 404 and "/static/" in response.url):
        problems.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def snap(request):
    """`snap(page, step)`: screenshots of the page at desktop and phone width, when YINGJI_SCREENSHOTS is set."""
    directory = os.environ.get("YINGJI_SCREENSHOTS")
    journey = re.sub(r"^test_", "", request.node.name)
    journey = re.sub(r"[^\w-]+", "-", journey).strip("-")

    def take(tab, step: str) -> None:
        if not directory:
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        original = tab.viewport_size
        # The size the page has now first, so that its maps are framed as a user of that size sees them.
        sizes = sorted((("desktop", DESKTOP), ("phone", PHONE)), key=lambda item: item[1] != original)
        for label, size in sizes:
            _resize(tab, size)
            wait_for_maps(tab)
            tab.screenshot(path=str(Path(directory) / f"{journey}-{step}-{label}.png"), full_page=True)
        _resize(tab, original)
        wait_for_maps(tab)

    return take


def _resize(tab, size: dict) -> None:
    """Resize the viewport and wait for the page's resize handlers (Leaflet re-measures its maps)."""
    if tab.viewport_size == size:
        return
    tab.evaluate(
        "() => { window.yjResized = new Promise(done => addEventListener('resize', done, {once: true})); }"
    )
    tab.set_viewport_size(size)
    tab.evaluate("() => window.yjResized.then(() => new Promise(done => requestAnimationFrame(done)))")


MAPS_SETTLED_JS = """() => !document.querySelector('.leaflet-zoom-anim')
  && [...document.querySelectorAll('.yj-map.leaflet-container')].every(m => m.dataset.ready === '1')"""


def wait_for_maps(tab) -> None:
    """Until every Leaflet map on the page has its data and has finished zooming to it.

    map.js marks a map ready right after asking for the final view; Leaflet starts the zoom animation
    on the next frame, so two frames pass before checking that no map is still animating.
    """
    tab.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    tab.wait_for_function(MAPS_SETTLED_JS)


@pytest.fixture
def login(live_server):
    """`login(page, username)`: log in through the login form and land on the overview."""
    from playwright.sync_api import expect

    def log_in(tab, username: str, password: str = PASSWORD) -> None:
        tab.goto("/accounts/login/")
        tab.fill("#id_username", username)
        tab.fill("#id_password", password)
        tab.click("#login-button")
        expect(tab.locator("#kpis")).to_be_visible()

    return log_in


def _box(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# The enterprise fixtures sit at (120.9, 32.0) in town A and (121.0, 32.1) in town B.
OUTLINES = {
    COUNTY: _box(120.80, 31.90, 121.10, 32.20),
    TOWN_A: _box(120.80, 31.90, 120.95, 32.20),
    TOWN_B: _box(120.95, 31.90, 121.10, 32.20),
}


@pytest.fixture
def outlines(county):
    """Like the demo county: the county and its towns have outlines for the maps to draw."""
    for code, outline in OUTLINES.items():
        Division.objects.filter(code=code).update(outline=outline)
    return OUTLINES
