"""Report pages: each renders one report function's dataclasses; no view aggregates."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import national_required, role_required
from accounts.submission import submit_once
from audit.decorators import disclosure_required
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import csv_download
from common.navigation import NavLink
from common.pdf import pdf_response_headers, render_pdf
from common.xlsxutil import xlsx_download
from visits.forms import CampaignForm
from visits.models import Campaign

from . import national, reports
from .forms import PeriodFilterForm, ReportFilterForm

RATE_COLUMNS = [
    "visits",
    "passed",
    "failed",
    "failure_rate",
    "ci_low",
    "ci_high",
    "challenge_rate",
    "report_to_police_rate",
]


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _percent(value) -> float | None:
    """A rate as a percentage with one decimal place, a number for the downloads (in a CSV file
    it reads as _pct writes it: 12.3)."""
    return None if value is None else round(value * 100, 1)


def _rate_cells(row: reports.Rates) -> list:
    return [
        row.visits,
        row.passed,
        row.failed,
        _percent(row.failure_rate),
        _percent(row.ci_low),
        _percent(row.ci_high),
        _percent(row.challenge_rate),
        _percent(row.report_rate),
    ]


@dataclass(frozen=True)
class GroupedReport:
    title: str
    heading: str  # the first column's name on the page
    column: str  # the first column's name in the CSV
    function: Callable
    description: str
    chart: str = "bar"  # "bar" (failure rate with interval) or "line" (trend)
    # Every counted visit is in exactly one row, so the "All" line is the rows added up.
    partition: bool = False


GROUPED = {
    "towns": GroupedReport(
        "Failure rate by town",
        "Town",
        "town",
        reports.by_town,
        "Where staff most often fail to spot the scenario.",
        partition=True,
    ),
    "sectors": GroupedReport(
        "Failure rate by sector",
        "Sector",
        "sector",
        reports.by_sector,
        "Hotels, B&Bs, licensed premises, taxis, takeaways and others compared.",
        partition=True,
    ),
    "operations": GroupedReport(
        "Results by operation",
        "Operation",
        "operation",
        reports.by_operation,
        "Each operation's visits and failure rate, newest first.",
    ),
    "operators": GroupedReport(
        "Failure rate by operator or chain",
        "Operator or chain",
        "operator",
        reports.by_operator,
        "Chains and operators across all their premises and towns.",
    ),
    "trend": GroupedReport(
        "Trend over time",
        "Period",
        "period",
        reports.trend,
        "Visits and failure rate per month (or quarter).",
        chart="line",
        partition=True,
    ),
}
OTHER = {
    "training": "Training impact",
    "repeat-failures": "Repeat failures",
}
SORTS = {
    "label": lambda r: r.label.lower(),
    "visits": lambda r: r.visits,
    "failed": lambda r: r.failed,
    "failure_rate": lambda r: (r.failure_rate is not None, r.failure_rate or 0),
    "challenge_rate": lambda r: (r.challenge_rate is not None, r.challenge_rate or 0),
    "report_rate": lambda r: (r.report_rate is not None, r.report_rate or 0),
}


def reports_nav(current: str) -> list[NavLink]:
    """The reports' own bar: the dashboard (key ""), each report (its slug) and the press summary
    ("press"), the `current` one marked."""
    titles = [(s, g.title) for s, g in GROUPED.items()] + list(OTHER.items())
    links = [
        ("", "Dashboard", reverse("reports:dashboard")),
        *((s, title, reverse("reports:report", args=[s])) for s, title in titles),
        ("press", "Press summary", reverse("reports:press")),
    ]
    return [NavLink(title, url, key, key == current) for key, title, url in links]


def _without(params, name: str) -> str:
    params = params.copy()
    params.pop(name, None)
    return params.urlencode()


def _filters(request):
    form = ReportFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


def _refused(form) -> HttpResponse | None:
    """A download never falls back to the default filters, as a page does: it would hold other
    figures than the ones asked for, with nothing to say so."""
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponseBadRequest(
            f"These filters cannot be applied: {errors}", content_type="text/plain; charset=utf-8"
        )
    return None


def _grouped_rows(request, slug: str, filters) -> list:
    spec = GROUPED[slug]
    if slug == "trend":
        return spec.function(request.user, filters, by=request.GET.get("by", "month"))
    return spec.function(request.user, filters)


def _campaign_national(request, filters) -> reports.Rates | None:
    """With a campaign chosen, the campaign's national rate beside the force's own: computed
    over the forces sharing their figures and logged as a combination (none named)."""
    if filters.campaign is None:
        return None
    scope = _combine(request, f"National rate for the campaign {filters.campaign.name}")
    return national.campaign_rate(scope, filters)


def _context(request, slug: str):
    form, filters = _filters(request)
    context = {
        "form": form,
        "filters": filters,
        "campaign_national": _campaign_national(request, filters),
        "slug": slug,
        "reports_nav": reports_nav(slug),
        "generated": timezone.localtime(),
        "query": request.GET.urlencode(),
        "sort_query": _without(request.GET, "sort"),
    }
    if slug in GROUPED:
        spec = GROUPED[slug]
        rows = _grouped_rows(request, slug, filters)
        sort = request.GET.get("sort", "")
        key = sort.lstrip("-")
        if key in SORTS and slug != "trend":
            rows = sorted(rows, key=SORTS[key], reverse=sort.startswith("-"))
        context.update(
            {
                "spec": spec,
                "rows": rows,
                "sort": sort,
                "total": reports.summed(rows)
                if spec.partition
                else reports.totals(request.user, filters),
                "chart": {
                    "kind": spec.chart,
                    "labels": [r.label for r in rows],
                    "rate": [_pct(r.failure_rate) for r in rows],
                    "low": [_pct(r.ci_low) for r in rows],
                    "high": [_pct(r.ci_high) for r in rows],
                    "visits": [r.visits for r in rows],
                    "small": [r.small_sample for r in rows],
                    "height": 300 if spec.chart == "line" else max(160, 28 * len(rows) + 60),
                },
            }
        )
    elif slug == "training":
        impact = reports.training_impact(request.user, filters)
        context.update(
            {
                "title": OTHER[slug],
                "impact": impact,
                "impact_rows": [
                    ("Trained before the re-test", impact.trained),
                    ("Not trained", impact.untrained),
                ],
            }
        )
    elif slug == "repeat-failures":
        context.update(
            {
                "title": OTHER[slug],
                "repeats": reports.repeat_failures(request.user, filters),
                "limit": reports.REPEAT_LIMIT,
            }
        )
    else:
        raise Http404("No such report")
    return context


@role_required("visits.view_reports")
def dashboard(request):
    form, filters = _filters(request)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "comparison": reports.dashboard(request.user, filters),
            "campaign_national": _campaign_national(request, filters),
            "reports_nav": reports_nav(""),
            "query": request.GET.urlencode(),
        },
    )


@role_required("visits.view_reports")
def report(request, report):
    return render(request, "reports/report.html", _context(request, report))


@role_required("visits.view_reports")
@disclosure_required
def report_print(request, report):
    return render(request, "reports/report_print.html", _context(request, report))


@role_required("visits.view_reports")
@disclosure_required
def report_pdf(request, report):
    """The print view as an A4 PDF file, drawn from the same partials."""
    form, _ = _filters(request)
    if refused := _refused(form):
        return refused
    context = _context(request, report)
    pdf = render_pdf("reports/report_pdf.html", context, request=request)
    stamp = timezone.localtime(context["generated"]).strftime("%Y%m%d-%H%M")
    return HttpResponse(pdf, headers=pdf_response_headers(f"{report}-report_{stamp}"))


def _export(request, report, download):
    """The report as a file (`download` is csv_download or its Excel twin): header row first,
    rates as percentages with one decimal place."""
    form, filters = _filters(request)
    if refused := _refused(form):
        return refused
    if report in GROUPED:
        spec = GROUPED[report]
        rows = _grouped_rows(request, report, filters)
        return download(
            name=f"{report}-report",
            header=[spec.column, *RATE_COLUMNS],
            rows=([row.label, *_rate_cells(row)] for row in rows),
        )
    if report == "training":
        impact = reports.training_impact(request.user, filters)
        groups = [("trained before re-test", impact.trained), ("not trained", impact.untrained)]
        return download(
            name="training-impact-report",
            header=["group", "retests", "passed", "pass_rate", "ci_low", "ci_high"],
            rows=(
                [
                    label,
                    g.retests,
                    g.passed,
                    _percent(g.pass_rate),
                    _percent(g.interval[0] if g.interval else None),
                    _percent(g.interval[1] if g.interval else None),
                ]
                for label, g in groups
            ),
        )
    if report == "repeat-failures":
        repeats = reports.repeat_failures(request.user, filters)
        return download(
            name="repeat-failures-report",
            header=["premises_reference", "premises", "town", "sector", "failed", "visits"],
            rows=(
                [
                    r.premises.reference,
                    r.premises.name,
                    r.premises.town.name,
                    r.premises.sector,
                    r.failed,
                    len(r.visits),
                ]
                for r in repeats
            ),
        )
    raise Http404("No such report")


@role_required("visits.view_reports")
@disclosure_required
def report_csv(request, report):
    return _export(request, report, csv_download)


@role_required("visits.view_reports")
@disclosure_required
def report_xlsx(request, report):
    return _export(request, report, xlsx_download)


@role_required("visits.view_reports")
def press(request):
    form, filters = _filters(request)
    summary = reports.press_summary(request.user, filters)
    return render(
        request,
        "reports/press.html",
        {
            "form": form,
            "filters": filters,
            "summary": summary,
            "press_tables": [("By town", summary.towns), ("By sector", summary.sectors)],
            "reports_nav": reports_nav("press"),
            "query": request.GET.urlencode(),
        },
    )


@role_required("visits.view_reports")
@disclosure_required
def press_text(request):
    """The press summary as plain text: aggregates only, small figures suppressed."""
    form, filters = _filters(request)
    if refused := _refused(form):
        return refused
    summary = reports.press_summary(request.user, filters)
    response = HttpResponse(
        _press_lines(request.user.force.name, filters, summary),
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="makesafe-press-summary.txt"'
    return response


def _press_lines(force_name: str, filters, summary) -> str:
    period = _period_words(filters)
    lines = [f"Operation Makesafe: {force_name}", period, "", summary.text, ""]
    for title, rows in (("By town", summary.towns), ("By sector", summary.sectors)):
        lines.append(title)
        for row in rows:
            if row.suppressed:
                lines.append(f"  {row.label}: fewer than 3 premises, not published")
            elif row.withheld:
                lines.append(f"  {row.label}: not published, so that smaller figures stay hidden")
            else:
                rate = _pct(row.rates.failure_rate)
                lines.append(
                    f"  {row.label}: {row.rates.premises} premises, {row.rates.visits} visits, "
                    f"{row.rates.failed} failed ({rate}%)"
                )
        lines.append("")
    lines.append(
        "Figures based on fewer than 3 premises are not published, nor any other that would let "
        "them be worked out from the total."
    )
    return "\n".join(lines) + "\n"


def _period_words(filters) -> str:
    if filters.date_from and filters.date_to:
        return f"{filters.date_from:%-d %B %Y} to {filters.date_to:%-d %B %Y}"
    if filters.date_from:
        return f"From {filters.date_from:%-d %B %Y}"
    if filters.date_to:
        return f"Up to {filters.date_to:%-d %B %Y}"
    return "All time"


# --- National figures (reports/national.py) -----------------------------------------------------


@dataclass(frozen=True)
class NationalReport:
    title: str
    heading: str  # the first column's name on the page
    column: str  # the first column's name in the CSV
    function: Callable
    description: str
    chart: str = "bar"


NATIONAL = {
    "forces": NationalReport(
        "National figures by force",
        "Force",
        "force",
        national.by_force,
        "Each force that shares its figures: visits, premises visited and rates.",
    ),
    "sectors": NationalReport(
        "National figures by sector",
        "Sector",
        "sector",
        national.by_sector,
        "The sectors compared across the forces that share their figures.",
    ),
    "trend": NationalReport(
        "National trend by month",
        "Month",
        "month",
        national.trend,
        "Visits and failure rate per month across the forces that share their figures.",
        chart="line",
    ),
}
NATIONAL_PRESS = "National press summary"


def national_nav(current: str) -> list[NavLink]:
    """The national pages' own bar, the `current` one marked."""
    links = [
        ("", "National dashboard", reverse("reports:national")),
        *((s, r.title, reverse("reports:national_report", args=[s])) for s, r in NATIONAL.items()),
        ("press", "Press summary", reverse("reports:national_press")),
        ("campaigns", "Campaigns", reverse("reports:campaign_list")),
    ]
    return [NavLink(title, url, key, key == current) for key, title, url in links]


