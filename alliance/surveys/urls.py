from django.urls import path

from alliance.surveys import views

app_name = "alliance"

urlpatterns = [
    path("favicon.ico", views.no_favicon),
    path("s/<str:token>/", views.survey, name="survey"),
    path("s/<str:token>/stop/", views.stop_surveys, name="stop-surveys"),
    path("s/<str:token>/resume/", views.resume_surveys, name="resume-surveys"),
]
