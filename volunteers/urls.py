from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.index, name="index"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("consent/", views.consent, name="consent"),
    path("me/", views.profile_edit, name="profile_edit"),
    path("me/export.json", views.export, name="export"),
    path("me/delete/", views.delete, name="delete"),
    path("directory/", views.directory, name="directory"),
    path("directory.csv", views.directory_csv, name="directory_csv"),
    path("<int:pk>/", views.profile_detail, name="profile_detail"),
]
