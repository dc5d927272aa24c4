"""Portal and queue pages. Thin: read through a selector, write through a service, render."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from lib.keys import key_or_none
from lib.pagination import page_of
from sla.services import first_response_deadline, policy_for
from tenants.selectors import colleagues_for, contacts_acting_for, filing_eligibility
from tickets.actions import CaseAction, CaseActionRefused, case_actions
from tickets.forms import (
    SEVERITY_HELP,
    CaseForm,
    CcForm,
    EscalateForm,
    NotFixedForm,
    ReplyForm,
    SeverityForm,
)
from tickets.models import Attachment, Case, ResponseKind, Severity, SlaState, Status
from tickets.scope import scope_for
from tickets.selectors import (
    case_attachment,
    case_conversation,
    case_detail,
    case_list_for_portal,
    case_queue,
)
from tickets.serializers import case_filters_from
from tickets.services import (
    case_action,
    ticket_cc_set,
    ticket_close,
    ticket_confirm,
    ticket_create,
    ticket_escalate,
    ticket_not_fixed,
    ticket_reply,
    ticket_validate_severity,
)

PAGE_SIZE = 25


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form field it names (or at the top), keeping what was typed."""
    aliases = {"best_time_to_contact": "best_time_from"}
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            field = aliases.get(field, field)
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def portal(request):
    scope = scope_for(request.user)
    if scope.is_vendor_staff:
        return redirect("queue")
    # The same parameters, translated by the same code, as the API's list.
    filters, errors = case_filters_from(request.GET)
    for field, problems in errors.items():
        messages.error(request, f"Filter “{field}” ignored: {' '.join(problems)}")
    http_status = 400 if errors else 200
    now = timezone.now()
    cases = case_list_for_portal(scope=scope, filters=filters, now=now)
    page = page_of(cases, number=request.GET.get("page"), per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    organizations = list(scope.organizations())
    return render(
        request,
        "tickets/portal.html",
        {
            "eligibility": filing_eligibility(user=request.user),
            "organizations": organizations,
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "severities": Severity.choices,
            "sla_states": SlaState.choices,
            "query": query.urlencode(),
            "now": now,
        },
        status=http_status,
    )


def _response_promise(*, contract, severity: int):
    """When we would answer a case filed now at this severity (the same SLA code as the case itself)."""
    if contract is None:
        return None
    policy = policy_for(tier=contract.tier, severity=severity)
    if policy is None:
        return None
    return first_response_deadline(policy=policy, received_at=timezone.now()).due


@login_required
def case_new(request):
    scope = scope_for(request.user)
    eligibility = filing_eligibility(user=request.user)
    if not eligibility.can_file:
        return render(request, "tickets/cannot_file.html", {"eligibility": eligibility}, status=403)
    form_kwargs = {
        "organizations": scope.organizations(),
        "contract": eligibility.contract,
        "colleagues": colleagues_for(scope=scope).exclude(pk=request.user.pk),
        "time_zone": request.user.time_zone,
    }
    if request.method == "POST":
        form = CaseForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            continues = None
            if data["continues"]:
                continues = scope.cases().filter(number=data["continues"].strip()).first()
                if continues is None:
                    form.add_error("continues", "No case of yours has that number.")
            if form.is_valid():
                try:
                    case = ticket_create(
                        requester=request.user,
                        organization=data["organization"],
                        category=data["category"],
                        subject=data["subject"],
                        description=data["description"],
                        requested_severity=data["requested_severity"],
                        best_time_from=data["best_time_from"],
                        best_time_to=data["best_time_to"],
                        contact_time_zone=data["contact_time_zone"],
                        product=data["product"],
                        version=data["version"],
                        device_id=data["device_id"],
                        operating_system=data["operating_system"],
                        os_version=data["os_version"],
                        contact_phone=data["contact_phone"],
                        troubleshooting=data["troubleshooting"],
                        continues=continues,
                        cc=list(data["cc"]),
                        attachments=data["attachments"],
                    )
                except ValidationError as error:
                    _add_service_errors(form, error)
                else:
                    messages.success(
                        request, f"Case {case.number} is filed. We will respond by the time shown below."
                    )
                    return redirect("case_detail", number=case.number)
    else:
        initial = {"continues": request.GET.get("continues", "")[:20], "contact_phone": request.user.phone}
        form = CaseForm(initial=initial, **form_kwargs)
    severity = key_or_none(form["requested_severity"].value())
    return render(
        request,
        "tickets/case_new.html",
        {
            "form": form,
            "eligibility": eligibility,
            "severity_help": SEVERITY_HELP,
            "promise": severity and _response_promise(contract=eligibility.contract, severity=severity),
            "today": timezone.localdate(),
            "max_bytes": settings.ATTACHMENT_MAX_BYTES,
            "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.is_bound else 200,
    )


def _case_or_404(scope, number: str) -> Case:
    try:
        return case_detail(scope=scope, number=number)
    except Case.DoesNotExist:
        raise Http404 from None


def case_action_page(view):
    """A page that acts on one case: the case is found in the reader's scope first (404 for anyone else,
    whatever the method, exactly as for a case that does not exist), then only POST is taken (405); the view
    gets the scope and the case it found."""

    @login_required
    @wraps(view)
    def wrapper(request, number):
        scope = scope_for(request.user)
        case = _case_or_404(scope, number)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, scope, case)

    return wrapper


@login_required
def case_page(request, number):
    scope = scope_for(request.user)
    case = _case_or_404(scope, number)
    return _render_case(request, scope, case)


def _colleagues_to_copy(case: Case):
    """Who the case page offers for its CC list: those who may read the case, bar its requester."""
    return contacts_acting_for(organization=case.organization).exclude(pk=case.requester_id)


def _render_case(
    request,
    scope,
    case,
    *,
    reply_form=None,
    escalate_form=None,
    not_fixed_form=None,
    severity_form=None,
    status=200,
):
    return render(
        request,
        "tickets/case_detail.html",
        {
            "case": case,
            "conversation": case_conversation(scope=scope, case=case),
            "attachments": case.attachments.filter(reply__isnull=True),
            "reply_form": reply_form or ReplyForm(),
            "escalate_form": escalate_form or EscalateForm(),
            "not_fixed_form": not_fixed_form or NotFixedForm(),
            "severity_form": severity_form or SeverityForm(initial={"severity": case.severity}),
            "cc_form": CcForm(colleagues=_colleagues_to_copy(case), initial={"cc": list(case.cc.all())}),
            "is_staff": scope.is_vendor_staff,
            # The page offers only what this person may do now (the services check the same).
            "actions": set(case_actions(scope, case)),
            "response_kinds": ResponseKind.choices,
            "now": timezone.now(),
        },
        status=status,
    )


@case_action_page
def case_reply(request, scope, case):
    form = ReplyForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        staff = scope.is_vendor_staff
        action = CaseAction.NOTE if form.cleaned_data["internal"] else CaseAction.REPLY
        try:
            with case_action(actor=request.user, case=case, action=action) as locked:
                ticket_reply(
                    case=locked,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    internal=form.cleaned_data["internal"],
                    kind=form.cleaned_data["kind"] if staff else "",
                    propose_solution=staff and form.cleaned_data["propose_solution"],
                    attachments=form.cleaned_data["attachments"],
                )
        except CaseActionRefused as refusal:
            form.add_error(None, refusal.message)
            status = 403
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Your reply is on the case.")
            return redirect("case_detail", number=case.number)
    return _render_case(request, scope, case, reply_form=form, status=status)


def _case_action(request, case, action: str, write, success: str):
    """Run a case action that takes no input through the door; its outcome is a message on the case page."""
    try:
        with case_action(actor=request.user, case=case, action=action) as locked:
            write(locked)
    except CaseActionRefused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("case_detail", number=case.number)


@case_action_page
def case_confirm(request, scope, case):
    return _case_action(
        request,
        case,
        CaseAction.CONFIRM,
        lambda case: ticket_confirm(case=case, actor=request.user),
        "Thank you: the case is closed.",
    )


@case_action_page
def case_not_fixed(request, scope, case):
    return _case_form_post(
        request,
        scope,
        case,
        form_class=NotFixedForm,
        form_name="not_fixed_form",
        action=CaseAction.NOT_FIXED,
        do=lambda case, data: ticket_not_fixed(case=case, actor=request.user, body=data["body"]),
        success="The case is open again; support will follow up.",
    )


@case_action_page
def case_close(request, scope, case):
    return _case_action(
        request,
        case,
        CaseAction.CLOSE,
        lambda case: ticket_close(case=case, actor=request.user),
        "The case is closed.",
    )


def _case_form_post(request, scope, case, *, form_class, form_name: str, action: str, do, success: str):
    """Post one of the small forms of the case page: `do(locked_case, cleaned_data)` is the write, run
    through the door for `action`.

    A mistake in one of the form's fields shows the page again with the form, what was typed kept (400).
    A refusal about the case itself (closed, already escalated, not staff) is a message on the case page.
    """
    form = form_class(request.POST)
    if form.is_valid():
        try:
            with case_action(actor=request.user, case=case, action=action) as locked:
                do(locked, form.cleaned_data)
        except CaseActionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("case_detail", number=case.number)
        except ValidationError as error:
            if not any(field in form.fields for field in getattr(error, "error_dict", {})):
                messages.error(request, " ".join(error.messages))
                return redirect("case_detail", number=case.number)
            _add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("case_detail", number=case.number)
    return _render_case(request, scope, case, status=400, **{form_name: form})


@case_action_page
def case_escalate(request, scope, case):
    return _case_form_post(
        request,
        scope,
        case,
        form_class=EscalateForm,
        form_name="escalate_form",
        action=CaseAction.ESCALATE,
        do=lambda case, data: ticket_escalate(case=case, actor=request.user, reason=data["reason"]),
        success="Escalation requested: a support supervisor has been told.",
    )


@case_action_page
def case_severity(request, scope, case):
    return _case_form_post(
        request,
        scope,
        case,
        form_class=SeverityForm,
        form_name="severity_form",
        action=CaseAction.VALIDATE_SEVERITY,
        do=lambda case, data: ticket_validate_severity(
            case=case, actor=request.user, severity=data["severity"], reason=data["reason"]
        ),
        success="Severity set; the first-response deadline follows it.",
    )


@case_action_page
def case_cc(request, scope, case):
    form = CcForm(request.POST, colleagues=_colleagues_to_copy(case))
    if not form.is_valid():
        messages.error(request, "Choose colleagues from the list.")
        return redirect("case_detail", number=case.number)
    response = _case_action(
        request,
        case,
        CaseAction.SET_CC,
        lambda case: ticket_cc_set(case=case, actor=request.user, users=list(form.cleaned_data["cc"])),
        "The CC list is saved.",
    )
    if not scope.cases().filter(pk=case.pk).exists():
        messages.info(request, f"You are no longer copied on {case.number}.")
        return redirect("portal")
    return response


@login_required
def attachment_download(request, attachment_id):
    """Files are never on a public URL: each download checks that the reader may see the case."""
    try:
        attachment = case_attachment(scope=scope_for(request.user), attachment_id=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def queue(request):
    scope = scope_for(request.user)
    if not scope.is_vendor_staff:
        raise Http404
    now = timezone.now()
    page = page_of(case_queue(scope=scope, now=now), number=request.GET.get("page"), per_page=50)
    return render(request, "tickets/queue.html", {"page": page, "now": now})
