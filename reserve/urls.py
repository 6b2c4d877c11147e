from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views

admin.site.site_header = "Réserve — coordination"
admin.site.site_title = "Réserve"
# Django's admin login knows nothing of the second factor: it goes through allauth's
# login (password, then TOTP for whoever enrolled); a logged-in non-staff user gets 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("pages/<slug:slug>/", views.page, name="page"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("volunteers/", include("volunteers.urls")),
    path("projects/", include("projects.urls")),
    path("missions/", include("missions.urls")),
    path("lightsoff/", include("lightsoff.urls")),
]

if settings.DEBUG:
    # Uploaded photos in development; production serves MEDIA_ROOT from the proxy.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
