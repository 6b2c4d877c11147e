from allauth.account.adapter import DefaultAccountAdapter

from reserve.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth's rate limits count the visitor behind our trusted proxies, as ours do;
        # what a client writes in X-Forwarded-For itself is never taken.
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address
