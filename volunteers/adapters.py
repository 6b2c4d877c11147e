from allauth.account.adapter import DefaultAccountAdapter

from reserve.ratelimit import client_ip
from reserve.sites import rebase_on_site_url


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth's rate limits count the visitor behind our trusted proxies, as ours do;
        # what a client writes in X-Forwarded-For itself is never taken.
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address

    def send_mail(self, template_prefix, email, context):
        # allauth builds its links (activate_url, password_reset_url, signup_url…) from
        # the request's host; every link the platform writes comes from SITE_URL.
        context = {
            key: rebase_on_site_url(value)
            if key.endswith("_url") and isinstance(value, str)
            else value
            for key, value in context.items()
        }
        super().send_mail(template_prefix, email, context)