def _national_filters(request):
    form = PeriodFilterForm(request.GET or None)
    return form, form.filters()


def _combine(request, report: str) -> national.Scope:
    """The forces sharing their figures, and the combination log row of this computation."""
    return national.combine(
        user=request.user,
        view=request.resolver_match.view_name,
        report=report,
        path=request.path,
        params=request.GET,
    )


def _national_context(request, slug: str) -> dict:
    if slug not in NATIONAL:
        raise Http404("No such report")
    spec = NATIONAL[slug]
    form, filters = _national_filters(request)
    scope = _combine(request, spec.title)
    rows = spec.function(scope, filters)
    return {
        "form": form,
        "filters": filters,
        "scope": scope,
        "slug": slug,
        "spec": spec,
        "rows": rows,
        "total": national.totals(rows) if slug == "forces" else reports.summed(rows),
        "national_nav": national_nav(slug),
        "generated": timezone.localtime(),
        "query": request.GET.urlencode(),
        "chart": {
            "kind": spec.chart,
            "labels": [r.label for r in rows],
            "rate": [_pct(r.failure_rate) for r in rows],
            "low": [_pct(r.ci_low) for r in rows],
            "high": [_pct(r.ci_high) for r in rows],
            "visits": [r.visits for r in rows],
            "small": [r.small_sample for r in rows],
            "height": 300 if spec.chart == "line" else max(160, 28 * len(rows) + 60),
        },
    }


