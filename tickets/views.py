"""Portal and queue pages. Thin: read through a selector, write through a service, render."""

from contextlib import contextmanager
from functools import partial, wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from lib.keys import key_or_none
from lib.pagination import page_of
from lib.snapshot import one_snapshot
from sla.services import first_response_deadline, policy_for
from tenants.models import Membership, StaffRole
from tenants.selectors import case_holders, colleagues_for, contacts_acting_for, filing_eligibility
from tickets.actions import CaseAction, CaseActionRefused, case_actions
from tickets.case_page import (
    case_customer_context,
    case_for_page,
    case_history,
    case_merged_threads,
    case_thread,
    escalation_queue,
)
from tickets.forms import (
    SEVERITY_HELP,
    AssignForm,
    CaseForm,
    CcForm,
    ClearEscalationForm,
    EscalateForm,
    LinkForm,
    MergeForm,
    NotFixedForm,
    ProductForm,
    ReopenForm,
    ReplyForm,
    SeverityForm,
    SplitForm,
    StaffCloseForm,
)
from tickets.macros import macro_render, macros_offered
from tickets.models import Attachment, Case, ResponseKind, Severity, SlaState
from tickets.scope import scope_for
from tickets.selectors import (
    CASE_LIST_SORTS,
    case_attachment,
    case_list_for_portal,
)
from tickets.serializers import case_filters_from
from tickets.services import (
    CaseChanged,
    case_action,
    case_last_event_id,
    case_unchanged_check,
    ticket_assign,
    ticket_cc_set,
    ticket_clear_escalation,
    ticket_close,
    ticket_confirm,
    ticket_create,
    ticket_escalate,
    ticket_link_continuation,
    ticket_merge,
    ticket_not_fixed,
    ticket_reopen,
    ticket_reply,
    ticket_set_product,
    ticket_split,
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
    # The same parameters, translated by the same code, as the API's list; but the page shows open cases
    # until asked otherwise (status=closed, or status=all for every case).
    params = request.GET.copy()
    shown = params.get("status", "active") or "active"
    params["status"] = "" if shown == "all" else shown
    filters, errors = case_filters_from(params)
    for field, problems in errors.items():
        messages.error(request, f"Filter “{field}” ignored: {' '.join(problems)}")
    http_status = 400 if errors else 200
    sort = request.GET.get("sort") if request.GET.get("sort") in CASE_LIST_SORTS else "received"
    now = timezone.now()
    cases = case_list_for_portal(scope=scope, filters=filters, now=now, sort=sort)
    page = page_of(cases, number=request.GET.get("page"), per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    organizations = list(scope.organizations())
    narrowed = any(request.GET.get(name) for name in ("search", "organization", "severity", "sla_state"))
    return render(
        request,
        "tickets/portal.html",
        {
            "eligibility": filing_eligibility(user=request.user),
            # Someone who was deactivated still has their cases; they see none, and are told why.
            "deactivated": Membership.objects.filter(user=request.user, is_active=False)
            .select_related("account")
            .first(),
            "organizations": organizations,
            "page": page,
            "filters": filters,
            "shown": "all" if shown == "all" else filters.status or "active",
            "shown_choices": [("active", "Open"), ("closed", "Closed"), ("all", "All")],
            "sort": sort,
            "narrowed": narrowed,
            # No filter bar for someone with nothing to filter (Free tier, a new account, deactivated).
            "has_cases": bool(page.object_list) or scope.cases().exists(),
            "severities": Severity.choices,
            "sla_states": SlaState.choices,
            "query": query.urlencode(),
            "sales_email": settings.SALES_CONTACT_EMAIL,
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
        return render(
            request,
            "tickets/cannot_file.html",
            {"eligibility": eligibility, "sales_email": settings.SALES_CONTACT_EMAIL},
            status=403,
        )
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
                        continues=continues,
                        **form.case_fields(),
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
        return case_for_page(scope=scope, number=number)
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


def staff_case_action_page(view):
    """Like case_action_page, for support's actions: after the scope, anyone but vendor staff gets a 404 (a
    customer learns nothing from these routes). `staff_only` tells the ownership test so."""

    @login_required
    @wraps(view)
    def wrapper(request, number):
        scope = scope_for(request.user)
        case = _case_or_404(scope, number)
        if not scope.is_vendor_staff:
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, scope, case)

    wrapper.staff_only = True
    return wrapper


@login_required
def case_page(request, number):
    scope = scope_for(request.user)
    with one_snapshot():  # the forms' stamp (last_event) and what the page shows are of one moment
        case = _case_or_404(scope, number)
        return _render_case(request, scope, case)


def _colleagues_to_copy(case: Case):
    """Who the case page offers for its CC list: those who may read the case, bar its requester."""
    return contacts_acting_for(organization=case.organization).exclude(pk=case.requester_id)


# The staff forms of the case page: how each is built, the id prefix that keeps its fields' ids apart, and the
# action it is for (the page builds and draws a form only when case_actions offers its action).
STAFF_FORMS = {
    "assign_form": (AssignForm, "assign_%s", CaseAction.ASSIGN),
    "staff_close_form": (StaffCloseForm, "close_%s", CaseAction.CLOSE),
    "reopen_form": (ReopenForm, "reopen_%s", CaseAction.REOPEN),
    "product_form": (ProductForm, "product_%s", CaseAction.SET_PRODUCT),
    "link_form": (LinkForm, "link_%s", CaseAction.LINK),
    "merge_form": (MergeForm, "merge_%s", CaseAction.MERGE),
    "split_form": (SplitForm, "split_%s", CaseAction.SPLIT),
    "clear_escalation_form": (ClearEscalationForm, "clear_%s", CaseAction.CLEAR_ESCALATION),
}


def _staff_form(name: str, data=None, **kwargs):
    form_class, auto_id, _action = STAFF_FORMS[name]
    if form_class is AssignForm:
        kwargs["engineers"] = case_holders()
    return form_class(data, auto_id=auto_id, **kwargs)


def _render_case(request, scope, case, *, status=200, **forms):
    """The case page. `forms` are bound forms to show again (what was typed, with its errors); every other
    form the page offers is blank, stamped with the last event the page shows (tickets.services.concurrency).
    A form whose action this person may not take now is neither built nor drawn."""
    history = case_history(scope=scope, case=case)
    seen = {"last_event": history.last_event}
    staff = scope.is_vendor_staff
    actions = set(case_actions(scope, case))
    thread = case_thread(scope=scope, case=case)
    context = {
        "case": case,
        "conversation": thread.replies,
        "attachments": thread.files,
        "is_staff": staff,
        # The page offers only what this person may do now (the services check the same).
        "actions": actions,
        "response_kinds": ResponseKind.choices,
        "audit_trail": history.trail,
        "merged_threads": case_merged_threads(scope=scope, case=case) if history.has_duplicates else [],
        "now": timezone.now(),
    }
    context.update(forms)  # shown again whatever is offered now (a refusal is written on its form)
    blank = {
        "reply_form": (
            CaseAction.REPLY,
            lambda: ReplyForm(initial=seen, macros=macros_offered() if staff else None),
        ),
        "escalate_form": (CaseAction.ESCALATE, EscalateForm),
        # "Not fixed" is offered beside "yes, it is fixed".
        "not_fixed_form": (CaseAction.CONFIRM, NotFixedForm),
        "severity_form": (
            CaseAction.VALIDATE_SEVERITY,
            lambda: SeverityForm(initial={"severity": case.severity, **seen}, auto_id="severity_%s"),
        ),
        # The colleagues are read when the page draws the list, once (tickets.forms.ListedChoiceIterator).
        "cc_form": (
            CaseAction.SET_CC,
            lambda: CcForm(colleagues=_colleagues_to_copy(case), initial={"cc": case.cc.all()}),
        ),
    }
    if staff:
        initial = {
            "assign_form": {"assignee": case.assignee_id},
            "product_form": {"product": case.product_id, "version": case.version_id},
            "link_form": {"continues": case.continues.number if case.continues_id else ""},
        }
        for name, (_form_class, _auto_id, action) in STAFF_FORMS.items():
            blank[name] = (action, partial(_staff_form, name, initial={**initial.get(name, {}), **seen}))
    for name, (action, build) in blank.items():
        if name not in forms and action in actions:
            context[name] = build()
    if staff:
        context["customer"] = case_customer_context(scope=scope, case=case)
        context["macros"] = [
            (macro, macro_render(macro=macro, case=case, engineer=request.user)) for macro in macros_offered()
        ]
        context["split_cases"] = (
            list(case.split_cases.order_by("pk").only("number", "subject", "status"))
            if history.has_split_cases
            else []
        )
    return render(request, "tickets/case_detail.html", context, status=status)


@contextmanager
def _page_door(request, case: Case, action: str, last_event: int | None):
    """The door (tickets.services.case_action) and the stale-page check, for every form of the case page."""
    with case_action(actor=request.user, case=case, action=action) as locked:
        case_unchanged_check(case=locked, actor=request.user, last_event=last_event)
        yield locked


def _stale(request, scope, case: Case, changed: CaseChanged, form_name: str, form_class, **kwargs):
    """Someone else changed the case since this page was drawn: show the case as it is now, with the form
    as it was filled in (stamped anew, so that sending it again acts on what is now shown)."""
    messages.error(request, changed.message)
    with one_snapshot():
        case = _case_or_404(scope, case.number)
        data = request.POST.copy()
        data["last_event"] = case_last_event_id(case)
        form = form_class(data, **kwargs)
        form.is_valid()  # shows what was typed as typed; the refusal is the message above
        return _render_case(request, scope, case, status=409, **{form_name: form})


@case_action_page
def case_reply(request, scope, case):
    staff = scope.is_vendor_staff
    macros = macros_offered() if staff else None
    form = ReplyForm(request.POST, request.FILES, macros=macros)
    if staff and "use_macro" in request.POST:
        return _use_macro(request, scope, case, form)
    status = 400
    if form.is_valid():
        action = CaseAction.NOTE if form.cleaned_data["internal"] else CaseAction.REPLY
        try:
            with _page_door(request, case, action, form.cleaned_data["last_event"]) as locked:
                ticket_reply(
                    case=locked,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    internal=form.cleaned_data["internal"],
                    kind=form.cleaned_data["kind"] if staff else "",
                    propose_solution=staff and form.cleaned_data["propose_solution"],
                    attachments=form.cleaned_data["attachments"],
                )
        except CaseChanged as changed:
            if form.cleaned_data["attachments"]:
                messages.warning(request, "Attach your files again: a page cannot keep them.")
            return _stale(request, scope, case, changed, "reply_form", ReplyForm, macros=macros)
        except CaseActionRefused as refusal:
            form.add_error(None, refusal.message)
            status = 403
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Your reply is on the case.")
            return redirect("case_detail", number=case.number)
    return _render_case(request, scope, case, reply_form=form, status=status)


def _use_macro(request, scope, case, form):
    """ "Use macro" without JavaScript: the reply form again, its text (and kind) from the chosen macro."""
    data = request.POST.copy()
    macro = macros_offered().filter(pk=key_or_none(data.get("macro"))).first()
    if macro is None:
        messages.error(request, "Choose a macro first.")
    else:
        data["body"] = macro_render(macro=macro, case=case, engineer=request.user)
        data["kind"] = macro.kind
    form = ReplyForm(data, macros=macros_offered())
    form.is_valid()
    form.errors.clear()  # nothing was sent yet: no complaints about what is still to write
    return _render_case(request, scope, case, reply_form=form)


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
    if scope.is_vendor_staff:
        return _staff_post(
            request,
            scope,
            case,
            "staff_close_form",
            CaseAction.CLOSE,
            lambda case, data: ticket_close(case=case, actor=request.user, reason=data["close_reason"]),
            "The case is closed.",
            aliases={"reason": "close_reason"},
        )
    return _case_action(
        request,
        case,
        CaseAction.CLOSE,
        lambda case: ticket_close(case=case, actor=request.user),
        "The case is closed.",
    )


def _case_form_post(
    request,
    scope,
    case,
    *,
    form_class,
    form_name: str,
    action: str,
    do,
    success: str,
    form_kwargs=None,
    aliases=None,
    then=None,
):
    """Post one of the small forms of the case page: `do(locked_case, cleaned_data)` is the write, run
    through the door for `action` after the stale-page check (tickets.services.concurrency).

    A mistake in one of the form's fields shows the page again with the form, what was typed kept (400).
    A refusal about the case itself (closed, already escalated, not staff) is a message on the case page.
    A case changed by someone else since the page was drawn is shown as it is now, the form kept (409).
    `aliases` maps a service's field names to the form's; `success` is the message (or makes it, after the
    write); `then` is where to go after success.
    """
    form_kwargs = form_kwargs or {}
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            with _page_door(request, case, action, form.cleaned_data.get("last_event")) as locked:
                do(locked, form.cleaned_data)
        except CaseChanged as changed:
            return _stale(request, scope, case, changed, form_name, form_class, **form_kwargs)
        except CaseActionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("case_detail", number=case.number)
        except ValidationError as error:
            if aliases and hasattr(error, "error_dict"):
                error = ValidationError(
                    {aliases.get(field, field): problems for field, problems in error.error_dict.items()}
                )
            if not any(field in form.fields for field in getattr(error, "error_dict", {})):
                messages.error(request, " ".join(error.messages))
                return redirect("case_detail", number=case.number)
            _add_service_errors(form, error)
        else:
            messages.success(request, success() if callable(success) else success)
            return then or redirect("case_detail", number=case.number)
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


@staff_case_action_page
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
        form_kwargs={"auto_id": "severity_%s"},
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


# --- support's actions on the case page: to anyone else these pages are a 404, like a missing case ----------


def _staff_post(request, scope, case, form_name, action, do, success, **options):
    form_class, auto_id, _action = STAFF_FORMS[form_name]
    form_kwargs = {"auto_id": auto_id}
    if form_class is AssignForm:
        form_kwargs["engineers"] = case_holders()
    return _case_form_post(
        request,
        scope,
        case,
        form_class=form_class,
        form_name=form_name,
        action=action,
        do=do,
        success=success,
        form_kwargs=form_kwargs,
        **options,
    )


@staff_case_action_page
def case_assign(request, scope, case):
    """Assign to the engineer chosen, to no one, or (the "Take" button) to yourself."""
    take = "take" in request.POST

    def assign(case, data):
        ticket_assign(case=case, actor=request.user, assignee=request.user if take else data["assignee"])

    return _staff_post(
        request,
        scope,
        case,
        "assign_form",
        CaseAction.ASSIGN,
        assign,
        "You took the case." if take else "The assignee is saved.",
    )


@staff_case_action_page
def case_reopen(request, scope, case):
    return _staff_post(
        request,
        scope,
        case,
        "reopen_form",
        CaseAction.REOPEN,
        lambda case, data: ticket_reopen(case=case, actor=request.user, reason=data["reopen_reason"]),
        "The case is open again.",
        aliases={"reason": "reopen_reason"},
    )


@staff_case_action_page
def case_product(request, scope, case):
    return _staff_post(
        request,
        scope,
        case,
        "product_form",
        CaseAction.SET_PRODUCT,
        lambda case, data: ticket_set_product(
            case=case, actor=request.user, product=data["product"], version=data["version"]
        ),
        "Product and version are saved.",
    )


def _case_by_number(scope, number: str) -> Case | None:
    number = (number or "").strip()
    return scope.cases().filter(number__iexact=number).first() if number else None


@staff_case_action_page
def case_link(request, scope, case):
    def link(case, data):
        continues = _case_by_number(scope, data["continues"])
        if data["continues"].strip() and continues is None:
            raise ValidationError({"continues": "No case has that number."})
        ticket_link_continuation(case=case, actor=request.user, continues=continues)

    return _staff_post(
        request, scope, case, "link_form", CaseAction.LINK, link, "The continued case is saved."
    )


@staff_case_action_page
def case_merge(request, scope, case):
    def merge(case, data):
        into = _case_by_number(scope, data["into"])
        if into is None:
            raise ValidationError({"into": "No case has that number."})
        ticket_merge(case=case, actor=request.user, into=into)

    return _staff_post(
        request, scope, case, "merge_form", CaseAction.MERGE, merge, "Merged: this duplicate is closed."
    )


@staff_case_action_page
def case_split(request, scope, case):
    made = []

    def split(case, data):
        made.extend(
            ticket_split(
                case=case, actor=request.user, issues=data["cases"], close_original=data["close_original"]
            )
        )

    return _staff_post(
        request,
        scope,
        case,
        "split_form",
        CaseAction.SPLIT,
        split,
        lambda: f"Split into {', '.join(new.number for new in made)}; each keeps this case's received time.",
    )


@staff_case_action_page
def case_clear_escalation(request, scope, case):
    back = request.POST.get("back") == "escalations"
    return _staff_post(
        request,
        scope,
        case,
        "clear_escalation_form",
        CaseAction.CLEAR_ESCALATION,
        lambda case, data: ticket_clear_escalation(case=case, actor=request.user, note=data["note"]),
        f"The escalation of {case.number} is cleared; the customer sees your note.",
        then=redirect("escalation_queue") if back else None,
    )


@login_required
def escalations(request):
    """The supervisors' escalation queue: escalated open cases, the longest-waiting first."""
    scope = scope_for(request.user)
    if not (scope.is_vendor_staff and request.user.staff_role in (StaffRole.SUPERVISOR, StaffRole.ADMIN)):
        raise Http404
    cases = escalation_queue(scope=scope)
    forms = [
        (case, ClearEscalationForm(initial={"back": "escalations"}, auto_id=f"clear_{case.pk}_%s"))
        for case in cases
    ]
    return render(request, "tickets/escalations.html", {"rows": forms, "now": timezone.now()})


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
