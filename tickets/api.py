"""The case API under /api/v1/tickets/: thin views over the ticket services and selectors.

Every route under /tickets/{number}/ derives from ScopedCaseAPIView, which finds the case through the
signed-in user's scope before any handler runs. Another tenant's case therefore answers 404 on every route and
method, exactly like a case that does not exist (domain.md §1), and a handler has no easier way to a case.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from lib.parsers import JSONParser
from tickets.actions import CaseAction
from tickets.models import Case, CaseEvent, ResponseKind
from tickets.scope import Scope, scope_for
from tickets.selectors import (
    case_attachments,
    case_conversation,
    case_detail,
    case_list_for_portal,
)
from tickets.serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseListQuerySerializer,
    CaseSerializer,
    CaseSummarySerializer,
    CcSerializer,
    ClearEscalationSerializer,
    EscalateSerializer,
    EventSerializer,
    LinkSerializer,
    MergeSerializer,
    NotFixedSerializer,
    ProductSerializer,
    ReopenSerializer,
    ReplyCreateSerializer,
    ReplySerializer,
    SeveritySerializer,
    SplitSerializer,
    StaffCloseSerializer,
    StaffFilingSerializer,
    StaffReplySerializer,
    case_filters_from,
)
from tickets.services import (
    CaseChanged,
    case_action,
    case_last_event_id,
    case_unchanged_check,
    ticket_assign,
    ticket_attach,
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


class ScopedAPIView(APIView):
    """Knows the signed-in user's scope (`self.scope`), the one door to tenant data."""

    scope: Scope
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        self.scope = scope_for(request.user)


class CaseConflict(APIException):
    """409: the case changed since the client's `last_event` (tickets.services.concurrency)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class ScopedCaseAPIView(ScopedAPIView):
    """Base of every /tickets/{number}/… route. `self.case` is the case found through the scope, loaded before
    the handler (even before a 405), so a case outside the scope is a 404 whatever the method.

    A route with `staff_only = True` is support's alone: to anyone else it is a 404 too, after the scope
    (so a customer learns nothing from it about which cases exist)."""

    case: Case
    staff_only = False
    _final = ("initial", "get_queryset", "get_object", "dispatch", "case_action")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls._final if name in vars(cls)]
        if overridden:
            raise TypeError(f"{cls.__name__} must not override {overridden}: use self.case.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            self.case = case_detail(scope=self.scope, number=kwargs["number"])
        except Case.DoesNotExist:
            raise Http404 from None
        if self.staff_only and not self.scope.is_vendor_staff:
            raise Http404

    @contextmanager
    def case_action(self, action: str, last_event: int | None = None):
        """The door for this route's action: `with self.case_action(CaseAction.X) as case:` hands the write
        the case locked and allowed (a refusal is a 403 through supportdesk.api). With the `last_event` the
        client saw, a change by someone else since is a 409 and nothing is written."""
        try:
            with case_action(actor=self.request.user, case=self.case, action=action) as locked:
                case_unchanged_check(case=locked, actor=self.request.user, last_event=last_event)
                yield locked
        except CaseChanged as changed:
            conflict = CaseConflict(changed.message)
            # The id stays a number (APIException would make every value of a dict a string).
            conflict.detail = {"detail": conflict.detail, "last_event": case_last_event_id(self.case)}
            raise conflict from None

    def case_response(self) -> Response:
        """The case as it is now, after a service changed it."""
        case = case_detail(scope=self.scope, number=self.case.number)
        return Response(CaseSerializer(case, context={"scope": self.scope}).data)


def _files_as_file_field(error: ValidationError) -> ValidationError:
    """The services name uploads `attachments`; this API takes them as multipart `file` parts."""
    if hasattr(error, "error_dict") and "attachments" in error.error_dict:
        errors = error.message_dict
        errors["file"] = errors.pop("attachments")
        return ValidationError(errors)
    return error


def _reply_fields_as_sent(error: ValidationError, data) -> ValidationError:
    """The services name the response type `kind`; a client that speaks of `response_type` (the staff API's
    name) is told about the field it knows."""
    if hasattr(error, "error_dict") and "kind" in error.error_dict and "kind" not in data:
        errors = error.message_dict
        errors["response_type"] = errors.pop("kind")
        return ValidationError(errors)
    return error


class CaseListCreate(ScopedAPIView):
    """The cases the signed-in user may see, newest first; or file a new one."""

    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(parameters=[CaseListQuerySerializer], responses=CaseSummarySerializer(many=True))
    def get(self, request):
        filters, errors = case_filters_from(request.query_params)
        if errors:
            raise ValidationError(errors)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            case_list_for_portal(scope=self.scope, filters=filters), request, view=self
        )
        return paginator.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    @extend_schema(
        request=CaseSerializer,
        responses={201: CaseSerializer},
        description="Staff file for a contact (a phone or chat case) by adding `requester` (the contact's "
        "email) and `channel` (phone or chat); everything else is checked as if the contact filed it.",
    )
    def post(self, request):
        filing = {"requester": request.user}
        if self.scope.is_vendor_staff:
            staff = StaffFilingSerializer(data=request.data)
            staff.is_valid(raise_exception=True)
            filing = {**staff.validated_data, "filed_by": request.user}
        form = CaseSerializer(data=request.data, context={"scope": scope_for(filing["requester"])})
        form.is_valid(raise_exception=True)
        case = ticket_create(**filing, **form.validated_data)
        case = case_detail(scope=self.scope, number=case.number)
        answer = CaseSerializer(case, context={"scope": self.scope}).data
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Location": answer["url"]})


class CaseDetail(ScopedCaseAPIView):
    """One case: every field under the name it was posted with, and what support made of it."""

    @extend_schema(responses=CaseSerializer)
    def get(self, request, number):
        return Response(CaseSerializer(self.case, context={"scope": self.scope}).data)


class CaseReplies(ScopedCaseAPIView):
    """The conversation (customers never see internal notes), or a new message: JSON, or multipart with
    `file` parts to attach files to it."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses=ReplySerializer(many=True))
    def get(self, request, number):
        replies = case_conversation(scope=self.scope, case=self.case)
        return Response(ReplySerializer(replies, many=True).data)

    @extend_schema(request=ReplyCreateSerializer, responses={201: ReplySerializer})
    def post(self, request, number):
        form = ReplyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        action = CaseAction.NOTE if form.validated_data["internal"] else CaseAction.REPLY
        try:
            with self.case_action(action, form.validated_data.get("last_event")) as case:
                reply = ticket_reply(
                    case=case,
                    author=request.user,
                    body=form.validated_data["body"],
                    internal=form.validated_data["internal"],
                    kind=form.validated_data["kind"],
                    propose_solution=form.validated_data["propose_solution"],
                    attachments=form.validated_data.get("file", []),
                )
        except ValidationError as error:
            raise _reply_fields_as_sent(_files_as_file_field(error), request.data) from None
        return Response(ReplySerializer(reply).data, status=status.HTTP_201_CREATED)


