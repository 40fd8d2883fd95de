"""The members' pages of the practice app, under `/app/`."""

from django.urls import path

from practice import views

urlpatterns = [
    path("sign-in/", views.sign_in_page, name="sign-in"),
    path("sign-in/<str:token>/", views.sign_in_link_page, name="sign-in-link"),
    path("sign-out/", views.sign_out_page, name="sign-out"),
    path("members/", views.members_page, name="members"),
    path("members/<uuid:member_id>/", views.member_page, name="member"),
    path("members/<uuid:member_id>/remove/", views.member_remove_page, name="member-remove"),
]
