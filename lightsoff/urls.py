from django.urls import path

from . import views

app_name = "lightsoff"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("shops/<int:pk>/", views.shop, name="shop"),
    path("shops/<int:pk>/contacted/", views.contacted, name="contacted"),
    path("shops/<int:pk>/check/", views.check, name="check"),
    path("shops/<int:pk>/delegate/", views.delegate, name="delegate"),
    path("shops/<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("shops/<int:pk>/letter/", views.letter, name="letter"),
    path("shops/<int:pk>/platform-contact/", views.platform_contact, name="platform_contact"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("stop/<str:token>/", views.opt_out, name="opt_out"),
    path("follow-up/<str:token>/", views.follow_up, name="follow_up"),
    path(
        "subscriptions/<str:token>/confirm/",
        views.subscription_confirm,
        name="subscription_confirm",
    ),
    path(
        "subscriptions/<str:token>/unsubscribe/",
        views.subscription_unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("api/shops.geojson", views.api_shops, name="api_shops"),
    path("api/nearby.json", views.api_nearby, name="api_nearby"),
    path("api/reverse.json", views.api_reverse, name="api_reverse"),
    path("stats/", views.stats, name="stats"),
    path("export/shops.csv", views.export_shops_csv, name="export_shops_csv"),
    path("export/shops.geojson", views.export_shops_geojson, name="export_shops_geojson"),
    path("export/sightings.csv", views.export_sightings_csv, name="export_sightings_csv"),
    path(
        "export/sightings.geojson",
        views.export_sightings_geojson,
        name="export_sightings_geojson",
    ),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/area/", views.task_area, name="task_area"),
    path("tasks/<int:pk>/take/", views.task_take, name="task_take"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path(
        "tasks/<int:pk>/platform-contact/",
        views.task_platform_contact,
        name="task_platform_contact",
    ),
    path("rounds/", views.rounds, name="rounds"),
    path("mairie/", views.mairie, name="mairie"),
    path("mairie/shops/<int:pk>/", views.mairie_shop, name="mairie_shop"),
    path("mairie/dossiers/<int:pk>/", views.mairie_dossier, name="mairie_dossier"),
    path("mairie/export.csv", views.mairie_export, name="mairie_export"),
]
