"""Benchmark: "who matches" over 100,000 volunteers in PostgreSQL.

Run with `make bench` (or `pytest tests/benchmarks/test_volunteers.py -o addopts="" -s`)
and DATABASE_URL=postgres://postgres@127.0.0.1:5432/reserve_bench_volunteers. Fills the
test database with `seed_demo` (bulk inserts), prints the figures and writes
tests/benchmarks/results/volunteers.json; the README quotes them.
"""

import datetime
import io
import json
import os
import statistics
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone

from volunteers.models import Profile, Skill
from volunteers.selectors import directory, match_volunteers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 100_000))
RUNS = int(os.environ.get("BENCH_RUNS", 15))
BUDGET_MS = 200
RESULTS = Path(__file__).parent / "results" / "volunteers.json"


def _median_ms(run):
    run()  # warm-up: plan cache, buffers
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 1)


def test_a_typical_match_over_100000_volunteers_answers_in_under_200_ms():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    started = time.perf_counter()
    call_command("seed_demo", volunteers=VOLUNTEERS, projects=2, shops=0, stdout=io.StringIO())
    seed_s = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert Profile.objects.count() >= VOLUNTEERS

    today = timezone.localdate()
    skills = list(
        Skill.objects.filter(slug__in=["developpement-backend", "data-analyse"]).values_list(
            "pk", flat=True
        )
    )
    # A typical call-up: two skills (any) at confirmed level or above, Île-de-France or
    # remote, available over the coming week, reachable for crises.
    typical = match_volunteers(
        skills=skills,
        min_level=2,
        regions=["11"],
        period=(today, today + datetime.timedelta(days=7)),
        crisis_opt_in=True,
    )
    matched = typical.count()

    def every_match():
        return list(typical.values_list("pk", flat=True))

    def first_page():
        return list(typical.order_by("display_name", "pk")[:50])

    def all_skills():
        return list(match_volunteers(skills=skills, match="all").values_list("pk", flat=True))

    def region_and_period():
        period = (today + datetime.timedelta(days=10), today + datetime.timedelta(days=20))
        return list(match_volunteers(regions=["84"], period=period).values_list("pk", flat=True))

    def directory_page():
        base = Profile.objects.exclude(anonymised_at__isnull=False)
        page = Paginator(directory(base), 50).get_page(1)
        return [(p.projects_count, list(p.profile_skills.all())) for p in page]

    results = {
        "volunteers": Profile.objects.count(),
        "matched": matched,
        "match_ms": _median_ms(every_match),
        "match_count_ms": _median_ms(typical.count),
        "match_first_page_ms": _median_ms(first_page),
        "match_all_skills_ms": _median_ms(all_skills),
        "match_region_period_ms": _median_ms(region_and_period),
        "directory_page_ms": _median_ms(directory_page),
        "runs": RUNS,
        "seed_s": seed_s,
        "budget_ms": BUDGET_MS,
        "database": f"PostgreSQL {connection.pg_version // 10000}",
        "measured_at": timezone.now().isoformat(timespec="seconds"),
    }
    print("\nvolunteers benchmark:", json.dumps(results, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    assert results["match_ms"] < BUDGET_MS
    assert results["directory_page_ms"] < BUDGET_MS
