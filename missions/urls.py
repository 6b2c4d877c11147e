from django.urls import path

from . import views, webhooks

app_name = "missions"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("respond/<str:token>/", views.respond, name="respond"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]

# What providers post back (signed or authenticated; no language prefix, no CSRF).
urlpatterns += [
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("webhooks/twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    path("webhooks/brevo/sms/", webhooks.brevo_sms, name="brevo_sms"),
    path("webhooks/brevo/email/tracking/", webhooks.email_tracking, name="email_tracking"),
    path("webhooks/brevo/email/inbound/", webhooks.email_inbound, name="email_inbound"),
]
