"""The register of premises that Makesafe visits test: hotels, B&Bs, pubs, taxi firms and more."""

import re

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Trim, Upper
from django.urls import reverse

from accounts.models import Force, ForceScopedQuerySet

from .validators import (
    PHONE_DB_REGEX,
    POSTCODE_DB_REGEX,
    normalise_postcode,
    validate_phone,
    validate_postcode,
    validate_uprn,
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Town(models.Model):
    """A town or city within a force's area; premises are grouped and reported by town."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="towns")
    name = models.CharField(max_length=80)
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("force", Upper("name"), name="town_name_unique_per_force"),
            models.CheckConstraint(condition=~Q(name=""), name="town_name_not_blank"),
            models.CheckConstraint(condition=Q(version__gte=1), name="town_version_positive"),
        ]
        triggers = [
            # premises_town_same_force, from the town's side (Premises has the other): a town
            # with premises cannot move to another force. Only when its force changes.
            pgtrigger.Trigger(
                name="town_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.UpdateOf("force_id"),
                condition=pgtrigger.AnyChange("force"),
                func="""
                IF EXISTS (
                    SELECT 1 FROM premises_premises
                    WHERE town_id = NEW.id AND force_id <> NEW.force_id
                ) THEN
                    RAISE EXCEPTION 'premises_town_same_force: '
                        'the town has premises of another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("premises:town_edit", args=[self.pk])


def operator_key(name):
    """An operator name as its key, in SQL: runs of spaces (tabs, line breaks) as one space,
    trimmed, in upper case.
    `name` is an expression (a column, or Value() of a typed name), so the stored key and a
    typed name's key come from the same database function."""
    return Upper(
        Trim(
            Func(
                name,
                Value("[[:space:]]+"),
                Value(" "),
                Value("g"),
                function="regexp_replace",
                output_field=models.CharField(),
            )
        )
    )


def normalise_operator_name(name: str) -> str:
    """An operator name as typed, trimmed, with runs of spaces as one space."""
    return " ".join((name or "").split())


class OperatorQuerySet(ForceScopedQuerySet):
    def named(self, name: str):
        """The operator (at most one per force) whose name is `name`, ignoring case and spacing."""
        return self.filter(key=operator_key(Value(name, output_field=models.CharField())))

    def with_counts(self):
        """Each operator with its number of premises (all, and active) and of their towns."""
        return self.annotate(
            premises_count=models.Count("premises"),
            active_count=models.Count("premises", filter=Q(premises__active=True)),
            towns_count=models.Count("premises__town", distinct=True),
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Operator(models.Model):
    """A company, chain or brand behind premises of one force, possibly across towns.

    Its name is unique in the force ignoring case and runs of spaces (the `key`, kept by the
    database): a typed name that matches an operator's key is that operator. Duplicates found
    later are merged (premises.services.operator_merge)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="operators")
    name = models.CharField(max_length=150)
    key = models.GeneratedField(
        expression=operator_key(F("name")),
        output_field=models.CharField(max_length=150),
        db_persist=True,
    )
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperatorQuerySet.as_manager()
    # What its name is made of: the History names a deleted (merged) operator from these.
    NAME_FIELDS = ("name",)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("merge_operator", "Can merge duplicate operators")]
        constraints = [
            models.UniqueConstraint(fields=["force", "key"], name="operator_name_unique_per_force"),
            models.CheckConstraint(condition=~Q(key=""), name="operator_name_not_blank"),
            models.CheckConstraint(condition=Q(version__gte=1), name="operator_version_positive"),
        ]
        triggers = [
            # premises_operator_same_force, from the operator's side (Premises has the other).
            pgtrigger.Trigger(
                name="operator_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.UpdateOf("force_id"),
                condition=pgtrigger.AnyChange("force"),
                func="""
                IF EXISTS (
                    SELECT 1 FROM premises_premises
                    WHERE operator_id = NEW.id AND force_id <> NEW.force_id
                ) THEN
                    RAISE EXCEPTION 'premises_operator_same_force: '
                        'the operator has premises of another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("premises:operator_detail", args=[self.pk])


class Sector(models.TextChoices):
    HOTEL = "hotel", "Hotel"
    BNB = "bnb", "B&B / guest house"
    LICENSED = "licensed", "Licensed premises (pub, bar, club)"
    TAXI = "taxi", "Taxi or private hire"
    TAKEAWAY = "takeaway", "Takeaway / fast food"
    OTHER = "other", "Other"


# The results of a visit that count (visits.models.Visit.Result, all but void): the register's
# "never tested" and "last result" filters read them.
COUNTED_RESULTS = ("pass", "fail")


class PremisesQuerySet(ForceScopedQuerySet):
    def active(self):
        """Premises still trading and in scope for visits."""
        return self.filter(active=True)

    def not_disposed(self):
        """Premises whose content has not been erased at a retention review: the only ones that
        can still be edited, reactivated or re-imported."""
        return self.filter(disposed_at__isnull=True)

    def search(self, text: str):
        """Premises whose name, reference, postcode or operator contains `text`."""
        text = (text or "").strip()
        if not text:
            return self
        compact = re.sub(r"\s+", "", text).upper()
        return self.filter(
            Q(name__icontains=text)
            | Q(reference__iexact=text)
            | Q(reference__istartswith=text)
            | Q(postcode__startswith=normalise_postcode(text) if len(compact) >= 5 else compact)
            | Q(operator__name__icontains=text)
        )

    def never_tested(self):
        """Premises with no counted visit: none at all, or void ones only."""
        return self.exclude(visits__result__in=COUNTED_RESULTS)

    def last_result(self, result: str):
        """Premises whose latest counted visit had `result` ("pass" or "fail")."""
        # Read through the premises' own `visits` relation, from the premises-and-time index of
        # visits: the visits app sits above this one, so its model is not imported here.
        latest = (
            Premises.objects.filter(pk=OuterRef("pk"), visits__result__in=COUNTED_RESULTS)
            .order_by("-visits__visited_at", "-visits__id")
            .values("visits__result")[:1]
        )
        return self.annotate(last_result=Subquery(latest)).filter(last_result=result)

    def for_list(self):
        """Rows for the register list: town and operator joined, nothing else loaded."""
        return self.select_related("town", "operator").only(
            "id",
            "reference",
            "name",
            "sector",
            "operator__id",
            "operator__name",
            "postcode",
            "active",
            "updated_at",
            "town__id",
            "town__name",
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Premises(models.Model):
    """A business that may be visited: one row per site, belonging to one force."""

    Sector = Sector

    # Letter used in generated references, e.g. SUF-H-0001 for a Suffolk hotel.
    SECTOR_LETTERS = {
        Sector.HOTEL: "H",
        Sector.BNB: "B",
        Sector.LICENSED: "L",
        Sector.TAXI: "T",
        Sector.TAKEAWAY: "F",
        Sector.OTHER: "O",
    }

    # The sectors an s.116 notice can apply to: hotels, B&Bs and guest houses.
    S116_SECTORS = (Sector.HOTEL, Sector.BNB)

    class ContactRole(models.TextChoices):
        MANAGER = "manager", "Manager"
        DUTY_MANAGER = "duty_manager", "Duty manager"
        OWNER = "owner", "Owner"
        LICENSEE = "licensee", "Licensee / DPS"
        RECEPTION = "reception", "Reception lead"
        OPERATOR = "operator", "Operator / controller"
        OTHER = "other", "Other"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="premises")
    reference = models.CharField(
        max_length=20,
        blank=True,
        help_text="Leave blank to generate one, for example SUF-H-0001.",
    )
    name = models.CharField(max_length=150)
    sector = models.CharField(max_length=10, choices=Sector.choices)
    operator = models.ForeignKey(
        Operator,
        verbose_name="operator or chain",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="premises",
        help_text="The company or brand behind the premises, if any.",
    )
    address = models.TextField(
        max_length=400, help_text="Street address, without town or postcode."
    )
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="premises")
    postcode = models.CharField(max_length=8, validators=[validate_postcode])
    uprn = models.CharField(
        "UPRN",
        max_length=12,
        blank=True,
        validators=[validate_uprn],
        help_text="Unique Property Reference Number, if known (up to 12 digits).",
    )
    licence_reference = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(max_length=254, blank=True)
    contact_role = models.CharField(
        "manager or contact role",
        max_length=20,
        choices=ContactRole.choices,
        default=ContactRole.MANAGER,
    )
    notes = models.TextField(max_length=2000, blank=True)
    active = models.BooleanField(default=True)
    disposed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When retention review erased the content."
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PremisesQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "premises"
        ordering = ["name", "id"]
        permissions = [
            ("deactivate_premises", "Can deactivate or reactivate premises"),
            ("import_premises", "Can import premises from a CSV file"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "reference"], name="premises_reference_unique_per_force"
            ),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^[A-Z0-9][A-Z0-9/-]{0,19}$"),
                name="premises_reference_format",
            ),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values),
                name="premises_sector_valid",
            ),
            models.CheckConstraint(
                condition=Q(postcode__regex=POSTCODE_DB_REGEX)
                | Q(postcode="", disposed_at__isnull=False),
                name="premises_postcode_format",
            ),
            models.CheckConstraint(
                condition=Q(uprn="") | Q(uprn__regex=r"^[0-9]{1,12}$"), name="premises_uprn_format"
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=PHONE_DB_REGEX), name="premises_phone_format"
            ),
            models.CheckConstraint(
                condition=Q(email="") | Q(email__contains="@"), name="premises_email_format"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="premises_name_not_blank"),
            models.CheckConstraint(
                condition=~Q(address="") | Q(disposed_at__isnull=False),
                name="premises_address_not_blank",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="premises_version_positive"),
        ]
        indexes = [
            # With the id: the reports join a force's premises to its visits by town and
            # sector from this index alone.
            models.Index(
                fields=["force", "town", "sector"],
                include=["id"],
                name="premises_force_town_sector",
            ),
            models.Index(fields=["force", "postcode"], name="premises_force_postcode"),
            models.Index(fields=["force", "-updated_at"], name="premises_force_updated"),
        ]
        triggers = [
            # So no write around the forms (the support site, bulk or raw SQL) can mix two forces.
            pgtrigger.Trigger(
                name="premises_rules",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("town_id", "force_id", "operator_id"),
                declare=[("town_force", "bigint")],
                func="""
                SELECT force_id INTO town_force FROM premises_town WHERE id = NEW.town_id;
                IF town_force <> NEW.force_id THEN
                    RAISE EXCEPTION 'premises_town_same_force: the town belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                IF NEW.operator_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM premises_operator
                    WHERE id = NEW.operator_id AND force_id = NEW.force_id
                ) THEN
                    RAISE EXCEPTION 'premises_operator_same_force: '
                        'the operator belongs to another force'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
            # Disposal at a retention review (retention_erase_premises) is final: the row keeps
            # its reference and counts, and nothing may change, reactivate or refill it.
            pgtrigger.Trigger(
                name="premises_disposed_final",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__disposed_at__isnull=False),
                func="""
                RAISE EXCEPTION 'premises_disposed_final: the premises was disposed of'
                    USING ERRCODE = 'check_violation';
                """,
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.reference})" if self.reference else self.name

    def get_absolute_url(self):
        return reverse("premises:detail", args=[self.pk])

    @property
    def can_receive_s116_notice(self) -> bool:
        """Only hotels, B&Bs and guest houses can receive an s.116 notice."""
        return self.sector in self.S116_SECTORS

    @property
    def reference_prefix(self) -> str:
        return f"{self.force.code}-{self.SECTOR_LETTERS[self.sector]}-"
