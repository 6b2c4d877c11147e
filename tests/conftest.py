"""Shared test set-up: service detection, strict CI mode, isolation, real processes.

Groups of tests need real parts: `postgres` (DATABASE_URL=postgres://…), `redis`
(REDIS_URL), `worker` (both, plus Celery worker processes), `e2e` (Chromium at
/usr/bin/chromium), `js` (Node, and the node_modules of `make install`) and `vnu` (Java,
and the Nu HTML Checker that `make install` puts in node_modules/vnu-jar). Locally, a
group whose part is missing is skipped with a clear reason; with RESERVE_NO_SKIP=1 (set by
.ci/run) every skip is a failure.
"""

import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread; Django's live server
# and ORM calls from that thread are safe here (one thread drives both).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STRICT = os.environ.get("RESERVE_NO_SKIP", "") not in ("", "0", "false")

IS_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
HAS_REDIS = bool(django_settings.REDIS_URL)
HAS_CHROMIUM = Path(CHROMIUM).exists()
HAS_NODE = shutil.which("node") is not None
HAS_NODE_MODULES = (ROOT / "node_modules" / ".bin" / "biome").exists()
HAS_JAVA = shutil.which("java") is not None
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

MISSING = {
    "postgres": None if IS_POSTGRES else "needs PostgreSQL: set DATABASE_URL=postgres://…",
    "redis": None if HAS_REDIS else "needs Redis: set REDIS_URL=redis://…",
    "worker": None
    if IS_POSTGRES and HAS_REDIS
    else "needs Celery workers on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL",
    "e2e": None if HAS_CHROMIUM else f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    "js": None
    if HAS_NODE and HAS_NODE_MODULES
    else "needs Node and node_modules (apt-get install nodejs npm, then make install)",
    "vnu": None
    if HAS_JAVA and VNU_JAR.exists()
    else "needs Java and the Nu HTML Checker (apt-get install default-jre-headless nodejs npm, "
    "then make install)",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        _serialize_for_transactional_markers(item)
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)
        for group, reason in MISSING.items():
            if reason and item.get_closest_marker(group):
                item.add_marker(pytest.mark.skip(reason=f"[{group}] {reason}"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        # In CI nothing may be skipped: a missing service or browser is a failure.
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in strict mode (RESERVE_NO_SKIP=1): {reason}"


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    groups = Counter()
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        groups[reason.replace("Skipped: ", "")] += 1
    terminalreporter.section("skipped groups")
    for reason, count in groups.most_common():
        terminalreporter.write_line(f"{count:4d} skipped: {reason}")


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache namespace (no flush: Redis may be shared)."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    yield


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process unless a test asks for real workers (`celery_worker`)."""
    from reserve.celery import app

    # The app reads Django settings with the CELERY_ namespace: set the prefixed key.
    eager = "celery_worker" not in request.fixturenames
    previous = app.conf["CELERY_TASK_ALWAYS_EAGER"]
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = eager
    yield
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = previous


# --- Reference data ------------------------------------------------------------------
# Every transactional test (real workers, live server, threads) starts from the reference
# data that the migrations load — the site, flat pages, skills, groups and their
# permissions, content types — and leaves it so. One rule for every app, so that the suite
# passes in any order (it runs shuffled: pytest-randomly prints `--randomly-seed=N`, which
# `make test PYTEST_ARGS=--randomly-seed=N` replays; `-p no:randomly` keeps file order).
# It is pytest-django's serialized rollback, turned on for all of them in three places:


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """1. Tests that ask for a transactional database without a marker (the
    `celery_worker` fixture): this name among their fixtures turns it on."""


def _serialize_for_transactional_markers(item):
    """2. Tests marked `django_db(transaction=True)`: pytest-django reads the closest
    marker, also to decide whether the database is serialized when it is made."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        kwargs = {**marker.kwargs, "serialized_rollback": True}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """3. The serialized copy is kept on the connection object, and Django's
    connections are context-local: under Playwright's event loop a test gets another
    object, which would not find it. Kept on the class, every object finds it."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Django's default hasher costs ~0.3 s a password by design; tests create hundreds
    of users. The login code paths are the same whatever the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- Browser ------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a browser downloaded by Playwright.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


# --- Real Celery workers --------------------------------------------------------------
def worker_environment(**extra):
    """Environment for a worker process that talks to the test database and broker."""
    from django.db import connection

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": django_settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "reserve.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


class WorkerProcess:
    """A real `celery worker` subprocess, on its own queue."""

    def __init__(self, queue, concurrency=1, env=None, log_path=None):
        self.queue = queue
        self.concurrency = concurrency
        self.env = env or {}
        self.log_path = log_path
        self.process = None

    def start(self):
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        self.log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "reserve",
                "worker",
                "-Q",
                self.queue,
                "-c",
                str(self.concurrency),
                "-P",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=worker_environment(CELERY_QUEUE=self.queue, **self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        """SIGKILL the whole process group: the main process and its children."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log_path and self.log not in (None, subprocess.DEVNULL):
            self.log.close()


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start real worker processes on a queue of this test's own; stop them after.

    Usage: `worker = celery_worker()` (or `celery_worker(concurrency=2)`); the task
    producer in the test process is pointed at the same queue.
    """
    from reserve.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous_queue = app.conf["CELERY_TASK_DEFAULT_QUEUE"]
    app.conf["CELERY_TASK_DEFAULT_QUEUE"] = queue
    started = []

    def start(concurrency=1, **env):
        worker = WorkerProcess(
            queue, concurrency, env, log_path=tmp_path / f"worker-{len(started)}.log"
        ).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    app.conf["CELERY_TASK_DEFAULT_QUEUE"] = previous_queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


# --- A real SMTP server ---------------------------------------------------------------
class RecordingSMTPHandler:
    """aiosmtpd handler that keeps every message received, and counts connections."""

    def __init__(self):
        import threading

        self.lock = threading.Lock()
        self.messages = []
        self.connections = 0
        self.before_accept = None  # optional async hook(envelope), e.g. to stall a reply

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message}
            )
        if self.before_accept is not None:
            await self.before_accept(envelope)
        return "250 Message accepted for delivery"

    def recipients(self):
        with self.lock:
            return [rcpt for item in self.messages for rcpt in item["to"]]


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port; Django sends to it.

    `smtp_server.messages` holds what arrived ({"from", "to", "message"}),
    `smtp_server.connections` how many SMTP sessions were opened."""
    from aiosmtpd.controller import Controller

    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.host, handler.port = controller.hostname, controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()
