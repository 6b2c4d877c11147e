"""Channels benchmark: 10,000 call-up texts sent by the pipeline against a bare loop of the
same SDK calls, to the same fake Twilio, in the same run; then 10,000 of Twilio's signed
status callbacks posted to the site under gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reserve_bench_channels \\
    REDIS_URL=redis://127.0.0.1:6379/0 make bench PYTEST_ARGS="tests/benchmarks/test_channels.py"

- SMS: the call-up is launched (its sending not enqueued), then ALERT_PARALLEL_SENDERS
  senders (threads of this process, worker processes in production) run
  `send_pending_alerts`, as the workers' tasks do: claim, hand over,
  send through the `twilio` SDK (TwilioBackend), record the delivery, mark. The
  baseline is a bare loop of `TwilioBackend().send` over the same texts, already
  rendered. The fake Twilio (tests/fakes/twilio.py) runs in its own process, so that it
  does not share the sender's interpreter; duplicates and missing texts are counted in
  its records. Its capacity (several raw HTTP clients at once) is measured too, to show it
  is not the bottleneck. BENCH_PROFILE=1 prints a cProfile of the pipeline.
- Receipts: gunicorn (sync workers, as production runs it) serves the site; threads
  post the callbacks the fake signs. The fake's final word is "delivered" for 7,000
  texts and "undelivered" for 1,000; then come 1,000 stale "sent" callbacks (out of
  order) and 1,000 duplicates (500 replays of the same call, refused, and 500 new
  calls with the same news). Every delivery must end with the fake's final word. (An
  undelivered text falls back to e-mail: those tasks go to a queue of the benchmark's
  own, dropped at the end.) The CPU time of the site's workers and of the posting
  threads is measured per callback.
"""

import base64
import cProfile
import datetime
import http.client
import json
import os
import pstats
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from missions.models import Alert, Delivery
from missions.services import build_alert_sms, launch_mobilization, send_pending_alerts
from reserve.sms.twilio import TwilioBackend
from tests.conftest import IS_POSTGRES, ROOT, free_port, worker_environment
from tests.factories import CoordinatorFactory
from tests.fakes.twilio import FakeTwilio
from tests.missions.conftest import draft_callup
from tests.missions.test_reliability_sms import sms_volunteers

TEXTS = int(os.environ.get("BENCH_TEXTS", 10_000))
CALLBACKS = 10_000
POSTING_THREADS = 16
GUNICORN_WORKERS = 3
RESULTS = Path(__file__).parent / "results" / "channels.json"

