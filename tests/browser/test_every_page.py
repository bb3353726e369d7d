"""Every page as every role that may open it, in headless Chromium — the permission matrix's list of URLs,
so that a page added to Levier is checked here as soon as it is in the matrix (which fails without it).

Each page is loaded at 1 280 × 800 and at 375 × 800. It fails on: a status other than the matrix's, a
console error or an uncaught script error, a horizontal overflow, the main content running over the footer,
a result card or a table row taller than the screen, an internal English value of the enums shown as text,
two navigation items marked current, and (at 1 280 px) any axe-core WCAG A or AA violation. Then every link
and form action of the page is fetched as the same role: none answers 404 or 500.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import login
from tests.web.test_permission_matrix import ANONYMOUS, MATRIX, build_world

from .conftest import WCAG_A_AA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 375, "height": 800})
SKIPPED_LINK_PREFIXES = ("/static/", "/media/", "/admin/")

LAYOUT = """() => {
  const out = [];
  const html = document.documentElement;
  if (html.scrollWidth > window.innerWidth + 1) out.push(`débordement horizontal : ${html.scrollWidth} px pour ${window.innerWidth} px`);
  const main = document.querySelector('main'), footer = document.querySelector('footer');
  if (main && footer) {
    const bottom = main.getBoundingClientRect().bottom, top = footer.getBoundingClientRect().top;
    if (bottom > top + 1) out.push(`le contenu déborde sur le pied de page de ${Math.round(bottom - top)} px`);
  }
  for (const el of document.querySelectorAll('main .fr-card, main tbody tr')) {
    const h = el.getBoundingClientRect().height;
    if (h > window.innerHeight) { out.push(`${el.tagName.toLowerCase()}.${el.className} haut de ${Math.round(h)} px`); break; }
  }
  const current = document.querySelectorAll('#navigation [aria-current="page"]').length;
  if (current > 1) out.push(`${current} entrées de navigation marquées courantes`);
  return out;
}"""
VISIBLE_TEXT = """() => {
  const main = document.querySelector('main');
  if (!main) return '';
  const copy = main.cloneNode(true);
  copy.querySelectorAll('code, kbd, script, style, input, select, textarea, option').forEach(n => n.remove());
  return copy.innerText;
}"""
LINKS = """() => [...document.querySelectorAll('main a[href], header a[href], main form[action]')]
  .map(n => n.getAttribute(n.tagName === 'FORM' ? 'action' : 'href'))"""


def english_values() -> set[str]:
    """The internal values of Levier's choices that read as English words ("draft", "under_instruction")."""
    from django.db import models

    import levier

    found = set()
    for module in _enum_modules(levier):
        for thing in vars(module).values():
            if isinstance(thing, type) and issubclass(thing, models.TextChoices) and thing is not models.TextChoices:
                for value, label in thing.choices:
                    # A value that is a word of its own French label ("obligation", "bassin") reads as French.
                    if re.fullmatch(r"[a-z][a-z_]{3,}", str(value)) and str(value) not in _words(str(label)):
                        found.add(str(value))
    return found - {"normal", "senior", "micro", "employer", "financer", "active"}  # French words too


def _words(text: str) -> set[str]:
    from levier.territories.rules import normalize_name

    return set(re.findall(r"[a-z]+", normalize_name(text)))


def _enum_modules(package):
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.endswith(".enums"):
            yield importlib.import_module(info.name)


def pages(world):
    """(matrix name, URL, the roles that may open it) for every page — the API's JSON aside."""
    for name, entry in sorted(MATRIX.items()):
        if entry.method != "get" or name.startswith("api:") or name == "api-schema":
            continue
        url = reverse(name, kwargs=entry.kwargs(world) if entry.kwargs else None)
        if entry.data:
            url += "?" + "&".join(f"{k}={v}" for k, v in entry.data.items())
        yield name, url, sorted(entry.allowed), entry.ok


def session_cookie(world, role, base):
    client = Client()
    if role != ANONYMOUS:
        login(client, world["users"][role])
    return client, None