@national_required("reports.view_national_reports")
def national_dashboard(request):
    """The national figures for the period and sector, and each force's beside them."""
    form, filters = _national_filters(request)
    scope = _combine(request, "National dashboard")
    rows = national.by_force(scope, filters)
    return render(
        request,
        "reports/national_dashboard.html",
        {
            "form": form,
            "filters": filters,
            "scope": scope,
            "rows": rows,
            "total": national.totals(rows),
            "spec": NATIONAL["forces"],
            "national_nav": national_nav(""),
            "query": request.GET.urlencode(),
        },
    )


@national_required("reports.view_national_reports")
def national_report(request, figures):
    return render(request, "reports/national_report.html", _national_context(request, figures))


@national_required("reports.view_national_reports")
def national_press(request):
    form, filters = _national_filters(request)
    scope = _combine(request, NATIONAL_PRESS)
    summary = national.press_summary(scope, filters)
    return render(
        request,
        "reports/national_press.html",
        {
            "form": form,
            "filters": filters,
            "scope": scope,
            "summary": summary,
            "press_tables": _national_press_tables(summary),
            "national_nav": national_nav("press"),
            "query": request.GET.urlencode(),
        },
    )


def _national_press_tables(summary) -> list:
    return [
        ("By force", summary.forces),
        ("By town", summary.towns),
        ("By sector", summary.sectors),
    ]


