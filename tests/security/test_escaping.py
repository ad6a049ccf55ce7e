"""docs/security.md checks 12 and 13: stored XSS in every free-text field, no unsafe templates."""

import ast
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from premises.models import Operator, Premises
from training.models import Notice, TrainingSession
from visits.models import Operation, Scenario, Visit

from ..conftest import PROJECT_DIR, answer_prompt, body, client_for, make_forgotten
from ..factories import VisitFactory

# Each carries at least one of < > & " so that no safe context (JSON, an escaped attribute)
# could show it unchanged.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    '<iframe src="javascript:alert(4)"></iframe>',
    '<a href="javascript:alert(5)">link</a>',
    '" autofocus onfocus="alert(6)',
    "</textarea><script>alert(7)</script>",
    "</title><script>alert(8)</script>",
    "{{ 7|add:2 }}<b onmouseover=alert(9)>bold</b>",
    "&lt;script&gt;alert(10)&lt;/script&gt;",
    "<math><style><img src=x onerror=alert(11)></style></math>",
    "javascript:alert(12)//<br>",
]

# Two-letter tags say which field a value came from: P premises, V visit, O operation,
# S scenario, T training, N notice, U user.
FIELDS = {
    "PN": (Premises, "name"),
    "PA": (Premises, "address"),
    "PT": (Premises, "notes"),
    "PO": (Operator, "name"),
    "VD": (Visit, "debrief_notes"),
    "VR": (Visit, "reason"),
    "ON": (Operation, "name"),
    "OB": (Operation, "briefing_notes"),
    "SN": (Scenario, "name"),
    "SS": (Scenario, "script"),
    "TN": (TrainingSession, "notes"),
    "TT": (TrainingSession, "trainer"),
    "NG": (Notice, "grounds"),
    "NB": (Notice, "served_on_business"),
    "UF": (User, "first_name"),
    "UL": (User, "last_name"),
}


def _plant(records, officer, payload):
    """Every free-text field becomes its tag plus the payload (an update, so History shows it)."""
    rows = {
        Premises: records["premises"],
        Operator: records["operator"],
        Visit: records["visit"],
        Operation: records["operation"],
        Scenario: records["scenario"],
        TrainingSession: records["session"],
        Notice: records["notice"],
        User: officer,
    }
    for model, row in rows.items():
        values = {field: tag + payload for tag, (m, field) in FIELDS.items() if m is model}
        model.objects.filter(pk=row.pk).update(**values)
    return {tag: tag + payload for tag in FIELDS}


