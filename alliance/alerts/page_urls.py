"""The clinician's pages about alerts and a client's alliance, under `/app/`."""

from django.urls import path

from alliance.alerts import views

urlpatterns = [
    path("", views.today_page, name="today"),
    path("clients/<uuid:client_id>/", views.client_page, name="client-page"),
    path("alerts/<uuid:alert_id>/", views.alert_page, name="alert-page"),
    path("alerts/<uuid:alert_id>/acknowledge/", views.acknowledge_page, name="alert-acknowledge"),
    path("alerts/<uuid:alert_id>/resolve/", views.resolve_page, name="alert-resolve"),
    path("alerts/<uuid:alert_id>/discussed/", views.discussed_page, name="alert-discussed"),
    path("alerts/<uuid:alert_id>/new-episode/", views.new_episode_page, name="alert-new-episode"),
]