class CaseConfirm(ScopedCaseAPIView):
    """The customer confirms the proposed solution: the case closes."""

    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request, number):
        with self.case_action(CaseAction.CONFIRM) as case:
            ticket_confirm(case=case, actor=request.user)
        return self.case_response()


class CaseNotFixed(ScopedCaseAPIView):
    """The customer says the proposed solution did not fix it: the case opens again."""

    @extend_schema(request=NotFixedSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = NotFixedSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.NOT_FIXED) as case:
            ticket_not_fixed(case=case, actor=request.user, body=form.validated_data["body"])
        return self.case_response()


class CaseClose(ScopedCaseAPIView):
    """Close the case: the customer, or support with a reason (resolved, duplicate, withdrawn)."""

    @extend_schema(request=StaffCloseSerializer, responses=CaseSerializer)
    def post(self, request, number):
        if not self.scope.is_vendor_staff:
            with self.case_action(CaseAction.CLOSE) as case:
                ticket_close(case=case, actor=request.user)
            return self.case_response()
        form = StaffCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.CLOSE, form.validated_data.get("last_event")) as case:
            ticket_close(case=case, actor=request.user, reason=form.validated_data["reason"])
        return self.case_response()


class CaseSeverity(ScopedCaseAPIView):
    """Support validates the severity (staff only): the first-response deadline follows it."""

    staff_only = True

    @extend_schema(request=SeveritySerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = SeveritySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.VALIDATE_SEVERITY, form.validated_data.get("last_event")) as case:
            ticket_validate_severity(
                case=case,
                actor=request.user,
                severity=form.validated_data["severity"],
                reason=form.validated_data["reason"],
            )
        return self.case_response()


class CaseEscalate(ScopedCaseAPIView):
    """Ask for an escalation: supervisors are told and the case joins the escalation queue."""

    @extend_schema(request=EscalateSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = EscalateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.ESCALATE) as case:
            ticket_escalate(case=case, actor=request.user, reason=form.validated_data["reason"])
        return self.case_response()


class CaseCc(ScopedCaseAPIView):
    """Replace the CC list with these contacts of the case's account."""

    @extend_schema(request=CcSerializer, responses={200: CaseSerializer, 204: None})
    def put(self, request, number):
        form = CcSerializer(data=request.data, context={"scope": self.scope})
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.SET_CC) as case:
            ticket_cc_set(case=case, actor=request.user, users=form.validated_data["cc"])
        if not self.scope.cases().filter(pk=self.case.pk).exists():
            # A colleague who took themselves off the list can no longer read it: saved, nothing to show.
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.case_response()


