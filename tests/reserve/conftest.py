from tests.fakes import brevo_server, twilio_server, webhook_receiver  # noqa: F401
