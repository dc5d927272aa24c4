"""Status pages: public ones for everyone (no sign-in), and staff pages to open and update incidents and
schedule maintenance. Staff pages answer 404 to everyone else, signed in or not. Thin: read through a
selector, write through a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from statuspage.forms import IncidentForm, IncidentUpdateForm, MaintenanceForm, SubscribeForm
from statuspage.models import Component, Maintenance
from statuspage.selectors import (
    incident_current_states,
    incident_detail,
    incident_list,
    maintenance_list,
    status_snapshot,
)
from statuspage.services import (
    incident_open,
    incident_post_update,
    maintenance_end,
    maintenance_schedule,
    subscriber_confirm,
    subscriber_for_unsubscribe,
    subscriber_subscribe,
    subscriber_unsubscribe,
)
from tenants.scope import scope_for


def _status_of(form) -> int:
    # A form shown again with its mistakes answers 400, as everywhere else in the product.
    return 400 if form.errors else 200


def _add_service_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


# Public ---------------------------------------------------------------------------------------------------


def status(request):
    snapshot = status_snapshot()
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    return render(
        request,
        "statuspage/status.html",
        {"snapshot": snapshot, "subscribe_form": SubscribeForm(initial=initial)},
    )


def incident_page(request, incident_id: int):
    incident = incident_detail(incident_id=incident_id)
    if incident is None:
        raise Http404
    return render(request, "statuspage/incident.html", {"incident": incident})


@require_POST
def subscribe(request):
    form = SubscribeForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        # Signed in with that very address: nothing to confirm. Anyone else confirms from their inbox.
        own = request.user.is_authenticated and email.lower() == request.user.email.lower()
        try:
            subscriber = subscriber_subscribe(email=email, confirmed=own)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if subscriber.confirmed_at:
                messages.success(request, f"{subscriber.email} will get an email on every incident update.")
            else:
                messages.success(request, f"Almost there: follow the link we sent to {subscriber.email}.")
            return redirect("status")
    snapshot = status_snapshot()
    return render(
        request, "statuspage/status.html", {"snapshot": snapshot, "subscribe_form": form}, status=400
    )


def confirm(request, token: str):
    subscriber = subscriber_confirm(token=token)
    if subscriber is None:
        return render(request, "statuspage/link_expired.html", status=404)
    messages.success(request, f"Subscribed: {subscriber.email} will get an email on every incident update.")
    return redirect("status")


# Mail clients POST here without a CSRF token when the reader clicks "unsubscribe" (RFC 8058); the signed
# token is what proves the request.
@csrf_exempt
def unsubscribe(request, token: str):
    if request.method == "POST":
        subscriber = subscriber_for_unsubscribe(token=token)
        email = subscriber.email if subscriber else ""
        if subscriber_unsubscribe(token=token):
            return render(request, "statuspage/unsubscribed.html", {"email": email})
        return render(request, "statuspage/link_expired.html", status=404)
    # A GET (a link scanner, or a click in the email) only asks: it must not unsubscribe anybody by itself.
    subscriber = subscriber_for_unsubscribe(token=token)
    if subscriber is None:
        return render(request, "statuspage/link_expired.html", status=404)
    return render(request, "statuspage/unsubscribe.html", {"subscriber": subscriber, "token": token})


# Staff ----------------------------------------------------------------------------------------------------


def _staff_only(request) -> None:
    if not scope_for(request.user).is_vendor_staff:
        raise Http404


def _components():
    return Component.objects.select_related("group")


def manage(request):
    _staff_only(request)
    now = timezone.now()
    coming, past = maintenance_list(now=now, limit=10)
    incidents = list(incident_list(limit=30))
    return render(
        request,
        "statuspage/manage.html",
        {
            "open_incidents": [incident for incident in incidents if incident.is_open],
            "past_incidents": [incident for incident in incidents if not incident.is_open],
            "coming_maintenance": coming,
            "past_maintenance": past,
            "now": now,
        },
    )


def incident_new(request):
    _staff_only(request)
    form = IncidentForm(request.POST or None, components=_components())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_open(
                actor=request.user,
                title=data["title"],
                status=data["status"],
                body=data["body"],
                component_states=form.component_states(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Incident opened; subscribers are being emailed.")
            return redirect("status_incident_manage", incident.pk)
    return render(request, "statuspage/incident_new.html", {"form": form}, status=_status_of(form))


def incident_manage(request, incident_id: int):
    _staff_only(request)
    incident = incident_detail(incident_id=incident_id)
    if incident is None:
        raise Http404
    form = IncidentUpdateForm(
        request.POST or None,
        components=_components(),
        initial={"status": incident.status},
        initial_states=incident_current_states(incident=incident),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident_post_update(
                incident_id=incident.pk,
                actor=request.user,
                status=data["status"],
                body=data["body"],
                component_states=form.component_states(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Update posted; subscribers are being emailed.")
            return redirect("status_incident_manage", incident.pk)
    return render(
        request,
        "statuspage/incident_manage.html",
        {"incident": incident, "form": form},
        status=_status_of(form),
    )


def maintenance_new(request):
    _staff_only(request)
    form = MaintenanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            maintenance_schedule(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                components=list(data["components"]),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Maintenance scheduled.")
            return redirect("status_manage")
    return render(request, "statuspage/maintenance_new.html", {"form": form}, status=_status_of(form))


def maintenance_stop(request, maintenance_id: int):
    _staff_only(request)  # before anything else: to others this page does not exist, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        maintenance_end(maintenance_id=maintenance_id, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Maintenance.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, "Maintenance ended.")
    return redirect("status_manage")