pytestmark = [
    pytest.mark.skipif(
        not (IS_POSTGRES and settings.REDIS_URL),
        reason="the channels benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

FAKE = textwrap.dedent(
    """
    import json, sys
    from tests.fakes.twilio import FakeTwilio

    fake = FakeTwilio()
    fake.account_sid, fake.auth_token = sys.argv[1], sys.argv[2]
    fake.start()
    print(fake.base_url, flush=True)
    for line in sys.stdin:  # "dump <path>": the account's messages, as JSON
        command, _space, path = line.strip().partition(" ")
        if command == "dump":
            with open(path, "w") as out:
                json.dump(fake.messages, out, default=str)
        print("done", flush=True)
    """
)


class TwilioProcess:
    """The fake Twilio in a process of its own; `messages()` reads its records."""

    def __init__(self, tmp_path):
        self.account_sid = "AC" + uuid.uuid4().hex
        self.auth_token = uuid.uuid4().hex
        self.number = "+33757000000"  # the fake's own number
        self.dump = tmp_path / "twilio-messages.json"
        self.process = subprocess.Popen(
            [sys.executable, "-c", FAKE, self.account_sid, self.auth_token],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self.process.stdout.readline().strip()
        assert self.base_url.startswith("http://127.0.0.1:")
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def messages(self):
        self.process.stdin.write(f"dump {self.dump}\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "done"
        messages = json.loads(self.dump.read_text())
        for message in messages:
            for name in ("date_created", "date_updated", "date_sent"):
                if message[name]:
                    message[name] = datetime.datetime.fromisoformat(message[name])
        return messages

    def signer(self, messages):
        """A FakeTwilio of the same account, holding `messages`, to build and sign the
        callbacks (its own server is never started)."""
        fake = FakeTwilio()
        fake.server.server_close()
        fake.account_sid, fake.auth_token = self.account_sid, self.auth_token
        fake.messages = messages
        return fake

    def stop(self):
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait(timeout=10)


class Gunicorn:
    """The site under gunicorn's sync workers, on the test database."""

    def __init__(self, tmp_path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.queue = f"bench-{uuid.uuid4().hex[:10]}"  # fallbacks enqueued there, then dropped
        self.log = open(tmp_path / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "reserve.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--backlog",
                "2048",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=worker_environment(
                SITE_URL=self.url,
                CELERY_QUEUE=self.queue,
                CACHE_KEY_PREFIX=f"bench-{uuid.uuid4().hex[:10]}",
                # Configured as in production: DEBUG off (TLS is the proxy's).
                DEBUG="0",
                SECURE_SSL_REDIRECT="0",
                SECRET_KEY="benchmark-only-secret-key-not-used-anywhere-else-0123456789",
                **env,
            ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # Every worker loads the URLconf and opens its database connection.
        for _ in range(GUNICORN_WORKERS * 10):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()

    def cpu_seconds(self):
        """CPU time used so far by the workers (user and system), from /proc."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()
        from reserve.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(self.queue)


def test_channels_throughput(tmp_path, settings):
    twilio = TwilioProcess(tmp_path)
    site = None
    try:
        status_path = reverse("missions:twilio_status")
        site = Gunicorn(tmp_path, TWILIO_AUTH_TOKEN=twilio.auth_token)
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = twilio.account_sid
        settings.TWILIO_AUTH_TOKEN = twilio.auth_token
        settings.TWILIO_API_BASE_URL = twilio.base_url
        settings.SMS_SENDER = twilio.number
        settings.SMS_STATUS_CALLBACK_URL = site.url + status_path
        figures = run_benchmark(twilio, site)
    finally:
        twilio.stop()
        if site is not None:
            site.stop()

    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")

    assert figures["sms_duplicates"] == 0 and figures["sms_missing"] == 0
    assert figures["fake_capacity_per_s"] >= 2 * figures["sms_bare"], "the fake is the bottleneck"
    assert figures["sms_ratio"] >= 0.5
    assert figures["callbacks"] == CALLBACKS
    assert figures["callbacks_errors"] == 0
    assert figures["callbacks_replays_refused"] == 500
    assert figures["callbacks_right_share"] == 1.0


def run_benchmark(twilio, site):
    figures = {}
    started = time.perf_counter()
    numbers = sms_volunteers(TEXTS, prefix="benchsms")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n{TEXTS} SMS volunteers inserted in {time.perf_counter() - started:.0f} s")

    # --- SMS: the pipeline ---------------------------------------------------------------
    mobilization = draft_callup(title="Renfort maraudes grand froid", headcount=50)
    started = time.perf_counter()
    with mock.patch("missions.services.launch.enqueue_sending", return_value=False):
        result = launch_mobilization(mobilization, by=CoordinatorFactory())
    launch_s = time.perf_counter() - started
    assert result.alerts == TEXTS

    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    sent = send_in_parallel(mobilization.pk, settings.ALERT_PARALLEL_SENDERS)
    if profiler:
        profiler.disable()
    pipeline_s = time.perf_counter() - started
    assert (sent.sent, sent.failed, sent.released) == (TEXTS, 0, 0)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    texts = twilio.messages()
    counts = Counter(m["to"] for m in texts)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(set(numbers) - set(counts))

    # --- SMS: the bare loop, same texts, same fake, one backend --------------------------
    alerts = Alert.objects.filter(mobilization=mobilization).select_related(
        "mobilization", "volunteer__profile"
    )
    rendered = [
        (a.volunteer.profile.phone, build_alert_sms(a), Delivery.reference_for(a.pk, "sms"))
        for a in alerts.iterator(chunk_size=2000)
    ]
    runs = [bare_loop(rendered) for _ in range(3)]
    bare_s = statistics.median(runs)
    capacity = fake_capacity(twilio)

    figures.update(
        texts=TEXTS,
        launch_s=round(launch_s, 2),
        sms_pipeline_s=round(pipeline_s, 2),
        sms_alerts=round(TEXTS / pipeline_s, 1),
        sms_bare_s=round(bare_s, 2),
        sms_bare=round(TEXTS / bare_s, 1),
        sms_ratio=round(bare_s / pipeline_s, 2),
        sms_duplicates=duplicates,
        sms_missing=missing,
        sms_counted_at="fake provider",
        sms_senders=f"{settings.ALERT_PARALLEL_SENDERS} (ALERT_PARALLEL_SENDERS), threads "
        "of the test process, each running send_pending_alerts as a worker's task does",
        fake_capacity_per_s=round(capacity, 1),
    )
    print(
        f"SMS: pipeline {figures['sms_alerts']}/s, bare SDK loop {figures['sms_bare']}/s, "
        f"ratio {figures['sms_ratio']}, fake's capacity {figures['fake_capacity_per_s']}/s"
    )

    # --- Receipts ------------------------------------------------------------------------
    site.wait_ready()
    posted = post_callbacks(twilio, texts, site)
    figures.update(posted)
    figures.update(
        gunicorn_workers=GUNICORN_WORKERS,
        posting_threads=POSTING_THREADS,
        chunk_size=settings.ALERT_CHUNK_SIZE,
        cpu_count=os.cpu_count(),
    )
    print(
        f"Receipts: {figures['callbacks']} callbacks at {figures['callbacks_per_s']}/s, "
        f"right share {figures['callbacks_right_share']}"
    )
    return figures


def send_in_parallel(mobilization_id, senders):
    """What the launch enqueues: ALERT_PARALLEL_SENDERS senders claiming chunks of the
    same call-up at once (threads here, worker processes in production), each with its
    own database connection."""
    from django.db import connection

    results = []

    def sender():
        try:
            results.append(send_pending_alerts(mobilization_id=mobilization_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = type(results[0])()
    for result in results:
        total.sent += result.sent
        total.failed += result.failed
        total.released += result.released
    return total


def bare_loop(rendered):
    """The baseline: the same texts through one backend, nothing else."""
    backend = TwilioBackend()
    started = time.perf_counter()
    for phone, text, reference in rendered:
        backend.send(phone, text, reference=reference)
    return time.perf_counter() - started


def fake_capacity(twilio, clients=4, each=1500):
    """Texts a second the fake takes from several raw HTTP clients at once (keep-alive,
    no SDK): what it could serve, to compare with what the sender asks of it."""
    path = f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
    token = base64.b64encode(f"{twilio.account_sid}:{twilio.auth_token}".encode()).decode()
    headers = {
        "Authorization": f"Basic {token}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    barrier = threading.Barrier(clients + 1)

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", twilio.port, timeout=30)
        body = urlencode({"To": f"+3369{n:07d}", "From": twilio.number, "Body": "capacité"})
        barrier.wait()
        for _ in range(each):
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 201
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return clients * each / (time.perf_counter() - started)


def post_callbacks(twilio, texts, site):
    """Post CALLBACKS signed status callbacks of the pipeline's texts: a final word for
    8,000 of them (7,000 delivered, 1,000 undelivered), then 1,000 stale "sent" ones and
    1,000 duplicates. Returns the figures."""
    rng = random.Random(20260101)  # noqa: S311 - a benchmark's mix, not a secret
    chosen = rng.sample(texts, 8000)
    signer = twilio.signer(chosen)
    final = {}
    first, second = [], []
    for index, message in enumerate(chosen):
        status = "undelivered" if index % 8 == 0 else "delivered"
        message.update(
            status=status,
            date_updated=datetime.datetime.now(datetime.UTC),
            error_code=30003 if status == "undelivered" else None,
        )
        call = signer.status_callback(message["sid"])
        final[message["sid"]] = (message["status_callback"], status)
        first.append(call)
        if index % 16 == 1:
            second.append(call)  # the same call again (a replay): refused
        elif index % 16 == 2:
            second.append(signer.status_callback(message["sid"]))  # same news, a new call
        elif index % 16 in (3, 4):
            message["status"] = "sent"  # a stale word, out of order
            second.append(signer.status_callback(message["sid"]))
    rng.shuffle(first)
    rng.shuffle(second)
    calls = first + second
    assert len(calls) == CALLBACKS

    def emit(call):
        return call.emit(timeout=60)[0]

    answers = Counter()
    site_cpu, client_cpu = site.cpu_seconds(), _own_cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(POSTING_THREADS) as pool:
        for phase in (first, second):  # the final words first, then what comes late
            answers.update(pool.map(emit, phase))
    elapsed = time.perf_counter() - started
    site_cpu, client_cpu = site.cpu_seconds() - site_cpu, _own_cpu_seconds() - client_cpu

    statuses = dict(
        Delivery.objects.filter(provider_id__in=list(final), channel="sms").values_list(
            "provider_id", "status"
        )
    )
    right = sum(1 for sid, (_url, status) in final.items() if statuses.get(sid) == status)
    return {
        "callbacks": len(calls),
        "callbacks_s": round(elapsed, 2),
        "callbacks_per_s": round(len(calls) / elapsed, 1),
        # Where the machine's CPU went, per callback: the site's workers, the posters.
        "callbacks_site_cpu_ms": round(site_cpu / len(calls) * 1000, 2),
        "callbacks_client_cpu_ms": round(client_cpu / len(calls) * 1000, 2),
        "callbacks_answers": {str(k): v for k, v in sorted(answers.items())},
        "callbacks_errors": sum(v for k, v in answers.items() if k not in (204, 403)),
        "callbacks_replays_refused": answers[403],
        "callbacks_right_share": round(right / len(final), 4),
    }


def _own_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
