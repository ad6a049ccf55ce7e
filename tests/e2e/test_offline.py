"""docs/security.md check 38: an operation prepared for offline use is logged with no connection;
the visits wait in the browser, are sent once when it returns, a refused one comes back as the
server's form with its errors, sign-out warns before deleting them, and nothing is kept past the
operation's day plus one."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.models import Session
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from accounts import roles
from visits.models import Visit

from ..factories import TEST_PASSWORD, UserFactory
from . import test_visits
from .test_premises import sign_in
from .test_visits import LAPTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

suffolk = test_visits.suffolk

CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('makesafe-offline:')))"
OPEN = """new Promise(resolve => {
  const opening = indexedDB.open('makesafe-offline', 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore('visits', {keyPath: 'key'});
  opening.onsuccess = () => resolve(opening.result);
})"""
QUEUED = f"""() => {OPEN}.then(db => new Promise(resolve => {{
  const request = db.transaction('visits').objectStore('visits').getAll();
  request.onsuccess = () => {{ db.close(); resolve(request.result); }};
}}))"""


@pytest.fixture
def officer_page(page: Page, suffolk):
    UserFactory(username="officer", force=suffolk["force"], role=roles.OFFICER)
    page.set_viewport_size(LAPTOP)
    sign_in(page, "officer")
    return page


def prepare(page: Page, operation):
    page.goto(operation.get_absolute_url())
    page.get_by_role("button", name="Prepare for offline").click()
    expect(page.locator("#offline-status")).to_contain_text("Ready offline until the end of")
    assert len(page.evaluate(CACHES)) == 1


def log_offline(page: Page, hotel, *, cadet=True):
    page.get_by_role("link", name=f"Log visit to {hotel.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log a visit to {hotel.name}")
    if cadet:
        page.get_by_label("C-014").check()
    page.get_by_role("radio", name=re.compile("^Reported to police")).check()
    page.get_by_role("radio", name="Called 101", exact=True).check()
    page.get_by_role("radio", name="Questions asked", exact=True).check()
    page.get_by_label("Debrief notes").fill(f"Called 101 at {hotel.name}.")
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich")


def test_two_visits_logged_offline_are_saved_once_each_when_the_connection_returns(
    officer_page: Page, suffolk, screenshots
):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    page.context.set_offline(True)
    page.reload()  # from the browser's cache: the network is gone
    expect(page.get_by_text("Visited 0 of 2 planned")).to_be_visible()
    for hotel in suffolk["hotels"]:
        log_offline(page, hotel)
        expect(page.locator("#offline-entries")).to_contain_text(f"{hotel.name}, logged")
    entries = page.locator("#offline-entries > li")
    expect(entries).to_have_count(2)
    expect(entries.filter(has_text="waiting to send")).to_have_count(2)
    expect(page.get_by_role("button", name="Correct it")).to_have_count(0)  # only when refused
    expect(page.get_by_text("Waiting to send", exact=True)).to_have_count(2)
    assert Visit.objects.count() == 0
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    page.screenshot(path=f"{screenshots}/offline_waiting.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{screenshots}/offline_waiting_phone.png", full_page=True)
    page.set_viewport_size(LAPTOP)

    page.context.set_offline(False)  # sent on their own when the connection returns
    expect(page.locator("#offline-status")).to_contain_text("Sent 2 visits logged offline.")
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert page.evaluate(QUEUED) == []
    visits = Visit.objects.filter(operation=operation).order_by("premises__name")
    assert [v.premises for v in visits] == suffolk["hotels"]
    for visit in visits:
        assert visit.debrief_notes == f"Called 101 at {visit.premises.name}."
        assert visit.events.filter(pgh_label="insert").count() == 1

    page.reload()
    assert Visit.objects.count() == 2
    expect(page.get_by_text("Visited 2 of 2 planned")).to_be_visible()


def test_a_refused_visit_comes_back_as_the_servers_form_with_its_errors(
    officer_page: Page, suffolk, screenshots
):
    page, operation = officer_page, suffolk["operation"]
    hotel = suffolk["hotels"][0]
    prepare(page, operation)
    page.context.set_offline(True)
    log_offline(page, hotel, cadet=False)  # no cadet chosen: the server refuses it
    page.context.set_offline(False)
    item = page.locator("#offline-entries > li")
    expect(item).to_contain_text("refused by the server")
    expect(item).to_contain_text("Choose the cadet who took part.")
    assert Visit.objects.count() == 0
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    page.screenshot(path=f"{screenshots}/offline_refused.png", full_page=True)

    item.get_by_role("button", name="Correct it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log a visit to {hotel.name}")
    expect(page.locator("#error-summary")).to_contain_text("Choose the cadet who took part.")
    expect(page.get_by_label("Debrief notes")).to_have_value(f"Called 101 at {hotel.name}.")
    page.get_by_label("C-014").check()
    page.get_by_role("button", name="Log visit").click()
    expect(page.get_by_role("status").first).to_contain_text("Logged the visit to Cornhill Lodge")
    assert Visit.objects.get().participants.get().code == "C-014"
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert page.evaluate(QUEUED) == []


def test_a_visit_whose_answer_was_lost_is_not_saved_twice(officer_page: Page, suffolk):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    page.context.set_offline(True)
    log_offline(page, suffolk["hotels"][0])

    def lost(route):  # the server gets the visit and saves it; its answer never arrives
        route.fetch()
        route.abort()

    page.context.route("**/visits/log/**", lost)
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("No connection")
    assert Visit.objects.count() == 1
    expect(page.locator("#offline-entries > li")).to_contain_text("waiting to send")

    page.context.unroute("**/visits/log/**")
    page.get_by_role("button", name="Send now").click()  # the same one-time key again
    expect(page.locator("#offline-status")).to_contain_text("Sent 1 visit logged offline.")
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert Visit.objects.count() == 1


def test_after_the_session_ended_the_visits_wait_until_the_officer_signs_in_again(
    officer_page: Page, suffolk
):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    page.context.set_offline(True)
    log_offline(page, suffolk["hotels"][0])
    Session.objects.all().delete()  # 30 idle minutes in a car park
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("sign in again to send them")
    expect(page.locator("#offline-entries > li")).to_contain_text("waiting to send")
    assert Visit.objects.count() == 0

    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich")
    expect(page.locator("#offline-status")).to_contain_text("Sent 1 visit logged offline.")
    assert Visit.objects.get().premises == suffolk["hotels"][0]


def test_sign_out_warns_about_unsent_visits_then_deletes_everything(officer_page: Page, suffolk):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    page.context.set_offline(True)
    log_offline(page, suffolk["hotels"][0])
    page.context.route("**/visits/log/**", lambda route: route.abort())  # the server is away
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("No connection")

    page.get_by_role("button", name="Sign out").click()
    warning = page.locator("#offline-sign-out")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Not sent yet from this device: 1 visit logged offline.")
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    assert page.evaluate(QUEUED) != []
    warning.get_by_role("button", name="Sign out and delete them").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate(CACHES) == []
    assert page.evaluate(QUEUED) == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert Visit.objects.count() == 0


def test_nothing_is_kept_past_the_operations_day_plus_one(officer_page: Page, suffolk):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    user = page.locator("#sign-out").get_attribute("data-user")
    # What an operation of last week left behind: its pages and a visit not sent.
    page.evaluate(
        f"""async ([user, queued]) => {{
          const cache = await caches.open(`makesafe-offline:${{user}}:999:2020-01-02`);
          await cache.put('/visits/operations/999/', new Response('old'));
          const db = await {OPEN};
          await new Promise(resolve => {{
            const tx = db.transaction('visits', 'readwrite');
            tx.objectStore('visits').put(queued);
            tx.oncomplete = resolve;
          }});
          db.close();
        }}""",
        [
            user,
            {
                "key": "6f1c1f5e-0000-4000-8000-000000000001",
                "user": user,
                "operation": "999",
                "until": "2020-01-02",
                "url": "/visits/log/1/?operation=999",
                "title": "Old",
                "fields": [],
                "at": 0,
                "state": "waiting",
                "errors": [],
            },
        ],
    )
    assert len(page.evaluate(CACHES)) == 2
    page.goto("/")  # any page prunes
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    page.wait_for_function(f"{CACHES}.then(names => names.length === 1)")
    assert page.evaluate(CACHES) == [
        f"makesafe-offline:{user}:{operation.pk}:" + (operation.offline_until.isoformat())
    ]
    page.wait_for_function(f"({QUEUED})().then(rows => rows.length === 0)")


def test_only_the_operations_pages_and_static_files_are_kept(officer_page: Page, suffolk):
    page, operation = officer_page, suffolk["operation"]
    prepare(page, operation)
    kept = page.evaluate(
        f"""{CACHES}.then(names => caches.open(names[0]))
             .then(cache => cache.keys()).then(requests => requests.map(r => r.url))"""
    )
    paths = {re.sub(r"^https?://[^/]+", "", url) for url in kept}
    forms = {f"/visits/log/{h.pk}/?operation={operation.pk}" for h in suffolk["hotels"]}
    assert paths - forms == {operation.get_absolute_url()} | {
        p for p in paths if p.startswith("/static/")
    }
    assert forms <= paths
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Makesafe Ipswich")
    for other in ("/visits/", f"/premises/{suffolk['hotels'][0].pk}/", "/"):
        with pytest.raises(PlaywrightError, match="ERR_"):
            page.goto(other)
