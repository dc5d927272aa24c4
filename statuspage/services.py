"""Writes of the status page: incidents and their updates, maintenance, subscriptions.

Every write calls `status_changed()`, which bumps the cache generation the public snapshot is keyed on
(statuspage/selectors.py), so readers see the change at once; incident updates queue one email per confirmed
subscriber in the same transaction (statuspage/outbox.py). Writes take `actor` and `now` and check no
permission: the staff pages and the admin decide who may call them.
"""

import datetime
import uuid

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from statuspage.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AffectedComponent,
    Component,
    ComponentState,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    Subscriber,
)
from statuspage.outbox import status_emails_queue_confirmation, status_emails_queue_update
from statuspage.selectors import GENERATION_KEY

UNSUBSCRIBE_SALT = "statuspage.unsubscribe"
CONFIRM_SALT = "statuspage.confirm"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
# An unconfirmed address is sent at most one confirmation per this long, however often it is typed in.
CONFIRMATION_INTERVAL = datetime.timedelta(hours=1)
# Maintenance is announced at most a year ahead and lasts at most a week: anything farther or longer is a
# typing mistake, not a plan (and a date near the year 9999 cannot even be shown in every time zone). Longer
# work is announced as several windows.
MAINTENANCE_MAX_AHEAD = datetime.timedelta(days=365)
MAINTENANCE_MAX_LENGTH = datetime.timedelta(days=7)


def status_changed() -> None:
    """A new cache generation now (readers in this transaction see the change) and again on commit (so a
    reader who cached the old state meanwhile does not keep it)."""

    def bump():
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump, robust=True)


def _check_text(*, title: str | None = None, body: str) -> None:
    errors = {}
    if title is not None and not title.strip():
        errors["title"] = "Give the incident a title."
    elif title is not None and len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"Keep the title under {TITLE_MAX_LENGTH} characters."
    if not body.strip():
        errors["body"] = "Say what is happening."
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = f"Keep the update under {BODY_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)


def _affected_rows(update: IncidentUpdate, component_states: dict[int, str]) -> list[AffectedComponent]:
    """Rows for the components not operational; a resolving update affects none."""
    if update.status == IncidentStatus.RESOLVED:
        return []
    if any(state not in ComponentState.values for state in component_states.values()):
        raise ValidationError({"components": "Choose a state from the list for each component."})
    wanted = {pk: state for pk, state in component_states.items() if state != ComponentState.OPERATIONAL}
    known = set(Component.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if known != set(wanted):
        raise ValidationError({"components": "One of the components no longer exists."})
    return [AffectedComponent(update=update, component_id=pk, state=state) for pk, state in wanted.items()]


def _post(
    *, incident: Incident, actor, status: str, body: str, component_states, now: datetime.datetime
) -> IncidentUpdate:
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, body=body.strip(), created_at=now, author=actor
    )
    AffectedComponent.objects.bulk_create(_affected_rows(update, component_states))
    status_emails_queue_update(update=update)
    status_changed()
    return update


@transaction.atomic
def incident_open(
    *,
    actor,
    title: str,
    status: str,
    body: str,
    component_states: dict[int, str],
    now: datetime.datetime | None = None,
) -> Incident:
    """Open an incident with its first update: its status (not resolved), what staff say, and the state of
    each component it affects ({component id: state}; operational ones are ignored). Subscribers are
    emailed."""
    now = now or timezone.now()
    _check_text(title=title, body=body)
    if status not in IncidentStatus.values or status == IncidentStatus.RESOLVED:
        raise ValidationError({"status": "A new incident is investigating, identified or monitoring."})
    incident = Incident.objects.create(title=title.strip(), status=status, started_at=now, created_by=actor)
    _post(
        incident=incident, actor=actor, status=status, body=body, component_states=component_states, now=now
    )
    return incident


