"""Optimistic concurrency: ETags, conditional GET and If-Match on writes.

Every detail response carries an ETag derived from the record's identity and `updated_at`
(which every save bumps). A GET with a current If-None-Match answers 304. A PUT, PATCH or
DELETE with If-Match is checked inside the write's transaction, after the row is locked
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), so two researchers
who read the same version cannot both write over it: the second gets 412 with the current
ETag, reloads, and decides.
"""

import hashlib

from django.db import transaction
from django.utils.http import parse_etags
from rest_framework import exceptions, status
from rest_framework.response import Response

WRITE_ACTIONS = {"update", "partial_update", "destroy"}  # the detail writes


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it: fetch it again and reapply."
    default_code = "precondition_failed"

    def __init__(self, etag):
        super().__init__()
        self.etag = etag


def etag_for(instance) -> str:
    """A strong ETag: changes whenever the record is saved."""
    meta = instance._meta
    stamp = f"{meta.label}:{instance.pk}:{instance.updated_at.isoformat()}"
    return f'"{hashlib.sha256(stamp.encode()).hexdigest()[:32]}"'


class ConditionalReadMixin:
    """ETags and If-None-Match (304) on a viewset's detail, and If-Match for its writes."""

    def filter_queryset(self, queryset):
        # A detail action finds its record by id alone: the list's filters and ordering are
        # not its parameters (the schema lists them for lists only), and building the filter
        # set for nothing was a quarter of a detail request's time.
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def get_locked_object(self):
        """The record, read after locking its row for the rest of the transaction.

        get_object() first (it checks visibility and permissions and gives the 404s), then
        the bare row is locked by primary key (the view's queryset may have joins or a GROUP
        BY that FOR UPDATE refuses), then the record is read again: a writer that waited
        for the lock sees what the previous one committed.
        """
        instance = self.get_object()
        model = type(instance)
        model._base_manager.select_for_update().filter(pk=instance.pk).values_list("pk").get()
        return self.get_object()

    def check_if_match(self, request, instance):
        header = request.headers.get("If-Match")
        if header is None:
            return
        current = etag_for(instance)
        if header.strip() != "*" and current not in parse_etags(header):
            raise PreconditionFailed(current)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        etag = etag_for(instance)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(self.get_serializer(instance).data, headers={"ETag": etag})


class ConditionalUpdateMixin:
    """PUT and PATCH under If-Match, the row locked (with ConditionalReadMixin)."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_locked_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return Response(serializer.data, headers={"ETag": etag_for(serializer.instance)})


class ConditionalDestroyMixin:
    """DELETE under If-Match, the row locked (with ConditionalReadMixin)."""

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_locked_object()
            self.check_if_match(request, instance)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AtomicCreateMixin:
    """POST in one transaction, the record and its many-to-many links: all of it or nothing;
    the 201 carries the new record's ETag, as a read of it would."""

    def create(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().create(request, *args, **kwargs)
        created = getattr(self, "created", None)
        if created is not None and response.status_code == status.HTTP_201_CREATED:
            response["ETag"] = etag_for(created)
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self.created = serializer.instance


class ConditionalMixin(
    ConditionalReadMixin, ConditionalUpdateMixin, ConditionalDestroyMixin, AtomicCreateMixin
):
    """ETag / If-None-Match / If-Match for a ModelViewSet's detail actions."""
