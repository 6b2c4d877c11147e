"""reserve.webhooks: constant-time checks, the replay guard and the @webhook decorator."""

import json
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from reserve.webhooks import constant_time_equals, forget_call, refuse_replay, webhook

factory = RequestFactory()


@pytest.mark.parametrize(
    ("given", "expected", "equal"),
    [
        ("s3cret", "s3cret", True),
        ("s3cret", "s3cre", False),
        ("S3cret", "s3cret", False),
        ("", "", False),  # an unset secret matches nothing
        (None, None, False),
        ("anything", "", False),
        ("", "s3cret", False),
        ("é", "é", True),
    ],
)
def test_constant_time_equals_matches_only_the_same_non_empty_secret(given, expected, equal):
    assert constant_time_equals(given, expected) is equal


def test_a_call_is_accepted_once_then_refused_as_a_replay():
    assert refuse_replay("twilio-status", b"sig+body") is False
    assert refuse_replay("twilio-status", b"sig+body") is True
    assert refuse_replay("twilio-status", b"sig+other body") is False


def test_the_same_call_in_another_scope_is_not_a_replay():
    assert refuse_replay("twilio-status", "key") is False
    assert refuse_replay("brevo-sms", "key") is False


def test_a_forgotten_call_is_accepted_again():
    refuse_replay("scope", "key")
    forget_call("scope", "key")
    assert refuse_replay("scope", "key") is False


def test_the_replay_memory_expires():
    refuse_replay("scope", "key", ttl=1)
    time.sleep(1.1)
    assert refuse_replay("scope", "key", ttl=1) is False


calls = []


def signed(request):
    return request.headers.get("X-Signature") == "good"


@webhook(verify=signed, scope="test")
def receiver(request):
    calls.append(request.body)
    if request.body == b"crash":
        raise RuntimeError("the database is down")
    if request.body == b"busy":
        return HttpResponse(status=503)
    return HttpResponse(status=204)


@pytest.fixture(autouse=True)
def _no_calls():
    calls.clear()


def post(body=b"event", signature="good", **extra):
    return factory.post(
        "/hooks/test/?ref=abc",
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature,
        **extra,
    )


def test_a_verified_call_reaches_the_view():
    assert receiver(post()).status_code == 204
    assert calls == [b"event"]


def test_an_unverified_call_is_refused_with_a_json_error_before_the_view():
    response = receiver(post(signature="forged"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Verification failed."}
    assert calls == []


def test_a_replayed_call_is_refused_and_not_processed_twice():
    assert receiver(post()).status_code == 204
    response = receiver(post())
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Already received."}
    assert calls == [b"event"]


def test_two_different_calls_are_both_processed():
    receiver(post(b"delivered"))
    receiver(post(b"undelivered"))
    assert calls == [b"delivered", b"undelivered"]


def test_a_call_the_view_could_not_process_is_processed_on_the_providers_retry():
    with pytest.raises(RuntimeError):
        receiver(post(b"crash"))
    with pytest.raises(RuntimeError):
        receiver(post(b"crash"))
    assert calls == [b"crash", b"crash"]


def test_a_call_answered_5xx_is_let_in_again():
    assert receiver(post(b"busy")).status_code == 503
    assert receiver(post(b"busy")).status_code == 503
    assert calls == [b"busy", b"busy"]


def test_a_webhook_takes_post_only():
    response = receiver(factory.get("/hooks/test/", HTTP_X_SIGNATURE="good"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert calls == []


def test_a_webhook_is_exempt_from_csrf_and_keeps_its_name():
    assert receiver.csrf_exempt is True
    assert receiver.__name__ == "receiver"
