"""The steps the browser tests share: Debian's Chromium, the app served on a free port, a page at a screen
size and language, signing in, screenshots and the check that a page fits its screen.

Screenshots (desktop 1280 px and phone 360 px, Chinese and English) are saved under
``test-artifacts/screenshots/`` for people to look at. A missing browser is installed with apt-get where
possible; on CI (``CI=true``) a browser that is still missing fails the tests, never skips them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine.config import ROOT
from tests.conftest import _migrate, settings_for

from .conftest import load_county

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 860}, {"width": 360, "height": 780}
PASSWORD = "demo-pass"


def ensure_chromium() -> None:
    """Install Debian's Chromium when it is missing, as .ci/run does; CI fails without it, elsewhere it skips."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium", "fonts-noto-cjk"], env=env, check=False, timeout=1200)
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and could not be installed (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package to run the browser tests")


@contextmanager
def launched():
    """Chromium driven by Playwright, closed afterwards."""
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def county_app(directory: Path, county: bool = True):
    """The app over its own SQLite file in ``directory``, migrated; the demo county and the library loaded."""
    url = f"sqlite:///{directory / 'mediate.sqlite'}"
    _migrate(url)
    app = create_app(settings_for(url))
    if county:
        load_county(app)
    return app


@contextmanager
def serving(app):
    """The app served on a free port in a thread of this process: yields its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def new_context(chromium, viewport, language: str = "中文"):
    """A browser context at ``viewport`` (a touch phone at PHONE), in English when ``language`` says so."""
    phone = viewport is PHONE
    context = chromium.new_context(viewport=viewport, locale="zh-CN",
                                   **({"is_mobile": True, "has_touch": True} if phone else {}))
    if language == "English":
        context.add_cookies([{"name": "lang", "value": "en", "url": "http://127.0.0.1"}])
    return context


def open_page(chromium, viewport, language: str = "中文"):
    """``(context, page)``: a new page in a new context (see ``new_context``)."""
    context = new_context(chromium, viewport, language)
    return context, context.new_page()


def sign_in(page, live, username: str = "village_mediator", path: str = "/") -> None:
    page.goto(live["url"] + path)
    page.get_by_label("用户名").or_(page.get_by_label("Username")).fill(username)
    page.get_by_label("密码").or_(page.get_by_label("Password")).fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/inbox**")


def sign_in_in_language(page, live, username: str, language: str = "中文") -> None:
    """Sign in as ``username`` after choosing the language with the sign-in page's switch."""
    page.goto(live["url"] + "/login")
    if language == "English":
        page.get_by_role("link", name="English").click()
    sign_in(page, live, username)


def signed_in(chromium, live, viewport, username: str, language: str = "中文"):
    """``(context, page)`` signed in as ``username`` in ``language`` (``sign_in_in_language``)."""
    context, page = open_page(chromium, viewport)
    sign_in_in_language(page, live, username, language)
    return context, page


def shot(page, name: str) -> None:
    """A full-page screenshot named after the page, its language and its width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    lang = page.locator("html").get_attribute("lang")
    page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    cut = page.evaluate("[...document.querySelectorAll('td, dd, .nav-link')]"
                        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())")
    assert cut == [], f"cut off at the right: {cut}"
