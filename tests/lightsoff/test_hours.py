import datetime
import zoneinfo

import pytest

from lightsoff.hours import legality, parse_opening_hours

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    """A moment in Paris in the week of Monday 2 December 2024 (day 0 = Monday)."""
    return datetime.datetime(2024, 12, 2 + day, hour, minute, tzinfo=PARIS)


def test_the_usual_forms_of_opening_hours_are_understood():
    week = parse_opening_hours("Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; Su off")
    assert week[0] == [(480, 720), (840, 1080)]
    assert week[5] == [(540, 720)]
    assert week[6] == []
    assert parse_opening_hours("24/7")[3] == [(0, 1440)]
    assert parse_opening_hours("Mo,We,Fr 09:00-18:00")[2] == [(540, 1080)]
    assert parse_opening_hours("Fr-Sa 18:00-02:00")[4] == [(1080, 1560)]
    assert parse_opening_hours("10:00-19:00")[6] == [(600, 1140)]


@pytest.mark.parametrize("value", ["", "sunrise-sunset", "Mo-Sa 9h-19h", "Xx 10:00-12:00"])
def test_unknown_forms_fall_back_to_the_plain_rule(value):
    assert parse_opening_hours(value) is None


def test_without_opening_hours_windows_must_be_dark_from_1_to_7():
    assert not legality(at(1, 0, 59)).must_be_off
    assert legality(at(1, 1, 0)).must_be_off
    assert legality(at(1, 6, 59)).must_be_off
    assert not legality(at(1, 7, 0)).must_be_off
    assert not legality(at(1, 22)).must_be_off


def test_a_shop_closing_late_may_stay_lit_until_one_hour_after_closing():
    hours = "Mo-Su 10:00-01:30"
    assert not legality(at(2, 2, 15), hours).must_be_off  # closed 01:30, grace until 02:30
    assert legality(at(2, 2, 45), hours).must_be_off


def test_a_shop_opening_early_may_light_up_one_hour_before():
    hours = "Mo-Sa 06:30-20:00"
    assert legality(at(2, 5, 0), hours).must_be_off
    assert not legality(at(2, 5, 45), hours).must_be_off


def test_a_shop_open_all_night_may_be_lit():
    rule = legality(at(2, 3), "24/7")
    assert rule.is_open and not rule.must_be_off
