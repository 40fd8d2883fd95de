from django.urls import include, path

from bench import bare_views

urlpatterns = [
    path("bare/clients/<uuid:client_id>/", bare_views.client_detail),
    path("bare/clients/", bare_views.client_page),
    path("bare/sessions/", bare_views.session_page),
    path("bare/clients/<uuid:client_id>/alliance/", bare_views.alliance_series),
    path("bare/alerts/", bare_views.alert_page),
    path("bare/sessions/create/", bare_views.session_create),
    path("bare/sessions/<uuid:session_id>/complete/", bare_views.session_complete),
    path("bare/s/<str:token>/", bare_views.survey),
    path("", include("config.urls")),
]
