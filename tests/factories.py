"""Factories for every model: valid by default, one force per chain unless told otherwise."""

import datetime
import hashlib
import io

import factory
import pypdf
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Force, User
from premises.models import Operator, Premises, Town
from training.models import (
    GuestInfoRequest,
    IssuedDocument,
    Notice,
    OutcomeLetter,
    QueueAssignment,
    Reminder,
    TrainingSession,
)
from visits.models import (
    Campaign,
    NationalScenario,
    Operation,
    OperationMember,
    Participant,
    Scenario,
    Visit,
)

# Real-shaped postcodes from several postcode areas; all pass the Royal Mail pattern.
POSTCODES = ["IP1 1AA", "IP4 1AX", "IP33 1UZ", "CO10 2XA", "NR32 1UJ", "NR3 1RB", "CB1 2AB"]

TEST_PASSWORD = "correct horse battery staple"


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ["code"]

    # Codes AA, AB, ... ZZ: two capital letters, as the database constraint wants.
    code = factory.Sequence(lambda n: chr(65 + (n // 26) % 26) + chr(65 + n % 26))
    name = factory.LazyAttribute(lambda o: f"{o.code} Constabulary")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@makesafe.invalid")
    force = factory.SubFactory(ForceFactory)
    rank = User.Rank.CONSTABLE
    collar_number = factory.Sequence(lambda n: f"{1000 + n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """`UserFactory(role=roles.OFFICER)` puts the user in that role's group."""
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Town {n}")


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Operator {n}")


class PremisesFactory(factory.django.DjangoModelFactory):
    """`operator` may be given as a name: the force's operator of that name (ignoring case and
    spacing), added if new; blank for none."""

    class Meta:
        model = Premises

    town = factory.SubFactory(TownFactory)
    force = factory.LazyAttribute(lambda o: o.town.force)
    sector = Premises.Sector.HOTEL
    reference = factory.Sequence(lambda n: f"TST-{n:04d}")
    name = factory.Sequence(lambda n: f"Premises {n}")
    operator = None
    address = factory.Sequence(lambda n: f"{n + 1} High Street")
    postcode = factory.Sequence(lambda n: POSTCODES[n % len(POSTCODES)])
    contact_role = Premises.ContactRole.MANAGER

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        name = kwargs.get("operator")
        if isinstance(name, str):
            kwargs["operator"] = (
                (
                    Operator.objects.filter(force=kwargs["force"]).named(name).first()
                    or Operator.objects.create(force=kwargs["force"], name=name)
                )
                if name.strip()
                else None
            )
        return kwargs


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Scenario {n}")
    sectors = factory.LazyFunction(lambda: ["hotel", "bnb"])
    script = "Two cadets ask for a double room for one night and offer to pay cash."
    indicators = factory.LazyFunction(lambda: ["pays_cash", "short_stay"])


class NationalScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalScenario

    name = factory.Sequence(lambda n: f"National scenario {n}")
    version = 1
    sectors = factory.LazyFunction(lambda: ["hotel"])
    script = "A cadet and an older adult ask for a room for a few hours, paying cash."
    indicators = factory.LazyFunction(lambda: ["pays_cash", "short_stay", "not_family"])
    published_by = factory.SubFactory(UserFactory, force=None, national=True, rank="staff")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"C-{n + 1:03d}")
    age_band = Participant.AgeBand.AGE_14_15
    permission_recorded_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=30)
    )


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign week {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    ends_on = factory.LazyFunction(timezone.localdate)


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Operation {n}")
    date = factory.LazyFunction(timezone.localdate)
    risk_assessment_ref = factory.Sequence(lambda n: f"RA-{n:04d}")
    # Approved by default, so that visits can be logged against it (docs/domain.md,
    # "Operations"); `approved=False` leaves it waiting for a sergeant.
    risk_assessment_approved_by = factory.Maybe(
        "approved",
        factory.SubFactory(UserFactory, force=factory.SelfAttribute("..force")),
        None,
    )
    risk_assessment_approved_on = factory.Maybe(
        "approved", factory.LazyAttribute(lambda o: min(o.date, timezone.localdate())), None
    )

    class Params:
        approved = True


class OperationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperationMember

    operation = factory.SubFactory(OperationFactory)
    user = factory.SubFactory(UserFactory, force=factory.SelfAttribute("..operation.force"))
    role = OperationMember.Role.COVER


class VisitFactory(factory.django.DjangoModelFactory):
    """A failed test: the booking went through unchallenged, with a debrief."""

    class Meta:
        model = Visit

    premises = factory.SubFactory(PremisesFactory)
    force = factory.LazyAttribute(lambda o: o.premises.force)
    operation = None
    officer = factory.SubFactory(UserFactory, force=factory.SelfAttribute("..force"))
    visited_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    stage_reached = Visit.Stage.KEY_ISSUED
    outcome = Visit.Outcome.COMPLETED
    result = factory.LazyAttribute(lambda o: Visit.result_for(o.outcome))
    debrief_notes = "Manager briefed on the signs; posters left."
    risk_assessment_ref = factory.LazyAttribute(
        lambda o: o.operation.risk_assessment_ref if o.operation else "RA-VISIT-0001"
    )
    cadet_age_band = Participant.AgeBand.AGE_14_15
    created_by = factory.SelfAttribute("officer")
    updated_by = factory.SelfAttribute("officer")


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """Police training scheduled at the premises a week from now, owned by nobody yet.

    `TrainingSessionFactory(delivered=True)` is one delivered yesterday to six staff.
    """

    class Meta:
        model = TrainingSession

    premises = factory.SubFactory(PremisesFactory)
    force = factory.LazyAttribute(lambda o: o.premises.force)
    status = TrainingSession.Status.SCHEDULED
    scheduled_for = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    provider = TrainingSession.Provider.POLICE
    trainer = "PC Harper"

    class Params:
        delivered = factory.Trait(
            status=TrainingSession.Status.DELIVERED,
            staff_trained=6,
            scheduled_for=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
        )


class OutcomeLetterFactory(factory.django.DjangoModelFactory):
    """A visit's outcome letter, marked sent by the visiting officer."""

    class Meta:
        model = OutcomeLetter

    visit = factory.SubFactory(VisitFactory)
    force = factory.LazyAttribute(lambda o: o.visit.force)
    sent_by = factory.SelfAttribute("visit.officer")


class QueueAssignmentFactory(factory.django.DjangoModelFactory):
    """A training-due row of `subject` (premises by default) given to a new sergeant."""

    class Meta:
        model = QueueAssignment
        exclude = ["subject"]

    subject = factory.SubFactory(PremisesFactory)
    force = factory.LazyAttribute(lambda o: o.subject.force)
    kind = QueueAssignment.Kind.TRAINING_DUE
    subject_id = factory.LazyAttribute(lambda o: o.subject.pk)
    owner = factory.SubFactory(
        UserFactory, force=factory.SelfAttribute("..force"), rank="sergeant", role="Sergeant"
    )


class NoticeFactory(factory.django.DjangoModelFactory):
    """An s.116 notice on a hotel by an inspector, in force since a month ago for 5 months."""

    class Meta:
        model = Notice

    premises = factory.SubFactory(PremisesFactory)
    force = factory.LazyAttribute(lambda o: o.premises.force)
    issued_by = factory.SubFactory(
        UserFactory, force=factory.SelfAttribute("..force"), rank=User.Rank.INSPECTOR
    )
    served_on_role = Notice.ServedOn.MANAGER
    served_on_business = factory.LazyAttribute(lambda o: o.premises.name)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expiry_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=150))
    grounds = "Intelligence reports of adults booking rooms with children for a few hours."


