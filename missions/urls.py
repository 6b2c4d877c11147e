from django.urls import path

from . import views

app_name = "missions"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("respond/<str:token>/", views.respond, name="respond"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]
