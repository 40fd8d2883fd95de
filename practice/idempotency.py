"""`Idempotency-Key` on POST: the first response is stored and replayed for repeats."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from practice.errors import IdempotencyKeyReused, IdempotentRequestInProgress
from practice.models import IdempotencyRecord
from practice.tenancy import current_practice, practice_scope

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 255
# A request still "in flight" after this long died (a timeout, a crash): its key is free again.
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: object


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """The request as parsed: a JSON body that differs only in spacing or key order is the
    same request."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, RecursionError):
        canonical = body
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), canonical])).hexdigest()


def idempotency_claim(*, key: str, fingerprint: str) -> StoredResponse | None:
    """Claim `key` for this request, or return the response stored for an earlier one.

    Raises when the key came with a different request, or while that request is still running.
    """
    practice = current_practice()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                practice=practice, key=key, request_fingerprint=fingerprint
            )
        return None
    except IntegrityError:
        pass
    abandoned = IdempotencyRecord.objects.filter(
        key=key, status_code=None, created_at__lt=timezone.now() - ABANDONED_AFTER
    )
    if abandoned.delete()[0]:
        return idempotency_claim(key=key, fingerprint=fingerprint)
    record = IdempotencyRecord.objects.get(key=key)
    if record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was first used with a different request. "
            "Use a new key for a new request."
        )
    if record.status_code is None:
        raise IdempotentRequestInProgress("Retry once the first request has finished.")
    return StoredResponse(status_code=record.status_code, body=record.response_body)


def idempotency_store(*, key: str, status_code: int, body: object) -> None:
    """Keep the response to replay; called inside the transaction of the request's writes."""
    IdempotencyRecord.objects.filter(key=key, status_code=None).update(
        status_code=status_code, response_body=body
    )


def idempotency_release(*, practice, key: str) -> None:
    """Free the key of a request that failed, so that a retry runs afresh. A claim that holds
    a response (its transaction committed after all) is kept. When the database cannot be
    reached, the claim is left to be taken for abandoned after `ABANDONED_AFTER`."""
    try:
        with practice_scope(practice):
            IdempotencyRecord.objects.filter(key=key, status_code=None).delete()
    except DatabaseError:
        logger.warning("Could not release an idempotency key; it frees itself in 2 minutes.")