class CaseAttachments(ScopedCaseAPIView):
    """The files of a case the reader may download, or new files (multipart, one `file` part each)."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request, number):
        attachments = case_attachments(scope=self.scope, case=self.case)
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer(many=True)})
    def post(self, request, number):
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            with self.case_action(CaseAction.ATTACH) as case:
                made = ticket_attach(case=case, actor=request.user, files=form.validated_data["file"])
        except ValidationError as error:
            raise _files_as_file_field(error) from None
        return Response(AttachmentSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


# --- staff actions: support's alone; to anyone else these routes are a 404, like a missing case -----------


class StaffCaseAPIView(ScopedCaseAPIView):
    staff_only = True


class CaseAssign(StaffCaseAPIView):
    """Assign the case to an engineer (`assignee`: an email), unassign it (`assignee`: null), or take it."""

    @extend_schema(request=AssignSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = AssignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        assignee = request.user if data["take"] else data["assignee"]
        with self.case_action(CaseAction.ASSIGN, data.get("last_event")) as case:
            ticket_assign(case=case, actor=request.user, assignee=assignee)
        return self.case_response()


class _KindOfReply(StaffCaseAPIView):
    """A public reply of one kind; `body` is what the customer reads."""

    kind = ResponseKind.ANSWER
    propose_solution = False

    @extend_schema(request=StaffReplySerializer, responses={201: ReplySerializer})
    def post(self, request, number):
        form = StaffReplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.REPLY, form.validated_data.get("last_event")) as case:
            reply = ticket_reply(
                case=case,
                author=request.user,
                body=form.validated_data["body"],
                kind=self.kind,
                propose_solution=self.propose_solution,
            )
        return Response(ReplySerializer(reply).data, status=status.HTTP_201_CREATED)


class CaseRequestInfo(_KindOfReply):
    """Ask the customer for information: the case waits on them (and may close by itself, domain.md §6)."""

    kind = ResponseKind.REQUEST_INFO


class CaseProposeSolution(_KindOfReply):
    """Propose a solution (an answer): the customer confirms it or says it did not fix it."""

    kind = ResponseKind.ANSWER
    propose_solution = True


class CaseReopen(StaffCaseAPIView):
    """Reopen a closed case, with a reason."""

    @extend_schema(request=ReopenSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = ReopenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.REOPEN, form.validated_data.get("last_event")) as case:
            ticket_reopen(case=case, actor=request.user, reason=form.validated_data["reason"])
        return self.case_response()


class CaseSplit(StaffCaseAPIView):
    """Split the case: one new case per issue, each keeping this one's received time (and so its deadline)."""

    @extend_schema(request=SplitSerializer, responses={201: CaseSummarySerializer(many=True)})
    def post(self, request, number):
        form = SplitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with self.case_action(CaseAction.SPLIT, data.get("last_event")) as case:
            made = ticket_split(
                case=case,
                actor=request.user,
                issues=[dict(issue) for issue in data["cases"]],
                close_original=data["close_original"],
            )
        made = case_list_for_portal(scope=self.scope).filter(pk__in=[new.pk for new in made]).order_by("pk")
        return Response(CaseSummarySerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class CaseMerge(StaffCaseAPIView):
    """Merge this case, a duplicate, into another case of the same account (`into`): this one closes."""

    @extend_schema(request=MergeSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = MergeSerializer(data=request.data, context={"scope": self.scope})
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.MERGE, form.validated_data.get("last_event")) as case:
            ticket_merge(case=case, actor=request.user, into=form.validated_data["into"])
        return self.case_response()


class CaseLink(StaffCaseAPIView):
    """Name the closed case this one continues (`continues`: its number, or null)."""

    @extend_schema(request=LinkSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = LinkSerializer(data=request.data, context={"scope": self.scope})
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.LINK, form.validated_data.get("last_event")) as case:
            ticket_link_continuation(
                case=case, actor=request.user, continues=form.validated_data["continues"]
            )
        return self.case_response()


class CaseProduct(StaffCaseAPIView):
    """Set the product and version the case is about (the version must be one of the product's)."""

    @extend_schema(request=ProductSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = ProductSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with self.case_action(CaseAction.SET_PRODUCT, data.get("last_event")) as case:
            ticket_set_product(
                case=case, actor=request.user, product=data["product"], version=data.get("version")
            )
        return self.case_response()


class CaseClearEscalation(StaffCaseAPIView):
    """A supervisor clears the escalation, with a note the customer sees."""

    @extend_schema(request=ClearEscalationSerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = ClearEscalationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.CLEAR_ESCALATION, form.validated_data.get("last_event")) as case:
            ticket_clear_escalation(case=case, actor=request.user, note=form.validated_data["note"])
        return self.case_response()


class CaseEvents(StaffCaseAPIView):
    """The audit trail, oldest first: who did what, when, from what to what, and why."""

    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, number):
        events = CaseEvent.objects.filter(case=self.case).select_related("actor").order_by("created_at", "pk")
        return Response(EventSerializer(events, many=True).data)