class GuestInfoRequestFactory(factory.django.DjangoModelFactory):
    """A request for guests' names and addresses covering the notice's first week."""

    class Meta:
        model = GuestInfoRequest

    notice = factory.SubFactory(NoticeFactory)
    made_on = factory.LazyAttribute(lambda o: o.notice.start_date + datetime.timedelta(days=8))
    period_start = factory.SelfAttribute("notice.start_date")
    period_end = factory.LazyAttribute(lambda o: o.notice.start_date + datetime.timedelta(days=7))
    due_on = factory.LazyAttribute(lambda o: o.made_on + datetime.timedelta(days=14))
    made_by = factory.SelfAttribute("notice.issued_by")


def blank_pdf() -> bytes:
    """A one-page PDF, made without WeasyPrint so that factories stay fast."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class IssuedDocumentFactory(factory.django.DjangoModelFactory):
    """A visit's outcome letter as issued (a blank page stands in for the letter)."""

    class Meta:
        model = IssuedDocument

    visit = factory.SubFactory(VisitFactory)
    premises = factory.SelfAttribute("visit.premises")
    force = factory.LazyAttribute(lambda o: o.premises.force)
    kind = IssuedDocument.Kind.OUTCOME_LETTER
    issued_on = factory.LazyFunction(timezone.localdate)
    issued_by = factory.SelfAttribute("visit.officer")
    pdf = factory.LazyFunction(blank_pdf)
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.pdf).hexdigest())


class ReminderFactory(factory.django.DjangoModelFactory):
    """Today's digest, as `send_reminders` logs it, to a new sergeant."""

    class Meta:
        model = Reminder

    recipient = factory.SubFactory(UserFactory, rank="sergeant", role="Sergeant")
    force = factory.SelfAttribute("recipient.force")
    kind = Reminder.Kind.DIGEST
    day = factory.LazyFunction(timezone.localdate)
    window_end = factory.LazyFunction(timezone.now)
    item_count = 4