def _pages(records, forgotten):
    """Who looks at which page, and the fields each page must show (escaped)."""
    r = {name: row.pk for name, row in records.items()}
    week = timezone.localtime(records["session"].scheduled_for).date().isoformat()
    return (
        [
            # (viewer, URL, tags shown, is a download behind the disclosure prompt)
            ("sergeant", reverse("home"), [], False),
            ("sergeant", reverse("premises:list"), ["PN", "PO"], False),
            (
                "sergeant",
                reverse("premises:detail", args=[r["premises"]]),
                ["PN", "PA", "PT", "PO"],
                False,
            ),
            (
                "sergeant",
                reverse("premises:edit", args=[r["premises"]]),
                ["PN", "PA", "PT", "PO"],
                False,
            ),
            ("sergeant", reverse("premises:operator_list"), ["PO"], False),
            (
                "sergeant",
                reverse("premises:operator_detail", args=[r["operator"]]),
                ["PO", "PN"],
                False,
            ),
            (
                "sergeant",
                reverse("premises:operator_merge", args=[r["duplicate_operator"]]),
                ["PO"],
                False,
            ),
            (
                "sergeant",
                reverse("premises:operator_edit", args=[r["operator"]]),
                ["PO"],
                False,
            ),
            ("sergeant", reverse("visits:list"), ["PN", "UF"], False),
            (
                "sergeant",
                reverse("visits:detail", args=[r["visit"]]),
                ["PN", "VD", "VR", "UL"],
                False,
            ),
            ("sergeant", reverse("visits:edit", args=[r["visit"]]), ["PN", "VD", "VR"], False),
            ("sergeant", reverse("visits:log") + "?q=PN", ["PN"], False),
            ("sergeant", reverse("visits:operation_list"), ["ON"], False),
            (
                "sergeant",
                reverse("visits:operation_detail", args=[r["operation"]]),
                ["ON", "OB"],
                False,
            ),
            (
                "sergeant",
                reverse("visits:operation_edit", args=[r["operation"]]),
                ["ON", "OB"],
                False,
            ),
            ("sergeant", reverse("visits:scenario_list"), ["SN"], False),
            (
                "sergeant",
                reverse("visits:scenario_detail", args=[r["scenario"]]),
                ["SN", "SS"],
                False,
            ),
            (
                "sergeant",
                reverse("visits:scenario_edit", args=[r["scenario"]]),
                ["SN", "SS"],
                False,
            ),
            ("sergeant", reverse("training:queue") + "?kind=letter", ["PN"], False),
            ("sergeant", reverse("training:session_list"), ["PN"], False),
            ("sergeant", reverse("training:session_week") + f"?week={week}", ["PN"], False),
            (
                "sergeant",
                reverse("training:session_detail", args=[r["session"]]),
                ["TN", "TT"],
                False,
            ),
            (
                "sergeant",
                reverse("training:session_edit", args=[r["session"]]),
                ["TN", "TT"],
                False,
            ),
            ("sergeant", reverse("training:session_deliver", args=[r["session"]]), ["TN"], False),
            ("sergeant", reverse("training:notice_list") + "?show=all", ["PN"], False),
            (
                "sergeant",
                reverse("training:notice_detail", args=[r["notice"]]),
                ["NG", "NB"],
                False,
            ),
            ("sergeant", reverse("training:notice_edit", args=[r["notice"]]), ["NG", "NB"], False),
            ("sergeant", reverse("training:letter", args=[r["visit"]]), ["PN", "PA"], True),
            (
                "sergeant",
                reverse("audit:history", args=["premises.premises", r["premises"]]),
                ["PN", "PA", "PT"],
                False,
            ),
            (
                "sergeant",
                reverse("audit:history", args=["visits.visit", r["visit"]]),
                ["VD", "VR"],
                False,
            ),
            (
                "sergeant",
                reverse("audit:history", args=["visits.operation", r["operation"]]),
                ["ON", "OB"],
                False,
            ),
            (
                "sergeant",
                reverse("audit:history", args=["visits.scenario", r["scenario"]]),
                ["SN", "SS"],
                False,
            ),
            (
                "sergeant",
                reverse("audit:history", args=["training.trainingsession", r["session"]]),
                ["TN", "TT"],
                False,
            ),
            (
                "sergeant",
                reverse("audit:history", args=["training.notice", r["notice"]]),
                ["NG", "NB"],
                False,
            ),
            (
                "force_admin",
                reverse("audit:history", args=["accounts.user", r["officer"]]),
                ["UF", "UL"],
                False,
            ),
            ("commander", reverse("reports:dashboard"), [], False),
            ("commander", reverse("reports:press"), [], False),
            ("commander", reverse("reports:report", args=["operators"]), ["PO"], False),
            ("commander", reverse("reports:report", args=["operations"]), ["ON"], False),
            ("commander", reverse("reports:report", args=["repeat-failures"]), ["PN"], False),
            ("commander", reverse("reports:report", args=["towns"]), [], False),
            ("commander", reverse("reports:report_print", args=["operators"]), ["PO"], True),
            ("commander", reverse("reports:report_print", args=["repeat-failures"]), ["PN"], True),
            ("force_admin", reverse("accounts:user_list"), ["UF", "UL"], False),
            (
                "force_admin",
                reverse("accounts:user_edit", args=[r["officer"]]),
                ["UF", "UL"],
                False,
            ),
            ("force_admin", reverse("retention:queue"), ["PN"], False),
            ("force_admin", reverse("retention:decide", args=[forgotten.pk]), ["PN"], False),
            ("force_admin", reverse("audit:log"), [], False),
            ("force_admin", reverse("audit:log") + "?action=disclosure", [], False),
        ]
        + [
            ("superuser", reverse(f"admin:{label}_changelist"), listed, False)
            for label, listed, _, _ in ADMIN_PAGES
        ]
        + [
            ("superuser", reverse(f"admin:{label}_change", args=[r[key]]), shown, False)
            for label, _, shown, key in ADMIN_PAGES
        ]
    )


