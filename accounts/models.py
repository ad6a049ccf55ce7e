"""Forces and the people who use Makesafe."""

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from psycopg2.extensions import adapt

from .roles import NATIONAL_COORDINATOR

force_code_validator = RegexValidator(
    r"^[A-Z]{2,6}$", "Use 2 to 6 capital letters, for example SUF."
)
collar_number_validator = RegexValidator(
    r"^[A-Za-z0-9]{1,10}$", "Use up to 10 letters and digits, without spaces."
)


class ForceScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rows of the user's own force (none for a user without a force)."""
        if not user.is_authenticated or not user.force_id:
            return self.none()
        return self.filter(force_id=user.force_id)


class ForceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's own force (none for a user without a force)."""
        if not user.is_authenticated or not user.force_id:
            return self.none()
        return self.filter(pk=user.force_id)

    def sharing_national_figures(self):
        """Forces whose counts go into the national figures (their force admin opted in)."""
        return self.filter(national_figures=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Force(models.Model):
    """A police force. Every record in Makesafe belongs to exactly one force."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        max_length=6,
        unique=True,
        validators=[force_code_validator],
        help_text="Short code used in premises references, for example SUF.",
    )
    training_due_days = models.PositiveSmallIntegerField(
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after a failed visit within which training is due.",
    )
    retest_due_days = models.PositiveSmallIntegerField(
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(730)],
        help_text="Days after training (or a declined offer) within which a re-test is due.",
    )
    letter_due_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days after a visit within which the written outcome letter is due.",
    )
    review_period_years = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Years after the last activity on a premises' records before they are reviewed.",
    )
    followup_horizon_months = models.PositiveSmallIntegerField(
        "follow-up horizon (months)",
        default=12,
        db_default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Imported failed visits older than this are history: they are not put in "
        "the work queue as training due.",
    )
    training_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who businesses contact about training, printed on outcome letters.",
    )
    # Defaults in the database too: rows written by SQL (bench/generate.py) need not name them.
    reminder_from_email = models.EmailField(
        "reminder sender address",
        blank=True,
        default="",
        db_default="",
        help_text="The address the daily reminders come from. Leave blank for the service's.",
    )
    national_figures = models.BooleanField(
        "share figures with the national coordinator",
        default=False,
        db_default=False,
        help_text="Add this force's counts (never its records) to the national figures: "
        "visits, premises visited and rates, by force, sector and month.",
    )
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,6}$"), name="force_code_format"
            ),
            models.CheckConstraint(
                condition=Q(training_due_days__gte=1, training_due_days__lte=365)
                & Q(retest_due_days__gte=30, retest_due_days__lte=730)
                & Q(letter_due_days__gte=1, letter_due_days__lte=90),
                name="force_follow_up_periods_sane",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="force_version_positive"),
            models.CheckConstraint(
                condition=Q(followup_horizon_months__gte=1, followup_horizon_months__lte=120),
                name="force_followup_horizon_sane",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:force_settings")


class Rank(models.TextChoices):
    CONSTABLE = "constable", "Constable"
    SERGEANT = "sergeant", "Sergeant"
    INSPECTOR = "inspector", "Inspector"
    CHIEF_INSPECTOR = "chief_inspector", "Chief Inspector"
    SUPERINTENDENT = "superintendent", "Superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent", "Chief Superintendent"
    STAFF = "staff", "Police staff"


RANK_LABELS = dict(Rank.choices)


# The rule that ties a user's role to their scope, with the role's name as a constant.
ROLE_SCOPE_RULE = (
    "user_role_matches_scope: the National coordinator role is for national users only, "
    "and national users hold no other role"
)
ROLE_SCOPE_CONSTANTS = [
    ("national_role", f"CONSTANT text := {adapt(NATIONAL_COORDINATOR).getquoted().decode()}"),
    ("scope_rule", f"CONSTANT text := {adapt(ROLE_SCOPE_RULE).getquoted().decode()}"),
]

RESET_EVENT = "password_reset"  # the history label of a password set by a force admin


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Users of the same force as `user` (none for a user without a force)."""
        if not user.is_authenticated or not user.force_id:
            return self.none()
        return self.filter(force_id=user.force_id)


class MakesafeUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # A password set for someone else (by a force admin) is recorded, never the password.
    pghistory.ManualEvent(RESET_EVENT),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A member of a force: police officer or police staff. Superusers are for support only."""

    Rank = Rank
    # The columns str(user) reads: lists of people load only these.
    NAME_FIELDS = ("first_name", "last_name", "username", "rank")

    # Ranks that may sign an s.116 notice (inspector or above).
    INSPECTOR_OR_ABOVE = (
        Rank.INSPECTOR,
        Rank.CHIEF_INSPECTOR,
        Rank.SUPERINTENDENT,
        Rank.CHIEF_SUPERINTENDENT,
    )

    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    national = models.BooleanField(
        "national coordinator",
        default=False,
        db_default=False,
        help_text="Not tied to a force: sees national figures only, never a record. Leave the "
        "force blank and give the National coordinator role.",
    )
    rank = models.CharField(max_length=24, choices=Rank.choices, default=Rank.CONSTABLE)
    collar_number = models.CharField(
        "collar or staff number",
        max_length=10,
        blank=True,
        validators=[collar_number_validator],
    )
    wants_digest = models.BooleanField(
        "email me the daily digest",
        default=True,
        db_default=True,
        help_text="Each morning, how many rows of the work queue are due: counts and links only.",
    )
    # Bumped by every save of the admin's edit form (details and role), for optimistic locking.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MakesafeUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(force__isnull=False) | Q(is_superuser=True) | Q(national=True),
                name="user_force_required_unless_superuser",
            ),
            # A national coordinator belongs to no force, and is not a support superuser.
            models.CheckConstraint(
                condition=Q(national=False) | Q(force__isnull=True, is_superuser=False),
                name="user_national_has_no_force",
            ),
            models.CheckConstraint(
                condition=Q(rank__in=Rank.values),
                name="user_rank_valid",
            ),
            models.UniqueConstraint(
                fields=["force", "collar_number"],
                condition=~Q(collar_number=""),
                name="user_collar_number_unique_per_force",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="user_version_positive"),
        ]
        triggers = [
            # Making a user national (or no longer) while they hold a role would break the rule
            # the roles' table keeps (UserRole): take the role away first.
            pgtrigger.Trigger(
                name="user_scope_keeps_roles",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__national__df=pgtrigger.F("new__national")),
                declare=ROLE_SCOPE_CONSTANTS,
                func="""
                IF EXISTS (SELECT 1 FROM accounts_user_groups ug WHERE ug.user_id = NEW.id) THEN
                    RAISE EXCEPTION '%', scope_rule USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return self.display_name(self.first_name, self.last_name, self.username, self.rank)

    @staticmethod
    def display_name(first_name: str, last_name: str, username: str, rank: str) -> str:
        """ "Sergeant Sam Jones" (police staff without a rank): what str(user) shows."""
        name = f"{first_name} {last_name}".strip() or username
        return name if rank == Rank.STAFF else f"{RANK_LABELS.get(rank, rank)} {name}"

    def get_absolute_url(self):
        return reverse("accounts:user_edit", args=[self.pk])

    @property
    def role_names(self) -> list[str]:
        """Names of the user's roles (Django groups)."""
        return [group.name for group in self.groups.all()]

    @property
    def is_national_coordinator(self) -> bool:
        """A signed-in, active national user: the only one who may see the national figures."""
        return self.is_authenticated and self.is_active and self.national and not self.force_id

    @property
    def is_inspector_or_above(self) -> bool:
        return self.rank in self.INSPECTOR_OR_ABOVE


@pghistory.track(
    pghistory.InsertEvent("role.add", trigger_name="role_add"),
    pghistory.DeleteEvent("role.remove", trigger_name="role_remove"),
    obj_field=None,
)
class UserRole(User.groups.through):
    """A user's role: a row of the table Django makes for `User.groups`. A proxy, so the table
    and the many-to-many field stay Django's own; it only carries the table's change history."""

    class Meta:
        proxy = True
        default_permissions = ()
        triggers = [
            # The national coordinator role only for national users (no force); the roles of a
            # force only for users who are not national (who have a force: User's constraints).
            pgtrigger.Trigger(
                name="user_role_scope",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                declare=[*ROLE_SCOPE_CONSTANTS, ("role_name", "text"), ("is_national", "boolean")],
                func="""
                SELECT name INTO role_name FROM auth_group WHERE id = NEW.group_id;
                SELECT national INTO is_national FROM accounts_user WHERE id = NEW.user_id;
                IF (role_name = national_role) IS DISTINCT FROM is_national THEN
                    RAISE EXCEPTION '%', scope_rule USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]


@pghistory.track(
    pghistory.InsertEvent("permission.add", trigger_name="permission_add"),
    pghistory.DeleteEvent("permission.remove", trigger_name="permission_remove"),
    obj_field=None,
)
class UserPermission(User.user_permissions.through):
    """A permission given to one user outside their role (the support site can): a row of the
    table Django makes for `User.user_permissions`, as a proxy that carries its history."""

    class Meta:
        proxy = True
        default_permissions = ()


class Submission(models.Model):
    """A create form's one-time key, claimed by its first POST (accounts/submission.py).

    A repeat of that POST (a double click, a browser retry, a resend after a lost response, an
    offline visit sent twice) finds the key taken and is answered with the record the first one
    saved. The unique key is what makes two POSTs at the same moment safe: the second waits on
    the first's insert and then fails.
    """

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    path = models.CharField(
        max_length=500, blank=True, help_text="Where the first POST sent its user: the record."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="submission_user_at")]

    def __str__(self):
        return f"{self.key} by {self.user} at {self.created_at:%d %b %Y %H:%M}"

    def get_absolute_url(self):
        return self.path or "/"
