"""The case API under /api/v1/tickets/: thin views over the ticket services and selectors.

Every route under /tickets/{number}/ derives from ScopedCaseAPIView, which finds the case through the
signed-in user's scope before any handler runs. Another tenant's case therefore answers 404 on every route and
method, exactly like a case that does not exist (domain.md §1), and a handler has no easier way to a case.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from lib.parsers import JSONParser
from tickets.actions import CaseAction
from tickets.models import Case
from tickets.scope import Scope, scope_for
from tickets.selectors import (
    case_attachments,
    case_conversation,
    case_detail,
    case_list_for_portal,
)
from tickets.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CaseListQuerySerializer,
    CaseSerializer,
    CaseSummarySerializer,
    CcSerializer,
    EscalateSerializer,
    NotFixedSerializer,
    ReplyCreateSerializer,
    ReplySerializer,
    SeveritySerializer,
    case_filters_from,
)
from tickets.services import (
    case_action,
    ticket_attach,
    ticket_cc_set,
    ticket_close,
    ticket_confirm,
    ticket_create,
    ticket_escalate,
    ticket_not_fixed,
    ticket_reply,
    ticket_validate_severity,
)


class ScopedAPIView(APIView):
    """Knows the signed-in user's scope (`self.scope`), the one door to tenant data."""

    scope: Scope
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        self.scope = scope_for(request.user)


class ScopedCaseAPIView(ScopedAPIView):
    """Base of every /tickets/{number}/… route. `self.case` is the case found through the scope, loaded before
    the handler (even before a 405), so a case outside the scope is a 404 whatever the method."""

    case: Case
    _final = ("initial", "get_queryset", "get_object", "dispatch")

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

    def case_action(self, action: str):
        """The door for this route's action: `with self.case_action(CaseAction.X) as case:` hands the write
        the case locked and allowed (a refusal is a 403 through supportdesk.api)."""
        return case_action(actor=self.request.user, case=self.case, action=action)

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

    @extend_schema(request=CaseSerializer, responses={201: CaseSerializer})
    def post(self, request):
        form = CaseSerializer(data=request.data, context={"scope": self.scope})
        form.is_valid(raise_exception=True)
        case = ticket_create(requester=request.user, **form.validated_data)
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
            with self.case_action(action) as case:
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
            raise _files_as_file_field(error) from None
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
    """The customer closes the case."""

    @extend_schema(request=None, responses=CaseSerializer)
    def post(self, request, number):
        with self.case_action(CaseAction.CLOSE) as case:
            ticket_close(case=case, actor=request.user)
        return self.case_response()


class CaseSeverity(ScopedCaseAPIView):
    """Support validates the severity (staff only): the first-response deadline follows it."""

    @extend_schema(request=SeveritySerializer, responses=CaseSerializer)
    def post(self, request, number):
        form = SeveritySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with self.case_action(CaseAction.VALIDATE_SEVERITY) as case:
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
