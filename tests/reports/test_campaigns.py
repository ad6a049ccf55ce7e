"""National campaigns (docs/domain.md, National figures: campaigns): the national coordinator
creates and edits them, a force links its own operations to one, the national figures filter to
a campaign's visits and a force's reports show the campaign's national rate beside its own,
over the forces sharing their figures only, naming none, each computation logged."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from accounts.models import Force
from audit.models import CombinationLog
from reports import national
from reports.reports import Filters
from reports.views import GROUPED, NATIONAL, OTHER
from visits.models import Campaign, Operation

from ..conftest import body, client_for, disclosed
from ..factories import (
    CampaignFactory,
    ForceFactory,
    OperationFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
)
from ..security.formdata import operation_post
from .conftest import london

LIST = reverse("reports:campaign_list")
CREATE = reverse("reports:campaign_create")


# -- Database rules ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_campaign_ends_on_or_after_its_start():
    CampaignFactory(starts_on=date(2021, 9, 1), ends_on=date(2021, 9, 1))
    with pytest.raises(IntegrityError, match="campaign_end_after_start"), transaction.atomic():
        CampaignFactory(starts_on=date(2021, 9, 8), ends_on=date(2021, 9, 7))


@pytest.mark.django_db
def test_a_campaigns_name_is_unique_and_not_blank():
    CampaignFactory(name="Safer nights")
    with pytest.raises(IntegrityError, match="name"), transaction.atomic():
        CampaignFactory(name="Safer nights")
    with pytest.raises(IntegrityError, match="campaign_name_not_blank"), transaction.atomic():
        CampaignFactory(name="")


@pytest.mark.django_db
def test_a_campaign_linked_to_an_operation_cannot_be_deleted(force):
    campaign = CampaignFactory()
    OperationFactory(force=force, campaign=campaign)
    with pytest.raises(ProtectedError), transaction.atomic():
        campaign.delete()


@pytest.mark.django_db
def test_only_the_national_coordinator_may_manage_campaigns():
    holders = set(
        Group.objects.filter(permissions__codename="manage_campaign").values_list("name", flat=True)
    )
    assert holders == {roles.NATIONAL_COORDINATOR}


# -- Pages -------------------------------------------------------------------------------------


def test_the_national_coordinator_creates_and_edits_a_campaign(national):
    client = client_for(national)
    response = client.post(
        CREATE,
        {"name": "  Safer   nights ", "starts_on": "01/09/2021", "ends_on": "30/09/2021",
         "description": "Hotels and taxis."},
    )  # fmt: skip
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.starts_on, campaign.created_by) == (
        "Safer nights", date(2021, 9, 1), national
    )  # fmt: skip
    page = client.get(LIST).content.decode()
    assert "Safer nights" in page
    assert '>1 Sep 2021</span> to <span class="text-nowrap">30 Sep 2021<' in page
    edit = reverse("reports:campaign_edit", args=[campaign.pk])
    data = {"name": "Safer nights 2021", "starts_on": "01/09/2021", "ends_on": "14/09/2021",
            "expected_version": 1}  # fmt: skip
    assert client.post(edit, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.ends_on, campaign.version) == (
        "Safer nights 2021", date(2021, 9, 14), 2
    )  # fmt: skip


def test_a_stale_edit_is_refused_and_the_input_kept(national):
    campaign = CampaignFactory(name="Safer nights")
    client = client_for(national)
    edit = reverse("reports:campaign_edit", args=[campaign.pk])
    first = {"name": "First", "starts_on": "01/09/2021", "ends_on": "30/09/2021",
             "expected_version": 1}  # fmt: skip
    assert client.post(edit, first).status_code == 302
    response = client.post(edit, {**first, "name": "Second"})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    assert 'value="Second"' in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "First"


def test_bad_dates_and_a_taken_name_are_explained_next_to_the_field(national):
    CampaignFactory(name="Safer nights")
    response = client_for(national).post(
        CREATE, {"name": "safer NIGHTS", "starts_on": "08/09/2021", "ends_on": "07/09/2021"}
    )
    form = response.context["form"]
    assert form.errors == {
        "name": ["There is already a campaign with this name."],
        "ends_on": ["The end date cannot be before the start date."],
    }
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("role", roles.ROLES)
def test_no_force_user_may_create_or_edit_a_campaign(force, role):
    campaign = CampaignFactory(name="Safer nights")
    client = client_for(UserFactory(force=force, role=role))
    data = {"name": "Mine", "starts_on": "01/09/2021", "ends_on": "30/09/2021",
            "expected_version": 1}  # fmt: skip
    assert client.post(CREATE, data).status_code == 403
    edit = reverse("reports:campaign_edit", args=[campaign.pk])
    assert client.post(edit, data).status_code == 403
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Safer nights"]


def test_a_sergeant_links_their_forces_operation_to_a_campaign(sergeant_client, force):
    campaign = CampaignFactory(name="Safer nights")
    form = sergeant_client.get(reverse("visits:operation_create")).content.decode()
    assert "Safer nights" in form
    response = sergeant_client.post(
        reverse("visits:operation_create"), operation_post(campaign=campaign.pk)
    )
    assert response.status_code == 302
    assert Operation.objects.get(force=force).campaign == campaign


# -- Figures -------------------------------------------------------------------------------------


@pytest.fixture
def campaign_week(force, other_force, town, other_town, log):
    """Suffolk and Norfolk share their figures; Essex does not. Each has a campaign operation
    and visits outside it."""
    Force.objects.filter(pk__in=[force.pk, other_force.pk]).update(national_figures=True)
    essex = ForceFactory(code="ESX", name="Essex Police")
    chelmsford = TownFactory(force=essex, name="Chelmsford")
    campaign = CampaignFactory(
        name="September week", starts_on=date(2021, 9, 13), ends_on=date(2021, 9, 19)
    )
    day = date(2021, 9, 15)
    ops = {
        f.pk: OperationFactory(force=f, campaign=campaign, date=day, name=f"Week {f.code}")
        for f in (force, other_force, essex)
    }
    # Suffolk: 4 campaign visits, 1 failed; 3 other visits, all failed.
    for n, outcome in enumerate(
        ["completed", "refused_concerns", "reported_to_police", "refused_concerns"]
    ):
        log(PremisesFactory(town=town), london(day, 20, n), outcome, operation=ops[force.pk])
    for n in range(3):
        log(PremisesFactory(town=town), london(date(2021, 9, 2), 20, n), "completed")
    # Norfolk: 2 campaign visits, 1 failed.
    for n, outcome in enumerate(["completed", "reported_to_police"]):
        log(PremisesFactory(town=other_town), london(day, 21, n), outcome,
            operation=ops[other_force.pk])  # fmt: skip
    # Essex, not sharing: 10 campaign visits, all failed.
    for n in range(10):
        log(PremisesFactory(town=chelmsford), london(day, 19, n), "completed",
            operation=ops[essex.pk])  # fmt: skip
    return campaign


def _scope(*forces):
    return national.Scope(tuple(f.pk for f in forces), tuple(f.name for f in forces))


def test_the_national_figures_filtered_to_a_campaign_count_its_visits_only(
    campaign_week, force, other_force
):
    filters = Filters(date(2021, 9, 1), date(2021, 9, 30), campaign=campaign_week)
    scope = _scope(force, other_force)
    rows = {row.label: row for row in national.by_force(scope, filters)}
    assert {name: (r.visits, r.failed, r.premises) for name, r in rows.items()} == {
        "Suffolk Constabulary": (4, 1, 4),
        "Norfolk Constabulary": (2, 1, 2),
    }
    total = national.totals(list(rows.values()))
    assert (total.visits, total.failed) == (6, 2)
    assert [(r.key, r.visits) for r in national.by_sector(scope, filters)] == [("hotel", 6)]
    assert [(r.key, r.visits) for r in national.trend(scope, filters)] == [("2021-09-01", 6)]
    # Without the campaign, Suffolk's other visits count too.
    unfiltered = national.by_force(scope, Filters(date(2021, 9, 1), date(2021, 9, 30)))
    assert sum(row.visits for row in unfiltered) == 9


def test_the_national_page_filtered_to_a_campaign_is_logged_with_the_filter(
    campaign_week, national
):
    client = client_for(national)
    query = {"campaign": campaign_week.pk, "preset": "all"}
    page = client.get(reverse("reports:national"), query).content.decode()
    assert "Essex" not in page
    log = CombinationLog.objects.get()
    assert log.params["campaign"] == [str(campaign_week.pk)] or log.params["campaign"] == str(
        campaign_week.pk
    )
    assert log.force_names == ["Norfolk Constabulary", "Suffolk Constabulary"]


def test_a_forces_report_shows_the_campaigns_national_rate_naming_no_other_force(
    campaign_week, commander, commander_client
):
    query = {"campaign": campaign_week.pk, "preset": "all"}
    for url in (reverse("reports:dashboard"), reverse("reports:report", args=["towns"])):
        page = commander_client.get(url, query).content.decode()
        # 2 failed of 6 visits in the forces sharing figures; Essex's 10 failures left out.
        assert "National rate for this campaign: 33.3% failed" in page
        assert "6 visits, forces that share figures" in page
        assert "Norfolk" not in page and "Essex" not in page
    logs = CombinationLog.objects.filter(user=commander)
    assert logs.count() == 2
    assert {tuple(log.force_names) for log in logs} == {
        ("Norfolk Constabulary", "Suffolk Constabulary")
    }


def test_a_forces_printed_report_names_the_campaign_and_its_national_rate(
    campaign_week, commander_client
):
    query = {"campaign": campaign_week.pk, "preset": "all"}
    page = body(disclosed(commander_client, reverse("reports:report_print", args=["towns"]), query))
    assert f"campaign: {campaign_week.name} (your operations in the campaign)" in page
    assert "National rate for this campaign: 33.3% failed" in page
    assert "Norfolk" not in page and "Essex" not in page


def test_a_forces_report_filtered_to_a_campaign_counts_its_own_campaign_visits(
    campaign_week, commander_client
):
    response = commander_client.get(
        reverse("reports:dashboard"), {"campaign": campaign_week.pk, "preset": "all"}
    )
    current = response.context["comparison"].current
    assert (current.visits, current.failed) == (4, 1)


def test_no_national_rate_without_a_campaign(campaign_week, commander_client):
    page = commander_client.get(reverse("reports:dashboard"), {"preset": "all"}).content.decode()
    assert "National rate for this campaign" not in page
    assert not CombinationLog.objects.exists()


def test_an_unknown_campaign_is_explained(commander_client, force):
    response = commander_client.get(reverse("reports:dashboard"), {"campaign": "999999"})
    assert response.context["form"].errors["campaign"] == ["There is no campaign with this id."]


# -- Query counts: the same with few visits or many -----------------------------------------------


def _count(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "who, url",
    [
        ("national", reverse("reports:national")),
        ("national", reverse("reports:national_report", args=["trend"])),
        ("national", reverse("reports:national_report", args=["sectors"])),
        ("national", LIST),
        ("commander", reverse("reports:dashboard")),
        ("commander", reverse("reports:report", args=["towns"])),
    ],
)
def test_campaign_pages_run_as_many_queries_with_few_rows_as_many(
    campaign_week, force, town, log, who, url, request
):
    client = client_for(request.getfixturevalue(who))
    query = {"campaign": campaign_week.pk, "preset": "all"}
    _count(client, url, query)  # the session's first request reads what later ones keep
    few = _count(client, url, query)
    operation = Operation.objects.get(force=force, campaign=campaign_week)
    for n in range(12):
        log(PremisesFactory(town=town), london(date(2021, 9, 16), 20, n), "completed",
            operation=operation)  # fmt: skip
    CampaignFactory.create_batch(3)
    assert _count(client, url, query) == few


def test_every_force_report_and_national_page_takes_the_campaign_filter(
    campaign_week, commander_client, national
):
    query = {"campaign": campaign_week.pk, "preset": "all"}
    for slug in [*GROUPED, *OTHER]:
        response = commander_client.get(reverse("reports:report", args=[slug]), query)
        assert response.status_code == 200, slug
        assert response.context["filters"].campaign == campaign_week, slug
    client = client_for(national)
    for slug in NATIONAL:
        page = client.get(reverse("reports:national_report", args=[slug]), query)
        assert page.status_code == 200, slug
        assert "Essex" not in page.content.decode(), slug
    press = client.get(reverse("reports:national_press"), query).content.decode()
    assert "Six premises were visited by two forces" in press