@transaction.atomic
def incident_post_update(
    *,
    incident_id: int,
    actor,
    status: str,
    body: str,
    component_states: dict[int, str],
    now: datetime.datetime | None = None,
) -> IncidentUpdate:
    """Add an update to an open incident: its new status, what staff say, and the state of each component it
    still affects. Resolving sets every component back to operational and closes the incident. Locks the
    incident row, so two staff posting at once each add one update in turn. Subscribers are emailed."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if not incident.is_open:
        raise ValidationError({"status": "This incident is resolved; open a new one if it happens again."})
    _check_text(body=body)
    if status not in IncidentStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    update = _post(
        incident=incident, actor=actor, status=status, body=body, component_states=component_states, now=now
    )
    incident.status = status
    incident.resolved_at = now if status == IncidentStatus.RESOLVED else None
    incident.save(update_fields=["status", "resolved_at"])
    return update


@transaction.atomic
def maintenance_schedule(
    *,
    actor,
    title: str,
    description: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    components: list[Component],
    now: datetime.datetime | None = None,
) -> Maintenance:
    """Announce maintenance: its components show "under maintenance" from `starts_at` until `ends_at`. The
    window starts within MAINTENANCE_MAX_AHEAD of `now`, lasts at most MAINTENANCE_MAX_LENGTH and is not
    over yet."""
    now = now or timezone.now()
    errors = {}
    if not title.strip():
        errors["title"] = "Give the maintenance a title."
    if starts_at > now + MAINTENANCE_MAX_AHEAD:
        errors["starts_at"] = "Schedule maintenance to start within a year."
    if ends_at <= starts_at:
        errors["ends_at"] = "The end must come after the start."
    elif ends_at - starts_at > MAINTENANCE_MAX_LENGTH:
        errors["ends_at"] = (
            f"A maintenance window lasts at most {MAINTENANCE_MAX_LENGTH.days} days; "
            "announce longer work as several windows."
        )
    elif ends_at <= now:
        errors["ends_at"] = "This window is already over."
    if not components:
        errors["components"] = "Choose the components under maintenance."
    if errors:
        raise ValidationError(errors)
    maintenance = Maintenance.objects.create(
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        created_at=now,
    )
    maintenance.components.set(components)
    status_changed()
    return maintenance


@transaction.atomic
def maintenance_end(*, maintenance_id: int, actor, now: datetime.datetime | None = None) -> Maintenance:
    """End maintenance now (done early), or cancel it if it has not started: it then never happened."""
    now = now or timezone.now()
    maintenance = Maintenance.objects.select_for_update().get(pk=maintenance_id)
    if maintenance.ends_at <= now:
        raise ValidationError({"ends_at": "This maintenance is already over."})
    if maintenance.starts_at >= now:
        maintenance.delete()
    else:
        maintenance.ends_at = now
        maintenance.save(update_fields=["ends_at"])
    status_changed()
    return maintenance


# Subscriptions ------------------------------------------------------------------------------------------


def unsubscribe_token(subscriber: Subscriber) -> str:
    """Signed, never expiring; names the subscription row, so it dies with it (a new subscription of the same
    address gets a new token)."""
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=CONFIRM_SALT)


def _subscriber_from(
    token: str, *, salt: str, max_age: datetime.timedelta | None = None
) -> Subscriber | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Subscriber.objects.filter(pk=data.get("id"), email=data.get("email")).first()


def subscriber_for_unsubscribe(*, token: str) -> Subscriber | None:
    return _subscriber_from(token, salt=UNSUBSCRIBE_SALT)


@transaction.atomic
def subscriber_subscribe(*, email: str, confirmed: bool, now: datetime.datetime | None = None) -> Subscriber:
    """Subscribe an address to incident emails. `confirmed` when the signed-in owner of the address asks;
    otherwise the address gets a confirmation link first (at most one per CONFIRMATION_INTERVAL), and no
    incident email until it is followed. Subscribing twice changes nothing."""
    now = now or timezone.now()
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an email address."}) from None
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
                email=email, defaults={"created_at": now}
            )
    except IntegrityError:  # the same address, subscribed at the same moment by another request
        subscriber = Subscriber.objects.select_for_update().get(email=email)
    if subscriber.confirmed_at is not None:
        return subscriber
    if confirmed:
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["confirmed_at"])
        return subscriber
    if (
        subscriber.confirmation_sent_at is None
        or subscriber.confirmation_sent_at <= now - CONFIRMATION_INTERVAL
    ):
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["confirmation_sent_at"])
        status_emails_queue_confirmation(subscriber=subscriber, now=now)
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token: str, now: datetime.datetime | None = None) -> Subscriber | None:
    """Follow a confirmation link (valid CONFIRM_MAX_AGE). Returns the subscriber, None for a bad link."""
    now = now or timezone.now()
    subscriber = _subscriber_from(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if subscriber is not None and subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, token: str) -> bool:
    """One click: the subscription is gone, with the emails still waiting for it. False for a bad or
    already used link."""
    subscriber = subscriber_for_unsubscribe(token=token)
    if subscriber is None:
        return False
    subscriber.delete()  # waiting emails lose their subscriber and are skipped when their turn comes
    return True
