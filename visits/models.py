"""Operations, scenario scripts, pseudonymous cadets and the graded visits they make."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.db.models.functions import Now, Upper
from django.urls import reverse
from django.utils import timezone

from accounts.models import Force
from premises.models import ForceScopedQuerySet, Premises, Town

LONDON_TZ = ZoneInfo("Europe/London")


def london_midnight(day: date) -> datetime:
    """The instant a London day begins: the bound of a period of `visited_on` days (the London
    date of `visited_at`) on the time columns and their indexes."""
    return timezone.make_aware(datetime.combine(day, time.min), LONDON_TZ)


class LondonDate(Func):
    """The Europe/London date of a timestamp; immutable, so a generated column may use it."""

    template = "((%(expressions)s AT TIME ZONE 'Europe/London')::date)"
    output_field = models.DateField()


class Indicator(models.TextChoices):
    """Signs staff should notice (docs/domain.md): what a scenario presents and a visit showed."""

    PAYS_CASH = "pays_cash", "Pays cash / no card"
    NO_ID = "no_id", "No ID"
    NO_LUGGAGE = "no_luggage", "No luggage"
    WALK_IN = "walk_in", "Walk-in or last minute"
    SHORT_STAY = "short_stay", "One night or a few hours"
    DOUBLE_BED = "double_bed", "Double bed"
    NOT_FAMILY = "not_family", "Adult with a young person not obviously family"
    LOCAL_ADDRESS = "local_address", "Local address"
    ISOLATED_ROOM = "isolated_room", "Asks for an isolated room or one near an exit"
    NAME_DIFFERS = "name_differs", "Booking name differs from the guest"
    SECRETIVE = "secretive", "Secretive"
    NERVOUS = "nervous", "Young person nervous or following instructions"
    ALCOHOL = "alcohol", "Alcohol on show"
    DRINKS_FOR_CHILD = "drinks_for_child", "Drinks bought for an under-18"
    CONTROLLING_ADULT = "controlling_adult", "Controlling older adult"
    CHILD_ALONE = "child_alone", "Child alone (taxi)"
    DISTANT_DESTINATION = "distant_destination", "Distant destination (taxi)"
    ADULT_DIRECTING = "adult_directing", "Adult directing the child (taxi)"


class StaffRole(models.TextChoices):
    """Staff at premises are recorded by role, never by name."""

    RECEPTIONIST = "receptionist", "Receptionist"
    MANAGER = "manager", "Manager"
    DUTY_MANAGER = "duty_manager", "Duty manager"
    OWNER = "owner", "Owner"
    PORTER = "porter", "Porter"
    BAR_STAFF = "bar_staff", "Bar staff"
    DOOR_STAFF = "door_staff", "Door staff"
    SERVER = "server", "Counter staff"
    DRIVER = "driver", "Driver"
    CONTROLLER = "controller", "Controller"
    OTHER = "other", "Other"


class IndicatorsDisplay:
    """The labels of a row's `indicators` (an array of Indicator values)."""

    def get_indicators_display(self) -> list[str]:
        labels = dict(Indicator.choices)
        return [labels.get(i, i) for i in self.indicators]


class ScriptDisplay(IndicatorsDisplay):
    """Labels of a scenario script's `sectors` and `indicators` (force and national scripts)."""

    def get_sectors_display(self) -> str:
        labels = dict(Premises.Sector.choices)
        return ", ".join(labels.get(s, s) for s in self.sectors)


class NationalScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every published script, for a national coordinator or anyone of a force (none else)."""
        if not user.is_authenticated or not (user.force_id or user.is_national_coordinator):
            return self.none()
        return self

    def latest(self):
        """Only the newest revision of each script."""
        newer = NationalScenario.objects.filter(
            name=OuterRef("name"), version__gt=OuterRef("version")
        )
        return self.filter(~Exists(newer))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class NationalScenario(ScriptDisplay, models.Model):
    """A scenario script the national coordinator publishes to every force (docs/domain.md,
    Shared scenario library). A revision is a new row with the next version: a force that
    adopted an earlier one keeps it until it chooses to adopt the newer one."""

    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)
    sectors = ArrayField(
        models.CharField(max_length=10, choices=Premises.Sector.choices),
        default=list,
        help_text="Sectors this scenario suits.",
    )
    script = models.TextField(max_length=8000)
    indicators = ArrayField(
        models.CharField(max_length=24, choices=Indicator.choices),
        default=list,
        blank=True,
        help_text="Signs the scenario presents to staff.",
    )
    notes = models.CharField(
        "what changed",
        max_length=300,
        blank=True,
        help_text="Shown to forces beside the revision: why it was revised.",
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NationalScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        permissions = [
            ("publish_national_scenario", "Can publish scenario scripts to the national library")
        ]
        constraints = [
            # One script of a name, whatever its case: a revision is the next version of it.
            models.UniqueConstraint(
                Upper("name"), "version", name="national_scenario_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="national_scenario_version_positive"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="national_scenario_name_not_blank"),
            models.CheckConstraint(
                condition=~Q(script=""), name="national_scenario_script_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(sectors__len__gte=1) & Q(sectors__contained_by=Premises.Sector.values),
                name="national_scenario_sectors_valid",
            ),
            models.CheckConstraint(
                condition=Q(indicators__contained_by=Indicator.values),
                name="national_scenario_indicators_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} (national v{self.version})"

    def get_absolute_url(self):
        return reverse("visits:library_adopt", args=[self.pk])


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Scenario(ScriptDisplay, models.Model):
    """A scenario script, in versions. A version used by a visit is frozen: edits make a new one."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="scenarios")
    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(
        default=True, help_text="The version offered when logging new visits."
    )
    sectors = ArrayField(
        models.CharField(max_length=10, choices=Premises.Sector.choices),
        default=list,
        help_text="Sectors this scenario suits.",
    )
    script = models.TextField(max_length=8000)
    indicators = ArrayField(
        models.CharField(max_length=24, choices=Indicator.choices),
        default=list,
        blank=True,
        help_text="Signs the scenario presents to staff.",
    )
    imported = models.BooleanField(default=False)
    adopted_from = models.ForeignKey(
        NationalScenario,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        help_text="The national library script this version was adopted from.",
    )
    # The edit counter for optimistic locking (`version` is the script's version): bumped by an
    # edit in place, and when a newer version replaces this one as current.
    revision = models.PositiveIntegerField(default=1, db_default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        permissions = [("manage_scenario", "Can manage scenario scripts")]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "name", "version"], name="scenario_version_unique"
            ),
            models.UniqueConstraint(
                fields=["force", "name"],
                condition=Q(is_current=True),
                name="scenario_one_current_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="scenario_version_positive"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="scenario_revision_positive"),
            models.CheckConstraint(condition=~Q(name=""), name="scenario_name_not_blank"),
            models.CheckConstraint(
                condition=Q(sectors__contained_by=Premises.Sector.values),
                name="scenario_sectors_valid",
            ),
            models.CheckConstraint(
                condition=Q(indicators__contained_by=Indicator.values),
                name="scenario_indicators_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self):
        return reverse("visits:scenario_detail", args=[self.pk])


# A live visit's cadets each had parental permission recorded on or before the visit's London
# date (docs/domain.md, "Live visits"); held by the triggers of visits, their cadet links and
# cadets.
PERMISSION_RULE = (
    "visit_cadet_permission_in_force: a cadet on a live visit needs parental permission "
    "recorded on or before the date of the visit"
)
PERMISSION_RULE_CONSTANT = ("permission_rule", f"CONSTANT text := '{PERMISSION_RULE}'")
LONDON_CONSTANT = ("london", f"CONSTANT text := '{LONDON_TZ.key}'")


class ParticipantQuerySet(ForceScopedQuerySet):
    def can_take_part(self):
        """Cadets who may be on a visit now: active, with parental permission recorded."""
        return self.filter(active=True, permission_recorded_on__isnull=False)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Participant(models.Model):
    """A police cadet, by pseudonymous code only: cadets are children, so no name or contact."""

    class AgeBand(models.TextChoices):
        AGE_14_15 = "14-15", "14-15"
        AGE_16_17 = "16-17", "16-17"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="participants")
    code = models.CharField(
        max_length=12,
        help_text="Pseudonymous code, for example C-014. Never a name or initials.",
    )
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    permission_recorded_on = models.DateField(
        "parental permission recorded on",
        null=True,
        blank=True,
        help_text="Date the signed parental permission form was recorded. Typed as 18/09/2021.",
    )
    active = models.BooleanField(default=True)
    imported = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        permissions = [("manage_participant", "Can manage cadet participants")]
        constraints = [
            models.UniqueConstraint(fields=["force", "code"], name="participant_code_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{1,3}-?[0-9]{1,5}$"),
                name="participant_code_format",
            ),
            models.CheckConstraint(
                condition=Q(age_band__in=["14-15", "16-17"]), name="participant_age_band_valid"
            ),
            models.CheckConstraint(
                condition=Q(permission_recorded_on__isnull=True)
                | Q(permission_recorded_on__lte=Now()),
                name="participant_permission_not_future",
            ),
        ]
        triggers = [
            # A permission date cannot move past a live visit the cadet has made.
            pgtrigger.Trigger(
                name="participant_permission_covers_visits",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(
                    old__permission_recorded_on__df=pgtrigger.F("new__permission_recorded_on")
                ),
                declare=[PERMISSION_RULE_CONSTANT],
                func="""
                IF EXISTS (
                    SELECT 1 FROM visits_visit_participants vp
                    JOIN visits_visit v ON v.id = vp.visit_id
                    WHERE vp.participant_id = NEW.id
                        AND NOT v.imported AND NOT v.logged_before_checks
                        AND (NEW.permission_recorded_on IS NULL
                            OR NEW.permission_recorded_on > v.visited_on)
                ) THEN
                    RAISE EXCEPTION '%', permission_rule USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("visits:participant_edit", args=[self.pk])

    @property
    def can_take_part(self) -> bool:
        return self.active and self.permission_recorded_on is not None


# The rules an operation starts under (docs/domain.md, "Operations"), as the `operation_rules`
# trigger raises them.
START_RULES = {
    "approval": "operation_start_needs_approval: an operation starts only once its risk "
    "assessment is approved",
    "cover": "operation_start_needs_cover: an operation starts only with at least one cover "
    "officer per cadet",
    "permission": "operation_start_needs_permission: every cadet of an operation needs parental "
    "permission recorded on or before its date",
}
START_RULE_CONSTANTS = [
    (f"{name}_rule", f"CONSTANT text := '{rule}'") for name, rule in START_RULES.items()
]
MEMBER_COVER = "cover"

# A night under way stays covered: a change to its team or cadets that leaves a cadet without a
# cover officer of their own is refused when the transaction commits (so that a cover officer
# can be swapped for another in one save). The team form says so first, next to the field.
RUNNING_COVER_RULE = (
    "operation_running_needs_cover: an operation under way keeps at least one cover officer "
    "per cadet"
)


def running_cover_trigger(name: str) -> pgtrigger.Trigger:
    """The deferred row trigger that holds RUNNING_COVER_RULE on a table of an operation's
    team or cadets (its rows carry `operation_id`)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        timing=pgtrigger.Deferred,
        declare=[
            ("rule", f"CONSTANT text := '{RUNNING_COVER_RULE}'"),
            ("cover_role", f"CONSTANT text := '{MEMBER_COVER}'"),
            ("op", "bigint"),
            ("running", "boolean"),
            ("cadets", "integer"),
            ("covers", "integer"),
        ],
        func="""
                FOR op IN SELECT DISTINCT id FROM unnest(ARRAY[OLD.operation_id, NEW.operation_id])
                    AS id WHERE id IS NOT NULL
                LOOP
                    SELECT status = 'in_progress' AND NOT imported INTO running
                    FROM visits_operation WHERE id = op;
                    IF running THEN
                        SELECT count(*) INTO cadets FROM visits_operationcadet
                        WHERE operation_id = op;
                        SELECT count(*) INTO covers FROM visits_operationmember
                        WHERE operation_id = op AND role = cover_role;
                        IF covers < cadets THEN
                            RAISE EXCEPTION '%', rule USING ERRCODE = 'check_violation';
                        END IF;
                    END IF;
                END LOOP;
                RETURN NULL;
                """,
    )


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every campaign, to every member of a force (to link an operation to) and to the
        national coordinator (who runs them); none to anyone else. Campaigns are not a force's
        records: only the national coordinator creates or edits one."""
        if not user.is_authenticated or not (user.force_id or user.is_national_coordinator):
            return self.none()
        return self.all()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Campaign(models.Model):
    """A national campaign: weeks of visits across the forces, set by the national coordinator.
    A force links its own operations to one (docs/domain.md, National figures: campaigns)."""

    name = models.CharField(max_length=120, unique=True)
    starts_on = models.DateField("start", help_text="Typed as 18/09/2021.")
    ends_on = models.DateField("end", help_text="Typed as 18/09/2021.")
    description = models.TextField(max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        permissions = [("manage_campaign", "Can create and edit national campaigns")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_end_after_start"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="campaign_name_not_blank"),
            models.CheckConstraint(condition=Q(version__gte=1), name="campaign_version_positive"),
        ]

    def __str__(self):
        return self.name


class OperationQuerySet(ForceScopedQuerySet):
    def open(self):
        """Operations still planned or in progress."""
        return self.exclude(status=Operation.Status.COMPLETED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Operation(models.Model):
    """A planned day (or days) of test visits, with its premises checklist."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="operations")
    name = models.CharField(max_length=120)
    date = models.DateField(help_text="Typed as 18/09/2021.")
    end_date = models.DateField(
        null=True, blank=True, help_text="Only for operations over several days."
    )
    towns = models.ManyToManyField(Town, blank=True, related_name="operations")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="operations"
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operations",
        help_text="The national campaign this operation is part of, if any.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    risk_assessment_ref = models.CharField(
        "risk assessment reference",
        max_length=60,
        blank=True,
        help_text="Required before any visit can be logged against the operation.",
    )
    risk_assessment_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="risk assessment approved by",
    )
    risk_assessment_approved_on = models.DateField(
        "risk assessment approved on", null=True, blank=True, help_text="Typed as 18/09/2021."
    )
    meeting_point = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the team meets before the first visit, for the briefing pack.",
    )
    briefing_notes = models.TextField(max_length=4000, blank=True)
    premises = models.ManyToManyField(
        Premises,
        blank=True,
        related_name="operations",
        help_text="Premises to visit.",
        through="OperationPremises",
    )
    cadets = models.ManyToManyField(
        Participant,
        blank=True,
        related_name="operations",
        through="OperationCadet",
        help_text="Cadets taking part, by code only.",
    )
    imported = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "name"], name="operation_name_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="operation_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "completed"]),
                name="operation_status_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="operation_name_not_blank"),
            # An approval names who, when and which assessment, all three or none of them.
            models.CheckConstraint(
                condition=Q(
                    risk_assessment_approved_by__isnull=True,
                    risk_assessment_approved_on__isnull=True,
                )
                | (
                    Q(
                        risk_assessment_approved_by__isnull=False,
                        risk_assessment_approved_on__isnull=False,
                    )
                    & ~Q(risk_assessment_ref="")
                ),
                name="operation_approval_complete",
            ),
            # Approved before the night, and never on a day still to come.
            models.CheckConstraint(
                condition=Q(risk_assessment_approved_on__isnull=True)
                | (
                    Q(risk_assessment_approved_on__lte=F("date"))
                    & Q(risk_assessment_approved_on__lte=Now())
                ),
                name="operation_approval_before_night",
            ),
        ]
        indexes = [models.Index(fields=["force", "-date"], name="operation_force_date")]
        permissions = [
            ("approve_risk_assessment", "Can record an operation's risk assessment as approved")
        ]
        triggers = [
            # The rules of a lawful and safe night (docs/domain.md, "Operations"), checked when
            # a live operation starts: an approved risk assessment, at least one cover officer
            # per cadet, and every cadet's parental permission in force on the operation's date.
            # An approval is of one assessment: its reference cannot change under it.
            pgtrigger.Trigger(
                name="operation_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[
                    *START_RULE_CONSTANTS,
                    ("other_force", "bigint"),
                    ("cadets", "integer"),
                    ("covers", "integer"),
                ],
                func="""
                IF NEW.risk_assessment_approved_by_id IS NOT NULL THEN
                    SELECT force_id INTO other_force FROM accounts_user
                    WHERE id = NEW.risk_assessment_approved_by_id;
                    IF other_force IS DISTINCT FROM NEW.force_id THEN
                        RAISE EXCEPTION 'operation_approver_same_force: '
                            'the risk assessment is approved by a user of the force'
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                IF TG_OP = 'UPDATE'
                    AND NEW.risk_assessment_ref IS DISTINCT FROM OLD.risk_assessment_ref
                    AND NEW.risk_assessment_approved_on IS NOT NULL
                    AND OLD.risk_assessment_approved_on IS NOT NULL
                THEN
                    RAISE EXCEPTION 'operation_approval_names_reference: a changed risk '
                        'assessment reference needs a new approval'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.status = 'in_progress' AND NOT NEW.imported
                    AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status)
                THEN
                    IF NEW.risk_assessment_approved_on IS NULL THEN
                        RAISE EXCEPTION '%', approval_rule
                            USING ERRCODE = 'check_violation';
                    END IF;
                    SELECT count(*) INTO cadets FROM visits_operationcadet
                    WHERE operation_id = NEW.id;
                    SELECT count(*) INTO covers FROM visits_operationmember
                    WHERE operation_id = NEW.id AND role = 'cover';
                    IF covers < cadets THEN
                        RAISE EXCEPTION '%', cover_rule
                            USING ERRCODE = 'check_violation';
                    END IF;
                    IF EXISTS (
                        SELECT 1 FROM visits_operationcadet oc
                        JOIN visits_participant p ON p.id = oc.participant_id
                        WHERE oc.operation_id = NEW.id AND (p.permission_recorded_on IS NULL
                            OR p.permission_recorded_on > NEW.date)
                    ) THEN
                        RAISE EXCEPTION '%', permission_rule
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("visits:operation_detail", args=[self.pk])

    @property
    def has_risk_assessment(self) -> bool:
        return bool(self.risk_assessment_ref.strip())

    @property
    def risk_assessment_approved(self) -> bool:
        return self.risk_assessment_approved_on is not None

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    def visiting_order(self):
        """The checklist's links in visiting order: placed ones by position, then the rest by
        town and postcode, with premises and town joined."""
        return (
            OperationPremises.objects.filter(operation=self)
            .select_related("premises__town")
            .order_by(
                F("position").asc(nulls_last=True),
                "premises__town__name",
                "premises__postcode",
                "premises__name",
                "id",
            )
        )

    def start_problems(self, *, members=None, cadets=None) -> list[str]:
        """What stops the operation starting, in words (docs/domain.md, "Operations"); the
        database holds the same rules (the `operation_rules` trigger). Two queries, or none
        when its members and cadets are given."""
        problems = []
        if not self.risk_assessment_approved:
            problems.append("The risk assessment is not approved yet.")
        if cadets is None:
            cadets = list(self.cadets.order_by("code"))
        if members is None:
            covers = self.members.filter(role=OperationMember.Role.COVER).count()
        else:
            covers = sum(1 for m in members if m.role == OperationMember.Role.COVER)
        if covers < len(cadets):
            problems.append(
                f"{len(cadets)} cadet{'s' if len(cadets) != 1 else ''} booked but "
                f"{covers} cover officer{'s' if covers != 1 else ''}: "
                "each cadet needs a cover officer of their own."
            )
        for cadet in cadets:
            if cadet.permission_recorded_on is None or cadet.permission_recorded_on > self.date:
                problems.append(
                    f"{cadet.code} has no parental permission in force on {self.date:%d %b %Y}."
                )
        return problems

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def offline_until(self) -> "date":  # a string: the field `date` shadows the type here
        """The last day a browser keeps this operation offline: its last day plus one."""
        return (self.end_date or self.date) + timedelta(days=1)


class VisitQuerySet(ForceScopedQuerySet):
    def in_period(self, start=None, end=None):
        """Visits on or after `start` and on or before `end` (dates, inclusive; None = open)."""
        qs = self
        if start:
            qs = qs.filter(visited_on__gte=start)
        if end:
            qs = qs.filter(visited_on__lte=end)
        return qs

    def counted(self):
        """Visits that count in rates: everything but void."""
        return self.exclude(result=Visit.Result.VOID)

    def failed(self):
        """Visits whose staff did not spot and act on the scenario."""
        return self.filter(result=Visit.Result.FAIL)

    def passed(self):
        """Visits whose staff reported to police or refused because of safeguarding concerns."""
        return self.filter(result=Visit.Result.PASS)

    def awaiting_retest(self):
        """Failed visits with no later counted visit to their premises: what a visit there now
        re-tests (a premises has at most one)."""
        later = Visit.objects.filter(
            premises=OuterRef("premises"), visited_at__gt=OuterRef("visited_at")
        ).exclude(result=Visit.Result.VOID)
        return self.failed().exclude(Exists(later))

    def for_list(self):
        """Rows for visit lists: premises, town, officer and operation joined in the same query,
        with only what a list row shows loaded (a visit has some forty fields)."""
        return self.select_related("premises__town", "officer", "operation").only(
            "visited_at",
            "retest_of",
            "outcome",
            "result",
            "premises__name",
            "premises__sector",
            "premises__town__name",
            *(f"officer__{name}" for name in ("first_name", "last_name", "username", "rank")),
            "operation__name",
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Visit(IndicatorsDisplay, models.Model):
    """One scenario test at one premises, with its graded outcome and the debrief that followed."""

    class Outcome(models.TextChoices):
        # Best to worst (docs/domain.md). The keys are fixed: imports and exports use them.
        REPORTED_TO_POLICE = "reported_to_police", "Reported to police (101/999)"
        REFUSED_CONCERNS = "refused_concerns", "Refused because of safeguarding concerns"
        CHALLENGED = "challenged", "Challenged or asked for ID, but did not refuse or report"
        UNEASY = "uneasy", "Went ahead, but staff later said they felt uneasy"
        REFUSED_OTHER = "refused_other", "Refused for a non-safeguarding reason"
        COMPLETED = "completed", "Booking completed unchallenged"
        VOID = "void", "Void: aborted for safety or compromise"

    OUTCOME_HELP = {
        "reported_to_police": "Called 101 or 999, ideally quoting Makesafe. Pass.",
        "refused_concerns": "Refused out of concern for the child. Pass.",
        "challenged": "Questioned the relationship or asked for ID, then went ahead. Fail.",
        "uneasy": "Went ahead; staff said afterwards they felt uneasy. Fail.",
        "refused_other": "Refused for another reason ('no cash', 'no one-night stays'). Fail.",
        "completed": "Room offered, payment taken or key issued. Fail.",
        "void": "Aborted for safety or compromised. Not counted in rates.",
    }

    class Result(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        VOID = "void", "Void"

    PASS_OUTCOMES = ("reported_to_police", "refused_concerns")
    CHALLENGE_OUTCOMES = ("reported_to_police", "refused_concerns", "challenged")

    class Stage(models.TextChoices):
        ENQUIRY = "enquiry", "Enquiry"
        QUESTIONS = "questions", "Questions asked"
        ROOM_OFFERED = "room_offered", "Room offered"
        PAYMENT = "payment", "Payment taken"
        KEY_ISSUED = "key_issued", "Key issued"

    class PoliceContact(models.TextChoices):
        NONE = "none", "None"
        CALL_101 = "101", "Called 101"
        CALL_999 = "999", "Called 999"
        IN_PERSON = "in_person", "In person"
        # Only an imported record may say this: a live visit records what staff did.
        NOT_RECORDED = "not_recorded", "Not recorded (imported record)"

    class Material(models.TextChoices):
        POSTERS = "posters", "Posters"
        TOOLKIT = "toolkit", "Toolkit"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="visits")
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(
        help_text="Date and time of the test, typed as 18/09/2021 20:15."
    )
    visited_on = models.GeneratedField(
        expression=LondonDate("visited_at"),
        output_field=models.DateField(),
        db_persist=True,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits_made", null=True
    )
    participants = models.ManyToManyField(Participant, blank=True, related_name="visits")
    scenario = models.ForeignKey(
        Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    indicators = ArrayField(
        models.CharField(max_length=24, choices=Indicator.choices), default=list, blank=True
    )
    stage_reached = models.CharField(max_length=12, choices=Stage.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    result = models.CharField(max_length=4, choices=Result.choices, editable=False)
    police_contact = models.CharField(
        "police contacted", max_length=12, choices=PoliceContact.choices, default=PoliceContact.NONE
    )
    staff_roles = ArrayField(
        models.CharField(max_length=16, choices=StaffRole.choices), default=list, blank=True
    )
    debrief_held = models.BooleanField(default=True)
    debrief_attendees = ArrayField(
        models.CharField(max_length=16, choices=StaffRole.choices), default=list, blank=True
    )
    debrief_notes = models.TextField(max_length=4000, blank=True)
    material_left = ArrayField(
        models.CharField(max_length=10, choices=Material.choices), default=list, blank=True
    )
    training_offered = models.BooleanField(default=True)
    training_accepted = models.BooleanField(default=False)
    welfare_debrief_done = models.BooleanField("cadet welfare debrief done", default=False)
    retest_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retests"
    )
    risk_assessment_ref = models.CharField(
        "risk assessment reference",
        max_length=60,
        blank=True,
        db_default="",
        help_text="Only outside an operation: a visit in one records the operation's.",
    )
    cadet_age_band = models.CharField(
        "cadets' age band at the visit",
        max_length=5,
        choices=Participant.AgeBand.choices,
        blank=True,
        db_default="",
        editable=False,
        help_text="The youngest band of the cadets on the visit when it was logged.",
    )
    # Live visits logged before the database checked their risk assessment, cadets' permission
    # on the day and age band, that do not meet those checks: kept as they were logged, and
    # marked as such (docs/domain.md). No visit can become one.
    logged_before_checks = models.BooleanField(default=False, db_default=False, editable=False)
    reason = models.TextField(
        max_length=1000,
        blank=True,
        help_text="Required for a non-safeguarding refusal or a void visit.",
    )
    imported = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        permissions = [
            ("change_any_visit", "Can edit any visit of the force"),
            ("import_visit", "Can import historical visits"),
            ("view_reports", "Can view reports of the force's visits"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(outcome__in=["reported_to_police", "refused_concerns"], result="pass")
                    | Q(outcome="void", result="void")
                    | Q(
                        outcome__in=["challenged", "uneasy", "refused_other", "completed"],
                        result="fail",
                    )
                ),
                name="visit_result_matches_outcome",
            ),
            models.CheckConstraint(
                condition=Q(
                    stage_reached__in=[
                        "enquiry",
                        "questions",
                        "room_offered",
                        "payment",
                        "key_issued",
                    ]
                ),
                name="visit_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(police_contact__in=["none", "101", "999", "in_person", "not_recorded"]),
                name="visit_police_contact_valid",
            ),
            # An imported record may not know how staff reported; a live visit always does.
            models.CheckConstraint(
                condition=Q(imported=True) | ~Q(police_contact="not_recorded"),
                name="visit_contact_not_recorded_only_imported",
            ),
            models.CheckConstraint(
                condition=Q(imported=True)
                | Q(logged_before_checks=True)
                | ~Q(risk_assessment_ref=""),
                name="visit_live_has_risk_assessment",
            ),
            models.CheckConstraint(
                condition=Q(imported=True) | Q(logged_before_checks=True) | ~Q(cadet_age_band=""),
                name="visit_live_has_age_band",
            ),
            models.CheckConstraint(
                condition=Q(cadet_age_band__in=["", *Participant.AgeBand.values]),
                name="visit_age_band_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="reported_to_police") | ~Q(police_contact="none"),
                name="visit_report_says_how",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["refused_other", "void"]) | ~Q(reason=""),
                name="visit_reason_required",
            ),
            models.CheckConstraint(
                condition=Q(imported=True) | Q(debrief_held=False) | ~Q(debrief_notes=""),
                name="visit_debrief_notes_required",
            ),
            models.CheckConstraint(
                condition=Q(training_offered=True) | Q(training_accepted=False),
                name="visit_training_accepted_needs_offer",
            ),
            models.CheckConstraint(
                condition=Q(visited_at__lte=Now() + timedelta(minutes=5)),
                name="visit_not_in_future",
            ),
            models.CheckConstraint(
                condition=Q(retest_of__isnull=True) | ~Q(retest_of=F("id")),
                name="visit_not_retest_of_itself",
            ),
            models.CheckConstraint(
                condition=Q(indicators__contained_by=Indicator.values),
                name="visit_indicators_valid",
            ),
            models.CheckConstraint(
                condition=Q(staff_roles__contained_by=StaffRole.values)
                & Q(debrief_attendees__contained_by=StaffRole.values),
                name="visit_staff_roles_valid",
            ),
            models.CheckConstraint(
                condition=Q(material_left__contained_by=["posters", "toolkit"]),
                name="visit_material_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="visit_version_positive"),
        ]
        indexes = [
            models.Index(fields=["force", "-visited_at"], name="visit_force_visited"),
            # Also each premises' latest visit, its result and whether it was imported
            # (timeline, work queue, planner), from the index alone: the id is a key column, so
            # "latest by time, then id" reads the first entry without sorting a premises' visits.
            models.Index(
                fields=["premises", "-visited_at", "-id"],
                include=["result", "imported"],
                name="visit_premises_latest",
            ),
            models.Index(fields=["operation", "premises"], name="visit_operation_premises"),
            models.Index(fields=["force", "officer", "-visited_at"], name="visit_force_officer"),
            # A force's visits by day with what reports count, so the days at a period's edges,
            # the headline totals and training impact are read from the index alone.
            models.Index(
                fields=["force", "visited_on"],
                include=["id", "premises", "result", "outcome", "retest_of", "visited_at"],
                name="visit_force_day",
            ),
            # Counted re-tests by premises and time: the planner's coverage asks which premises
            # were re-tested in the last twelve months, from this small index alone.
            models.Index(
                fields=["premises", "visited_at"],
                condition=Q(retest_of__isnull=False) & ~Q(result="void"),
                name="visit_premises_retests",
            ),
            # Live, counted visits: the sergeants' letters queue, counted on every page they see.
            models.Index(
                fields=["force", "visited_at"],
                include=["id"],
                condition=Q(imported=False) & ~Q(result="void"),
                name="visit_letter_queue",
            ),
        ]
        triggers = [
            # Rules that span tables, so no write can get around the forms: the premises,
            # scenario and operation are the visit's force's, and a re-test follows an earlier
            # visit to the same premises.
            pgtrigger.Trigger(
                name="visit_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[
                    PERMISSION_RULE_CONSTANT,
                    LONDON_CONSTANT,
                    ("other_force", "bigint"),
                    ("earlier_premises", "bigint"),
                    ("earlier_at", "timestamptz"),
                ],
                func="""
                IF NEW.logged_before_checks AND (TG_OP = 'INSERT' OR NOT OLD.logged_before_checks)
                THEN
                    RAISE EXCEPTION 'visit_checks_not_waived: only a visit logged before the '
                        'checks is marked so, and no visit can become one'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF TG_OP = 'UPDATE' AND NOT NEW.imported AND NOT NEW.logged_before_checks
                    AND EXISTS (
                        SELECT 1 FROM visits_visit_participants vp
                        JOIN visits_participant p ON p.id = vp.participant_id
                        WHERE vp.visit_id = NEW.id AND (p.permission_recorded_on IS NULL
                            OR p.permission_recorded_on
                                > (NEW.visited_at AT TIME ZONE london)::date)
                    )
                THEN
                    RAISE EXCEPTION '%', permission_rule USING ERRCODE = 'check_violation';
                END IF;
                SELECT force_id INTO other_force FROM premises_premises WHERE id = NEW.premises_id;
                IF other_force <> NEW.force_id THEN
                    RAISE EXCEPTION 'visit_premises_same_force: '
                        'the premises belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.scenario_id IS NOT NULL THEN
                    SELECT force_id INTO other_force FROM visits_scenario
                    WHERE id = NEW.scenario_id;
                    IF other_force <> NEW.force_id THEN
                        RAISE EXCEPTION 'visit_scenario_same_force: '
                            'the scenario belongs to another force'
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                IF NEW.operation_id IS NOT NULL THEN
                    SELECT force_id INTO other_force FROM visits_operation
                    WHERE id = NEW.operation_id;
                    IF other_force <> NEW.force_id THEN
                        RAISE EXCEPTION 'visit_operation_same_force: '
                            'the operation belongs to another force'
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                IF NEW.retest_of_id IS NOT NULL THEN
                    SELECT premises_id, visited_at INTO earlier_premises, earlier_at
                    FROM visits_visit WHERE id = NEW.retest_of_id;
                    IF earlier_premises <> NEW.premises_id OR earlier_at >= NEW.visited_at THEN
                        RAISE EXCEPTION 'visit_retest_earlier_same_premises: '
                            'a re-test follows an earlier visit to the same premises'
                            USING ERRCODE = 'check_violation';
                    END IF;
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return f"{self.premises.name}, {self.visited_at:%d %b %Y}: {self.get_result_display()}"

    def get_absolute_url(self):
        return reverse("visits:detail", args=[self.pk])

    @classmethod
    def result_for(cls, outcome: str) -> str:
        """The result an outcome grades to: pass, fail or void."""
        if outcome in cls.PASS_OUTCOMES:
            return cls.Result.PASS
        if outcome == cls.Outcome.VOID:
            return cls.Result.VOID
        return cls.Result.FAIL

    @property
    def is_retest(self) -> bool:
        return self.retest_of_id is not None

    @property
    def checks_apply(self) -> bool:
        """Whether the live-visit rules hold for this visit: risk assessment, cadets' permission
        on the day and age band (not for imported visits nor those logged before the checks)."""
        return not self.imported and not self.logged_before_checks

    def can_be_edited_by(self, user) -> bool:
        """Officers edit their own visits; sergeants any visit of their force."""
        if user.force_id != self.force_id:
            return False
        if user.has_perm("visits.change_any_visit"):
            return True
        return user.has_perm("visits.change_visit") and self.officer_id == user.pk

    def get_staff_roles_display(self) -> str:
        labels = dict(StaffRole.choices)
        return ", ".join(labels.get(r, r) for r in self.staff_roles)

    def get_debrief_attendees_display(self) -> str:
        labels = dict(StaffRole.choices)
        return ", ".join(labels.get(r, r) for r in self.debrief_attendees)

    def get_material_left_display(self) -> str:
        labels = dict(self.Material.choices)
        return ", ".join(labels.get(m, m) for m in self.material_left)


@pghistory.track(
    pghistory.InsertEvent("cadet.add", trigger_name="cadet_add"),
    pghistory.DeleteEvent("cadet.remove", trigger_name="cadet_remove"),
    obj_field=None,
)
class VisitParticipant(Visit.participants.through):
    """A cadet on a visit: a row of the table Django makes for `Visit.participants`. A proxy, so
    the table and the many-to-many field stay Django's own; it only carries the table's rule and
    its change history."""

    class Meta:
        proxy = True
        default_permissions = ()
        triggers = [
            pgtrigger.Trigger(
                name="visit_participant_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[
                    PERMISSION_RULE_CONSTANT,
                    LONDON_CONSTANT,
                    ("visit_force", "bigint"),
                    ("cadet_force", "bigint"),
                    ("checked", "boolean"),
                    ("visit_day", "date"),
                    ("permission", "date"),
                ],
                func="""
                SELECT force_id, NOT imported AND NOT logged_before_checks,
                    (visited_at AT TIME ZONE london)::date
                INTO visit_force, checked, visit_day
                FROM visits_visit WHERE id = NEW.visit_id;
                SELECT force_id, permission_recorded_on INTO cadet_force, permission
                FROM visits_participant WHERE id = NEW.participant_id;
                IF visit_force <> cadet_force THEN
                    RAISE EXCEPTION 'visit_participant_same_force: '
                        'the cadet belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF checked AND (permission IS NULL OR permission > visit_day) THEN
                    RAISE EXCEPTION '%', permission_rule USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]


@pghistory.track(
    pghistory.InsertEvent("premises.add", trigger_name="premises_add"),
    pghistory.UpdateEvent("premises.reorder", trigger_name="premises_reorder"),
    pghistory.DeleteEvent("premises.remove", trigger_name="premises_remove"),
    obj_field=None,
)
class OperationPremises(models.Model):
    """A premises on an operation's checklist, at its place in the visiting order.

    The table is the one Django made for `Operation.premises` before the order was kept, so its
    rows and their change history carried over. A premises with no position (just added) comes
    after those placed, by town and postcode (`Operation.visiting_order`)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE)
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Place in the visiting order, from 1."
    )

    class Meta:
        db_table = "visits_operation_premises"
        unique_together = [("operation", "premises")]
        ordering = ["operation", "position", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(position__gte=1),
                name="operation_premises_position_positive",
            ),
        ]

    def __str__(self):
        return f"{self.operation_id}: {self.premises_id} at {self.position}"

    def get_absolute_url(self):
        return reverse("visits:operation_detail", args=[self.operation_id])


class OperationMemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Team places of operations of the user's force."""
        return self.filter(operation__force_id=user.force_id)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class OperationMember(models.Model):
    """An officer of the force booked on an operation, with their role on the night. The lead
    is the operation's `lead_officer`."""

    class Role(models.TextChoices):
        COVER = MEMBER_COVER, "Cover officer"
        HANDLER = "handler", "Cadet handler"

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperationMemberQuerySet.as_manager()

    class Meta:
        ordering = ["operation", "role", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["operation", "user"], name="operation_member_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[MEMBER_COVER, "handler"]), name="operation_member_role_valid"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="operation_member_same_force",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[("operation_force", "bigint"), ("user_force", "bigint")],
                func="""
                SELECT force_id INTO operation_force FROM visits_operation
                WHERE id = NEW.operation_id;
                SELECT force_id INTO user_force FROM accounts_user WHERE id = NEW.user_id;
                IF user_force IS DISTINCT FROM operation_force THEN
                    RAISE EXCEPTION 'operation_member_same_force: '
                        'the officer belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
            running_cover_trigger("operation_member_running_cover"),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.user_id}"

    def get_absolute_url(self):
        return reverse("visits:operation_team", args=[self.operation_id])


@pghistory.track(
    pghistory.InsertEvent("cadet.add", trigger_name="operation_cadet_add"),
    pghistory.DeleteEvent("cadet.remove", trigger_name="operation_cadet_remove"),
    obj_field=None,
)
class OperationCadet(models.Model):
    """A cadet booked on an operation, by code only. Their parental permission must be in force
    on the operation's date (held here as the cadet is booked, and again at the start)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["operation", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "participant"], name="operation_cadet_unique"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="operation_cadet_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[
                    START_RULE_CONSTANTS[2],
                    ("operation_force", "bigint"),
                    ("cadet_force", "bigint"),
                    ("night", "date"),
                    ("live", "boolean"),
                    ("permission", "date"),
                ],
                func="""
                SELECT force_id, date, NOT imported INTO operation_force, night, live
                FROM visits_operation WHERE id = NEW.operation_id;
                SELECT force_id, permission_recorded_on INTO cadet_force, permission
                FROM visits_participant WHERE id = NEW.participant_id;
                IF cadet_force IS DISTINCT FROM operation_force THEN
                    RAISE EXCEPTION 'operation_cadet_same_force: '
                        'the cadet belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF live AND (permission IS NULL OR permission > night) THEN
                    RAISE EXCEPTION '%', permission_rule
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
            running_cover_trigger("operation_cadet_running_cover"),
        ]

    def __str__(self):
        return f"{self.operation_id}: cadet {self.participant_id}"

    def get_absolute_url(self):
        return reverse("visits:operation_team", args=[self.operation_id])


@pghistory.track(
    pghistory.InsertEvent("town.add", trigger_name="town_add"),
    pghistory.DeleteEvent("town.remove", trigger_name="town_remove"),
    obj_field=None,
)
class OperationTown(Operation.towns.through):
    """A town an operation covers: a row of the table Django makes for `Operation.towns`, as a
    proxy that carries the table's change history."""

    class Meta:
        proxy = True
        default_permissions = ()
