"""Call-up benchmark: targeting among 100,000 volunteers, then 10,000 e-mails sent by the
pipeline (two Celery worker processes) against a bare smtplib loop, through the same
real SMTP server, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reserve_bench_missions \\
    REDIS_URL=redis://127.0.0.1:6379/0 make bench PYTEST_ARGS="-k missions"

The SMTP server is a local aiosmtpd process that writes down every recipient, so that
duplicates and missing messages are counted where it matters; with EMAIL_URL=smtp://…
set, that server is used instead and both counts come from the database.
"""

import json
import os
import smtplib
import statistics
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from missions.models import Alert
from missions.selectors import targeted_profiles
from missions.services import build_alert_email, launch_mobilization
from tests.conftest import IS_POSTGRES, free_port
from tests.factories import CoordinatorFactory
from tests.helpers import wait_for
from tests.missions.bulk import bulk_volunteers
from tests.missions.conftest import draft_callup

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 100_000))
MATCH_EVERY = 10  # one volunteer in ten matches: 10,000 alerts
RESULTS = Path(__file__).parent / "results" / "missions.json"

pytestmark = [
    pytest.mark.skipif(
        not (IS_POSTGRES and settings.REDIS_URL),
        reason="the missions benchmark needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

SERVER = textwrap.dedent(
    """
    import sys, time
    from aiosmtpd.controller import Controller

    class Recorder:
        def __init__(self, path):
            self.out = open(path, "a", buffering=1)
        async def handle_DATA(self, server, session, envelope):
            for rcpt in envelope.rcpt_tos:
                self.out.write(rcpt + "\\n")
            return "250 OK"

    controller = Controller(Recorder(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)
    """
)


class SMTPServer:
    """Our own aiosmtpd process (or the EMAIL_URL server), and what it received."""

    def __init__(self, tmp_path):
        url = os.environ.get("EMAIL_URL", "")
        self.external = url.startswith("smtp://")
        self.log = tmp_path / "received.txt"
        if self.external:
            parsed = urlparse(url)
            self.host, self.port = parsed.hostname, parsed.port or 25
            return
        self.host, self.port = "127.0.0.1", free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(self.port), str(self.log)],
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout.readline().strip() == b"ready"

    def received(self):
        if self.external or not self.log.exists():
            return []
        return self.log.read_text().split()

    def reset(self):
        if not self.external:
            self.log.write_text("")

    def stop(self):
        if not self.external:
            self.process.terminate()
            self.process.wait(timeout=10)


def median_ms(run, repeat=7):
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def smtplib_loop(server, messages):
    """The bare baseline: the same messages, one connection, a plain sendmail loop."""
    started = time.perf_counter()
    with smtplib.SMTP(server.host, server.port) as smtp:
        for sender, recipients, payload in messages:
            smtp.sendmail(sender, recipients, payload)
    return time.perf_counter() - started


def test_call_up_pipeline_throughput(celery_worker, tmp_path, settings):
    server = SMTPServer(tmp_path)
    try:
        run_benchmark(celery_worker, server, settings)
    finally:
        server.stop()


def run_benchmark(celery_worker, server, settings):
    started = time.perf_counter()
    matching = bulk_volunteers(VOLUNTEERS, prefix="bench", every=MATCH_EVERY)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n{VOLUNTEERS} volunteers inserted in {time.perf_counter() - started:.0f} s")

    mobilization = draft_callup(title="Renfort maraudes grand froid", headcount=50)
    targeting_ms = median_ms(
        lambda: list(targeted_profiles(mobilization, wave=1).values_list("user_id", flat=True))
    )

    # Two worker processes, warmed up (Django loaded) before the clock starts.
    email_url = f"smtp://{server.host}:{server.port}"
    # Configured as in production: DEBUG off (no query log kept per query).
    celery_worker(
        concurrency=2,
        EMAIL_URL=email_url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-secret-key-not-used-anywhere-else-0123456789",
    )
    from reserve.tasks import ping

    ping.delay("warm-up")
    time.sleep(8)

    started = time.perf_counter()
    result = launch_mobilization(mobilization, by=CoordinatorFactory())
    sent = Alert.objects.filter(mobilization=mobilization, status=Alert.Status.SENT)
    wait_for(lambda: sent.count() == result.alerts, timeout=1800, interval=0.2)
    pipeline_s = time.perf_counter() - started

    received = server.received()
    if server.external:
        counts = Counter(sent.values_list("volunteer__email", flat=True))
    else:
        counts = Counter(received)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(set(matching) - set(counts))

    # The baseline: the same 10,000 messages, already rendered, over one connection
    # (median of three runs; the pipeline runs once, it is the costly part).
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    alerts = Alert.objects.filter(mobilization=mobilization).select_related(
        "mobilization", "mobilization__crisis", "volunteer"
    )
    messages = []
    for alert in alerts.iterator(chunk_size=2000):
        message = build_alert_email(alert)
        messages.append(
            (message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n"))
        )
    runs = []
    for _ in range(3):
        server.reset()
        runs.append(smtplib_loop(server, messages))
    smtplib_s = statistics.median(runs)

    figures = {
        "volunteers": VOLUNTEERS,
        "targeting_ms": round(targeting_ms, 1),
        "alerts": result.alerts,
        "pipeline_s": round(pipeline_s, 2),
        "pipeline_msgs_per_s": round(result.alerts / pipeline_s, 1),
        "smtplib_s": round(smtplib_s, 2),
        "smtplib_msgs_per_s": round(len(messages) / smtplib_s, 1),
        "ratio": round((result.alerts / pipeline_s) / (len(messages) / smtplib_s), 2),
        "duplicates": duplicates,
        "missing": missing,
        "counted_at": "database" if server.external else "smtp server",
        "worker_processes": 2,
        "chunk_size": settings.ALERT_CHUNK_SIZE,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")

    assert figures["alerts"] == len(matching) == VOLUNTEERS // MATCH_EVERY
    assert duplicates == 0 and missing == 0
    assert targeting_ms < 200
    assert figures["ratio"] >= 0.5