class PageChecks:
    """Opens pages as one role in both widths and collects what is wrong with them."""

    def __init__(self, browser, base, words):
        from axe_playwright_python.sync_playwright import Axe

        self.browser, self.base, self.words, self.axe = browser, base, words, Axe()
        self.problems, self.checked, self.links_checked = [], 0, 0

    def role(self, label: str, client: Client, urls: list[tuple[str, tuple]]) -> None:
        """`urls`: (url, the statuses it may answer) to open as the user `client` is logged in as."""
        cookies = [{"name": key, "value": morsel.value, "url": self.base} for key, morsel in client.cookies.items()]
        fetched, kinds = {}, {}
        for viewport in VIEWPORTS:
            context = self.browser.new_context(locale="fr-FR", viewport=viewport)
            context.add_cookies(cookies)
            page = context.new_page()
            errors = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            for url, ok in urls:
                errors.clear()
                where = f"{url} ({label}, {viewport['width']} px)"
                if url not in kinds:  # files (exports, documents) are fetched, not opened in the browser
                    answer = client.get(url)
                    kinds[url] = (answer.status_code, answer.get("Content-Type", ""))
                    answer.close()
                status, kind = kinds[url]
                if status not in ok:
                    self.problems.append(f"{where} : statut {status}")
                    continue
                if status != 200 or "text/html" not in kind:
                    continue
                response = page.goto(self.base + url)
                if response.status != 200:
                    self.problems.append(f"{where} : statut {response.status} dans le navigateur")
                    continue
                self.checked += 1
                self._look(page, where, errors)
                if viewport["width"] == 1280:
                    self._follow(page, url, where, client, fetched)
            context.close()

    def _look(self, page, where, errors) -> None:
        self.problems += [f"{where} : {p}" for p in page.evaluate(LAYOUT)]
        self.problems += [f"{where} : erreur dans la console : {e}" for e in errors]
        text = page.evaluate(VISIBLE_TEXT)
        shown = sorted(w for w in self.words if re.search(rf"(?<![\w/.-]){re.escape(w)}(?![\w/-])", text))
        if shown:
            self.problems.append(f"{where} : valeurs internes affichées : {', '.join(shown)}")
        if page.viewport_size["width"] == 1280:
            violations = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}}).response[
                "violations"]
            self.problems += [f"{where} : axe {v['id']} — {v['help']}" for v in violations]

    def _follow(self, page, url, where, client, fetched) -> None:
        for target in page.evaluate(LINKS):
            link = _same_site(url, target)
            if link and link not in fetched:
                answer = client.get(link)
                fetched[link] = answer.status_code
                answer.close()
                self.links_checked += 1
                if fetched[link] in (404, 500):
                    self.problems.append(f"{where} : le lien {link} répond {fetched[link]}")

    def report(self, capsys, what: str) -> None:
        with capsys.disabled():
            print(f"\n{what} : {self.checked} chargements de page vérifiés ({len(VIEWPORTS)} largeurs), "
                  f"{self.links_checked} liens et actions de formulaire suivis")
        assert not self.problems, f"{len(self.problems)} défauts :\n" + "\n".join(self.problems[:200])


def test_every_page_as_every_role(referential, live_server, browser, capsys):
    """The matrix's pages on its records of another unit: every role, every page it may open."""
    world = build_world()
    checks = PageChecks(browser, live_server.url, english_values())
    listed = list(pages(world))
    for role in sorted({role for _, _, allowed, _ in listed for role in allowed}):
        client, _ = session_cookie(world, role, live_server.url)
        checks.role(role, client, [(url, ok) for _, url, allowed, ok in listed if role in allowed])
    checks.report(capsys, "Matrice des permissions")


def test_every_page_on_the_demo(referential, live_server, browser, capsys):
    """The same pages on the demo's records, as each demo account: full lists, real files, long texts."""
    from django.core.management import call_command

    from levier.accounts.models import User
    from levier.demo import data

    call_command("demo", verbosity=0)
    checks = PageChecks(browser, live_server.url, english_values())
    for prefix, *_ in data.USERS:
        user = User.objects.get(email=f"{prefix}@{data.EMAIL_DOMAIN}")
        client = Client()
        login(client, user)
        checks.role(prefix, client, demo_urls(user))
    checks.report(capsys, "Démonstration")


def demo_urls(user) -> list[tuple[str, tuple]]:
    """Every page of the matrix, its records being the first the user may see (a page whose record the user
    cannot see is left out); pages may refuse a role (403) but never break (404 on a visible record, 500)."""
    from tests.browser.demo_records import kwargs_for

    urls = [("/aides/?q=", (200,)), ("/aides/?q=pr%C3%AAts", (200,))]
    for name, entry in sorted(MATRIX.items()):
        if entry.method != "get" or name.startswith("api:") or name == "api-schema":
            continue
        kwargs = kwargs_for(name, user) if entry.kwargs else None
        if entry.kwargs and kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        if entry.data:
            url += "?" + "&".join(f"{k}={v}" for k, v in entry.data.items())
        urls.append((url, (200, 302, 403)))
    return urls


def _same_site(page_url: str, target: str | None) -> str | None:
    if not target or target.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin("http://levier" + page_url, target))
    if parts.netloc != "levier" or parts.path.startswith(SKIPPED_LINK_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
