"""reserve.ratelimit.rate_limited: a view states its limit in one line."""

from django.http import HttpResponse
from django.test import RequestFactory

from reserve.ratelimit import rate_limited

factory = RequestFactory()


def refuse(request):
    return HttpResponse("slow down", status=429)


def test_requests_over_the_limit_get_the_refusal_instead_of_the_view():
    calls = []

    @rate_limited("test:view", rate=(2, 60), refuse=refuse)
    def view(request):
        calls.append(request)
        return HttpResponse("ok")

    codes = [view(factory.get("/")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert len(calls) == 2
    assert view(factory.get("/", REMOTE_ADDR="198.51.100.7")).status_code == 200


def test_with_methods_only_those_are_counted():
    @rate_limited("test:form", rate=(1, 60), refuse=refuse, methods=("POST",))
    def view(request):
        return HttpResponse("ok")

    assert [view(factory.get("/")).status_code for _ in range(3)] == [200, 200, 200]
    assert [view(factory.post("/")).status_code for _ in range(2)] == [200, 429]
    assert view(factory.get("/")).status_code == 200


def test_the_rate_is_read_at_each_request_when_it_is_a_function():
    rates = [(0, 60)]

    @rate_limited("test:setting", rate=lambda: rates[0], refuse=refuse)
    def view(request):
        return HttpResponse("ok")

    assert view(factory.get("/")).status_code == 429
    rates[0] = (100, 60)
    assert view(factory.get("/")).status_code == 200
