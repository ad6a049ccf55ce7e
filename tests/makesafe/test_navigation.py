"""The navigation bars (templates/includes/_nav_links.html): the links a role may use, the
current page marked for sight and for screen readers, text escaped, the reports' bar keeping the
filters."""

import re

from django.template.loader import render_to_string
from django.urls import reverse

from common.navigation import NavLink


def links(html: str, nav_label: str) -> list[tuple[str, str, bool, bool]]:
    """(text, href, shown active, marked current) of each link inside <nav aria-label=...>."""
    bar = html.split(f'aria-label="{nav_label}"', 1)[1].split("</nav>", 1)[0]
    found = re.findall(
        r'<a class="nav-link( active)?" href="([^"]*)"( aria-current="page")?>(.*?)</a>', bar
    )
    return [(re.sub(r"<[^>]+>", "", text), href, bool(a), bool(c)) for a, href, c, text in found]


def test_the_main_bar_marks_the_current_section(commander_client):
    html = commander_client.get(reverse("reports:report", args=["towns"])).content.decode()
    bar = links(html, "Main")
    assert ("Reports", reverse("reports:dashboard"), True, True) in bar
    assert ("Visits", reverse("visits:list"), False, False) in bar
    assert ("More", reverse("more"), False, False) in bar
    assert sum(active for *_, active in bar) == 1
    assert "Work queue" not in [text for text, *_ in bar]  # a commander schedules no training


def test_the_main_bar_shows_the_sergeants_queue_badge(sergeant_client):
    html = sergeant_client.get(reverse("visits:list")).content.decode()
    queue = next(link for link in links(html, "Main") if link[0].startswith("Work queue"))
    assert queue[1] == reverse("training:queue") and not queue[2]


def test_the_bar_escapes_its_text():
    links = [NavLink("<b>Visits</b>", "/v/?a=1&b=2", "visits", active=True)]
    context = {"links": links, "badge_key": "visits", "badge": 3}
    html = render_to_string("includes/_nav_links.html", context)
    assert "&lt;b&gt;Visits&lt;/b&gt;" in html and 'href="/v/?a=1&amp;b=2"' in html
    assert 'class="nav-link active"' in html and 'aria-current="page"' in html
    assert '>3<span class="visually-hidden"> rows</span>' in html
    assert render_to_string("includes/_nav_links.html", {"links": []}).strip() == ""


def test_the_reports_bar_marks_the_report_and_keeps_the_filters(commander_client):
    query = "preset=all&sector=hotel"
    html = commander_client.get(reverse("reports:report", args=["trend"]) + "?" + query).content
    bar = links(html.decode(), "Reports")
    assert [text for text, *_ in bar][0] == "Dashboard" and bar[-1][0] == "Press summary"
    assert all(href.endswith("?preset=all&amp;sector=hotel") for _, href, *_ in bar)
    assert [text for text, _, active, current in bar if active and current] == ["Trend over time"]
    for name, title in [("reports:dashboard", "Dashboard"), ("reports:press", "Press summary")]:
        html = commander_client.get(reverse(name)).content.decode()
        assert [text for text, _, active, _ in links(html, "Reports") if active] == [title]
