"""Passwordless sign-in for practice members: a one-time link by email.

A member asks at `/app/sign-in/` with their address. Every active membership with that address
gets a link of its own, one email per practice, so that a person who works for two practices
signs in to one of them at a time and neither practice learns of the other. The page answers
the same whether or not the address is known.

The token exists only in the email: the link row is made when the member asks, and the token is
drawn, and its SHA-256 stored, when the email is rendered. A link works once, for
`SIGN_IN_LINK_MINUTES` after it was asked for, and only while its membership is active.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from practice.models import Membership, SignInLink
from practice.tasking import enqueue_on_commit
from practice.tenancy import practice_scope
from practice.tokens import hash_token, new_token

SIGN_IN_LINK_MINUTES = 15
# Where a link may lead after signing in: the clinician's pages, never another site.
PAGES_PREFIX = "/app/"


class SignInLinkInvalid(Exception):
    """The link is unknown, used, expired, or its membership was removed or deactivated."""


def safe_next_path(path: str | None) -> str:
    """`path` if it is one of the clinician's pages, else the pages' start."""
    if (
        path
        and path.startswith(PAGES_PREFIX)
        and "//" not in path
        and "\\" not in path
        and len(path) <= 200
        and path.isprintable()
    ):
        return path
    return PAGES_PREFIX


def sign_in_request(*, email: str, next_path: str = "", language: str = "en") -> int:
    """Email a sign-in link to each active membership with this address; returns how many.

    The count is for tests and logs of counts only: the page must not show it.
    """
    members = Membership.across_practices_unsafe.select_related("practice").filter(
        email__iexact=email.strip(), active=True
    )
    for member in members:
        with practice_scope(member.practice):
            link = SignInLink.objects.create(
                practice=member.practice,
                member=member,
                next_path=safe_next_path(next_path),
                language=language,
                expires_at=timezone.now() + timedelta(minutes=SIGN_IN_LINK_MINUTES),
            )
            # With the broker down the member sees the same page and asks again: a link is
            # worth 15 minutes only, so no scan looks for unsent ones.
            enqueue_on_commit("practice.tasks.send_sign_in_link", link.practice_id, link.pk)
    return len(members)


def sign_in_url(token: str) -> str:
    return f"{settings.SITE_URL}{PAGES_PREFIX}sign-in/{token}/"


def sign_in_link_send(*, link_id) -> bool:
    """Draw the link's token and email it; False for a link used, expired or whose membership
    is no longer active. A retry after a failed send draws a new token, so only the last email
    sent holds a working link."""
    email = _sign_in_link_email(link_id=link_id)
    if email is None:
        return False
    email.send()
    return True


def _sign_in_link_email(*, link_id) -> EmailMessage | None:
    token = new_token()
    drawn = SignInLink.objects.filter(
        pk=link_id,
        used_at=None,
        expires_at__gt=timezone.now(),
        member__active=True,
    ).update(token_hash=hash_token(token))
    if not drawn:
        return None
    link = SignInLink.objects.select_related("member", "practice").get(pk=link_id)
    with translation.override(link.language):
        context = {
            "practice_name": link.practice.name,
            "sign_in_url": sign_in_url(token),
            "minutes": SIGN_IN_LINK_MINUTES,
        }
        subject = render_to_string("practice/email/sign_in_subject.txt", context).strip()
        body = render_to_string("practice/email/sign_in.txt", context)
    return EmailMessage(subject=subject, body=body, to=[link.member.email])


def sign_in_link_for_token(token: str) -> SignInLink | None:
    """The usable link with this token, its practice and member; None for any other.

    The token is the only thing a visitor holds, so this looks across practices.
    """
    return (
        SignInLink.across_practices_unsafe.select_related("practice", "member")
        .filter(
            token_hash=hash_token(token),
            used_at=None,
            expires_at__gt=timezone.now(),
            member__active=True,
        )
        .first()
    )


def sign_in_link_use(*, link: SignInLink) -> Membership:
    """Use the link up (once: a compare-and-swap) and return its member."""
    used = SignInLink.objects.filter(
        pk=link.pk, used_at=None, expires_at__gt=timezone.now(), member__active=True
    ).update(used_at=timezone.now())
    if not used:
        raise SignInLinkInvalid
    return Membership.objects.select_related("practice", "clinician").get(pk=link.member_id)


def sign_in_links_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget expired links; every practice's, by age alone."""
    deleted, _ = SignInLink.across_practices_unsafe.filter(
        expires_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