def _press_cells(row) -> list:
    if row.suppressed:
        return ["not published: fewer than 3 premises", "", "", "", ""]
    if row.withheld:
        return ["not published: would let smaller figures be worked out", "", "", "", ""]
    rates = row.rates
    return ["", rates.premises, rates.visits, rates.failed, _percent(rates.failure_rate)]


@national_required("reports.view_national_reports")
@disclosure_required
def national_csv(request, figures):
    """A national report or the press summary as CSV, through the disclosure prompt."""
    form, filters = _national_filters(request)
    if refused := _refused(form):
        return refused
    if figures == "press":
        summary = national.press_summary(_combine(request, NATIONAL_PRESS), filters)
        return csv_download(
            name="national-press-summary",
            header=["breakdown", "label", "note", "premises", "visits", "failed", "failure_rate"],
            rows=(
                [title[3:], row.label, *_press_cells(row)]
                for title, rows in _national_press_tables(summary)
                for row in rows
            ),
        )
    context = _national_context(request, figures)
    spec = context["spec"]
    premises = ["premises"] if figures == "forces" else []
    return csv_download(
        name=f"national-{figures}-report",
        header=[spec.column, *premises, *RATE_COLUMNS],
        rows=(
            [row.label, *([row.premises] if premises else []), *_rate_cells(row)]
            for row in context["rows"]
        ),
    )


