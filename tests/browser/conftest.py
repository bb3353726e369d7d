"""Real-browser tests: Playwright driving Debian's Chromium (no browser download here)."""

import os
import shutil

import pytest

from tests.conftest import require_system_dependency

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    require_system_dependency(os.path.exists(CHROMIUM), "Chromium (paquet Debian chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls
    # made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


class AccessibilityAudit:
    """Runs axe-core on each page visited; the test fails on any WCAG A or AA violation."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.pages: list[str] = []

    def check(self, page) -> None:
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
        violations = results.response["violations"]
        self.pages.append(page.url)
        assert not violations, f"Violations WCAG A/AA sur {page.url} :\n" + "\n".join(
            f"- {v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
        )


@pytest.fixture
def a11y():
    return AccessibilityAudit()
