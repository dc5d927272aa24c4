"""One exception handler for the whole API: domain errors become a 4xx naming the field that is wrong, and a
refused case action a 403 saying why."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.actions import CaseActionRefused


def exception_handler(exc, context):
    if isinstance(exc, CaseActionRefused):
        # In the scope, but not allowed now: say why, and which action.
        return Response({"detail": exc.message, "action": exc.action}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        # Out of scope and missing look the same (domain.md §1).
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
