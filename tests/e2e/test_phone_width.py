"""Every page of every role at phone width: nothing scrolls sideways, touch targets are at least
44x44 CSS px, and axe stays clean (docs/security.md check 35)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from ..security import test_access
from ..security.test_access import ROLE_MATRIX, all_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The role matrix's records, one of each kind in the test force: the `records` fixture.
records = test_access.records

PHONES = {"390x844": (390, 844), "360x740": (360, 740)}
ROLES = ("officer", "sergeant", "commander", "force_admin", "national")

# What sticks out past the right edge, and which touch targets are smaller than 44x44 px.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string'
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      const inside = el.closest('.visually-hidden, .table-responsive');
      if (box.width && box.right > width + 1 && !inside) {
        wide.push(name(el) + ' ends at ' + Math.round(box.right));
      }
    }
  }
  const small = [];
  const targets = 'a.btn, button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
    + ' select, textarea, .nav-link, .page-link, .navbar-toggler';
  for (const el of document.querySelectorAll(targets)) {
    const box = el.getBoundingClientRect();
    if (!box.width || el.closest('.visually-hidden, .visually-hidden-focusable')) continue;
    if (box.height < 44 || box.width < 44) {
      small.push(name(el) + ' ' + Math.round(box.width) + 'x' + Math.round(box.height));
    }
  }
  return {overflow: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5),
          small: small.slice(0, 5)};
}"""


def html_pages(client, urls, role):
    """The role's pages that answer 200 with HTML (downloads and redirects are not pages)."""
    pages = {}
    for name, row in ROLE_MATRIX.items():
        if row[role] != 200 or name in ("healthz", "audit:disclose"):
            continue
        response = client.get(urls[name])
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[name] = urls[name]
    return pages


def signed_in_context(browser: Browser, base_url, user, size):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, base_url=base_url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return client, context


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_or_has_small_targets_at_phone_width(
    request,
    browser: Browser,
    live_server,
    records,
    role,
):
    user = request.getfixturevalue(role)
    urls = all_urls(records)
    problems = {}
    for phone, size in PHONES.items():
        client, context = signed_in_context(browser, live_server.url, user, size)
        page = context.new_page()
        for name, url in html_pages(client, urls, role).items():
            page.goto(url)
            found = page.evaluate(MEASURE)
            if found["overflow"] > 0 or found["small"]:
                problems[f"{name} at {phone}"] = found
        context.close()
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_pages_have_no_accessibility_violations_at_phone_width(
    browser: Browser,
    live_server,
    records,
    force_admin,
    sergeant,
    national,
):
    urls = all_urls(records)
    axe, found, seen = Axe(), {}, set()
    for role, user in (
        ("sergeant", sergeant),
        ("force_admin", force_admin),
        ("national", national),
    ):
        client, context = signed_in_context(browser, live_server.url, user, PHONES["390x844"])
        page = context.new_page()
        for name, url in html_pages(client, urls, role).items():
            if name in seen:
                continue
            seen.add(name)
            page.goto(url)
            results = axe.run(page)
            if results.violations_count:
                found[name] = results.generate_report()
        context.close()
    assert found == {}, "\n".join(f"{page}: {report}" for page, report in found.items())
