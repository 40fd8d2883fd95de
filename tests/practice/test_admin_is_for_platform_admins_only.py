"""Admin looks across practices, so it is for platform admins only: a superuser, or a staff
user given the explicit `practice.administer_platform` permission. A practice's own staff,
even with every other permission, is refused on every admin page."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db

PLATFORM_PERMISSION = "administer_platform"


def _admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        pages.append(reverse("admin:app_list", kwargs={"app_label": meta.app_label}))
    return sorted(set(pages))


@pytest.fixture
def practice_staff_with_every_other_permission(client, practice_a):
    # Practice members are not users: a staff user is someone given a Django account by hand.
    staff = get_user_model().objects.create_user("staff", "staff@example.org", "pw-12345")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(Permission.objects.exclude(codename=PLATFORM_PERMISSION))
    client.force_login(staff)
    return client


@pytest.mark.parametrize("page", _admin_pages())
def test_it_refuses_a_practices_staff_on_every_admin_page(
    practice_staff_with_every_other_permission, session_a, page
):
    response = practice_staff_with_every_other_permission.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_a_practices_staff_on_a_clients_change_page(
    practice_staff_with_every_other_permission, client_a
):
    page = reverse("admin:practice_client_change", args=[client_a.pk])

    response = practice_staff_with_every_other_permission.get(page)

    assert response.status_code == 302
    assert client_a.email not in response.content.decode()


def test_it_admits_a_staff_user_given_the_platform_permission(client, session_a):
    operator = get_user_model().objects.create_user("operator", "ops@example.org", "pw-12345")
    operator.is_staff = True
    operator.save()
    operator.user_permissions.add(Permission.objects.get(codename=PLATFORM_PERMISSION))
    operator.user_permissions.add(Permission.objects.get(codename="view_client"))
    client.force_login(operator)

    assert client.get(reverse("admin:practice_client_changelist")).status_code == 200


def test_it_admits_a_superuser(client, session_a):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw-1234")
    client.force_login(superuser)

    assert client.get(reverse("admin:practice_client_changelist")).status_code == 200