@national_required("reports.view_national_reports")
@disclosure_required
def national_pdf(request, figures):
    """A national report or the press summary as an A4 PDF file."""
    form, filters = _national_filters(request)
    if refused := _refused(form):
        return refused
    if figures == "press":
        scope = _combine(request, NATIONAL_PRESS)
        summary = national.press_summary(scope, filters)
        context = {
            "scope": scope,
            "filters": filters,
            "summary": summary,
            "press_tables": _national_press_tables(summary),
            "title": NATIONAL_PRESS,
            "generated": timezone.localtime(),
        }
    else:
        context = _national_context(request, figures)
        context["title"] = context["spec"].title
    pdf = render_pdf("reports/national_pdf.html", context, request=request)
    stamp = timezone.localtime(context["generated"]).strftime("%Y%m%d-%H%M")
    return HttpResponse(pdf, headers=pdf_response_headers(f"national-{figures}_{stamp}"))


# --- National campaigns (visits.Campaign) ---------------------------------------------------


@national_required("visits.manage_campaign")
def campaign_list(request):
    """The campaigns, newest first, each with how many operations the forces linked to it."""
    campaigns = Campaign.objects.visible_to(request.user).annotate(
        operation_count=Count("operations")
    )
    return render(
        request,
        "reports/campaign_list.html",
        {"campaigns": campaigns, "national_nav": national_nav("campaigns")},
    )


@national_required("visits.manage_campaign")
@submit_once
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.created_by = request.user
        campaign.save()
        messages.success(request, f"Added the campaign {campaign.name}.")
        return redirect("reports:campaign_list")
    return render(
        request,
        "reports/campaign_form.html",
        {"form": form, "national_nav": national_nav("campaigns")},
    )


@national_required("visits.manage_campaign")
def campaign_edit(request, pk):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    saved_name = campaign.name  # the form writes the typed name onto `campaign`
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            save_versioned(form.instance, expected_version=form.cleaned_data["expected_version"])
        except StaleEdit as conflict:
            form.show_conflict(conflict.current)
        else:
            messages.success(request, f"Saved the campaign {campaign.name}.")
            return redirect("reports:campaign_list")
    return render(
        request,
        "reports/campaign_form.html",
        {
            "form": form,
            "campaign": campaign,
            "saved_name": saved_name,
            "national_nav": national_nav("campaigns"),
        },
    )