# The support site's pages for each kind of record:
# (admin label, fields its list shows, fields its change page shows, record).
ADMIN_PAGES = [
    ("premises_premises", ["PN"], ["PN", "PA", "PT"], "premises"),
    ("visits_visit", ["PN"], ["VD", "VR"], "visit"),
    ("visits_operation", ["ON"], ["ON", "OB"], "operation"),
    ("visits_scenario", ["SN"], ["SN", "SS"], "scenario"),
    ("training_trainingsession", ["PN"], ["TN", "TT"], "session"),
    ("training_notice", ["PN"], ["NG", "NB"], "notice"),
    ("accounts_user", ["UF", "UL"], ["UF", "UL"], "officer"),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_free_text_is_escaped_on_every_page_that_shows_it(
    records, officer, sergeant, commander, force_admin, superuser, town, payload
):
    values = _plant(records, officer, payload)
    # A second failure makes the premises a repeat failure; a forgotten one is due a review.
    VisitFactory(premises=records["premises"], officer=officer, debrief_notes="Again.")
    forgotten = make_forgotten(town, name=values["PN"])
    clients = {
        "sergeant": client_for(sergeant),
        "commander": client_for(commander),
        "force_admin": client_for(force_admin),
        "superuser": client_for(superuser),
    }
    # Searches and disclosure answers are logged: the audit log must show them escaped too.
    clients["sergeant"].get(reverse("premises:list"), {"q": values["PN"]})
    answer_prompt(
        clients["force_admin"],
        clients["force_admin"].get(reverse("audit:export")),
        recipient=values["PN"][:200],
        reason=values["PT"],
    )
    records = {**records, "officer": officer}
    seen = set()
    for viewer, url, shown, download in _pages(records, forgotten):
        client = clients[viewer]
        response = client.get(url)
        if download:
            assert answer_prompt(client, response), url
            response = client.get(url)
        assert response.status_code == 200, url
        html = body(response)
        for tag, value in values.items():
            assert value not in html, f"{tag} raw on {url}"
            if escape(value) in html:
                seen.add(tag)
        missing = [tag for tag in shown if escape(values[tag]) not in html]
        assert missing == [], f"{url} does not show {missing}"
    assert seen == set(FIELDS)


def test_a_link_field_cannot_carry_a_javascript_url(records, sergeant, officer):
    """Typed text never becomes a link target: hrefs on record pages are site paths only."""
    _plant(records, officer, "javascript:alert(1)//")
    client = client_for(sergeant)
    for url in [
        reverse("premises:detail", args=[records["premises"].pk]),
        reverse("visits:detail", args=[records["visit"].pk]),
        reverse("training:notice_detail", args=[records["notice"].pk]),
    ]:
        html = client.get(url).content.decode()
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert [h for h in hrefs if not h.startswith(("/", "#", "data:,", "?"))] == [], url


# -- 13. No unsafe templates ------------------------------------------------------------------

APP_DIRS = [
    "accounts",
    "audit",
    "premises",
    "visits",
    "training",
    "reports",
    "retention",
    "demo",
    "makesafe",
]
UNSAFE_IN_TEMPLATES = [
    r"\|\s*safe\b",
    r"\|\s*safeseq\b",
    r"{%\s*autoescape\s+off",
    r"mark_safe",
    r"csrf_exempt",
    r"<script(?![^>]*\bsrc=)[^>]*>",  # inline script: data for JS goes through json_script
    r"\son[a-z]+\s*=",  # inline event handlers, which the CSP would block anyway
    r'href="javascript:',
]
UNSAFE_IN_CODE = {"mark_safe", "SafeString", "SafeData", "csrf_exempt", "format_html_join"}


def _templates():
    found = list((PROJECT_DIR / "templates").rglob("*.html"))
    for app in APP_DIRS:
        found += list((PROJECT_DIR / app).rglob("templates/**/*.html"))
    assert len(found) > 40
    return found


def _app_code():
    found = []
    for app in APP_DIRS:
        found += [p for p in (PROJECT_DIR / app).rglob("*.py") if "migrations" not in p.parts]
    assert len(found) > 40
    return found


def test_no_template_turns_escaping_off_or_runs_inline_script():
    wrong = []
    for path in _templates():
        text = path.read_text()
        for pattern in UNSAFE_IN_TEMPLATES:
            for match in re.finditer(pattern, text):
                wrong.append(f"{path.relative_to(PROJECT_DIR)}: {match.group(0)}")
    assert wrong == []


def test_no_code_marks_text_safe_or_exempts_a_view_from_csrf():
    wrong = []
    for path in _app_code():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if name in UNSAFE_IN_CODE:
                wrong.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno} {name}")
            if isinstance(node, ast.alias) and node.name.split(".")[-1] in UNSAFE_IN_CODE:
                wrong.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno} {node.name}")
    assert wrong == []


def test_scripts_read_data_only_through_json_script():
    """Every script is a static file; the one page that feeds a chart does it with json_script."""
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<script[^>]*>", text):
            assert "src=" in match.group(0), f"{path.name}: {match.group(0)}"
    report = (PROJECT_DIR / "templates" / "reports" / "report.html").read_text()
    assert "|json_script:" in report


def test_javascript_never_writes_text_as_html():
    """The one innerHTML writes a fragment the server rendered (and escaped), nothing typed."""
    writes = []
    for path in (PROJECT_DIR / "static" / "js").glob("*.js"):
        for line in path.read_text().splitlines():
            if re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", line):
                writes.append((path.name, line.strip()))
    assert [name for name, line in writes if "target.innerHTML = html;" not in line] == []
    assert {name for name, _ in writes} <= {"premises-search.js"}
