from django.urls import path

from . import views

app_name = "lightsoff"

urlpatterns = [
    path("", views.index, name="index"),
    path("shops/<int:pk>/", views.shop, name="shop"),
]
