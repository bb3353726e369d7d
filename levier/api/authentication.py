"""API token authentication whose user is the actor of the request's audit entries.

auditlog's middleware reads `request.user` before DRF authenticates a token: without this, the reads and
changes made with a token were recorded without their author."""

from rest_framework.authentication import TokenAuthentication

from levier.core.audit import attribute_request_to


class AuditedTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            attribute_request_to(result[0])
        return result
