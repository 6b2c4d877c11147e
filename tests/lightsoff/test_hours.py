import datetime
import zoneinfo

import pytest

from lightsoff.hours import is_open, legality, parse_opening_hours

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    """A moment in Paris in the week of Monday 2 December 2024 (day 0 = Monday)."""
    return datetime.datetime(2024, 12, 2 + day, hour, minute, tzinfo=PARIS)


def paris(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_the_usual_forms_of_opening_hours_are_understood():
    hours = "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; Su off"
    assert is_open(hours, at(0, 9)) and is_open(hours, at(0, 15))
    assert is_open(hours, at(0, 13)) is False  # lunch break
    assert is_open(hours, at(5, 10)) and is_open(hours, at(5, 14)) is False
    assert is_open(hours, at(6, 10)) is False
    assert is_open("24/7", at(3, 3))
    assert is_open("Mo,We,Fr 09:00-18:00", at(2, 10))
    assert not is_open("Mo,We,Fr 09:00-18:00", at(1, 10))
    assert is_open("Fr-Sa 18:00-02:00", at(5, 1, 30))  # Friday's evening, past midnight
    assert is_open("10:00-19:00", at(6, 18))


def test_public_holidays_follow_the_french_calendar():
    hours = "Mo-Sa 09:00-19:00; PH off"
    assert is_open(hours, paris(2025, 7, 14, 11)) is False  # Monday, Fête nationale
    assert is_open(hours, paris(2025, 12, 25, 11)) is False  # Thursday, Christmas
    assert is_open(hours, paris(2025, 5, 8, 11)) is False  # Thursday, Victoire 1945
    assert is_open(hours, paris(2025, 12, 23, 11)) is True  # an ordinary Tuesday
    assert is_open(hours, paris(2025, 7, 15, 11)) is True


def test_forms_the_old_hand_written_parser_could_not_read():
    # A split day with a PH rule, week numbers, month ranges, the sun.
    split = "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"
    assert is_open(split, paris(2025, 11, 11, 9)) is False  # Tuesday, Armistice
    assert is_open(split, paris(2025, 11, 18, 9)) is True
    even_weeks = "week 02-52/2 Mo 10:00-12:00"
    assert is_open(even_weeks, paris(2025, 1, 6, 11)) is True  # week 2
    assert is_open(even_weeks, paris(2025, 1, 13, 11)) is False  # week 3
    summer = "Jul-Aug Mo-Su 10:00-23:00; Sep-Jun Mo-Sa 10:00-19:00"
    assert is_open(summer, paris(2025, 7, 6, 22)) is True
    assert is_open(summer, paris(2025, 10, 5, 11)) is False  # a Sunday in October
    sun = "sunrise-sunset"
    assert is_open(sun, paris(2025, 6, 21, 21, 30), coords=(48.8566, 2.3522)) is True
    assert is_open(sun, paris(2025, 12, 21, 17, 30), coords=(48.8566, 2.3522)) is False


def test_the_next_change_is_known():
    hours = parse_opening_hours("Mo-Sa 09:00-19:00; PH off")
    assert hours.next_change(paris(2025, 12, 23, 11)) == paris(2025, 12, 23, 19)
    # Christmas Eve closes at 19 h and Christmas is off: next opening on the 26th.
    assert hours.next_change(paris(2025, 12, 24, 20)) == paris(2025, 12, 26, 9)


@pytest.mark.parametrize("value", ["", "   ", "Mo-Sa 9h-19h", "Xx 10:00-12:00", "fermé"])
def test_hours_that_cannot_be_read_are_unknown(value):
    assert parse_opening_hours(value) is None
    assert is_open(value, at(1, 10)) is None
    rule = legality(at(1, 3), value)
    assert not rule.uses_opening_hours
    assert rule.must_be_off  # the plain 1 h–7 h rule


def test_a_night_the_hours_call_unknown_falls_back_to_the_plain_rule():
    hours = 'Mo-Fr 09:00-19:00; Sa unknown "sur rendez-vous"'
    assert is_open(hours, at(5, 10)) is None
    saturday_night = legality(at(5, 3), hours)  # the night from Friday to Saturday
    assert not saturday_night.uses_opening_hours and saturday_night.must_be_off
    tuesday_night = legality(at(1, 3), hours)
    assert tuesday_night.uses_opening_hours and tuesday_night.must_be_off


def test_without_opening_hours_windows_must_be_dark_from_1_to_7():
    assert not legality(at(1, 0, 59)).must_be_off
    assert legality(at(1, 1, 0)).must_be_off
    assert legality(at(1, 6, 59)).must_be_off
    assert not legality(at(1, 7, 0)).must_be_off
    assert not legality(at(1, 22)).must_be_off
    assert legality(at(1, 3)).dark_hours == 6


def test_the_rule_is_read_on_paris_time_whatever_the_moment_zone():
    utc = datetime.datetime(2024, 12, 3, 0, 30, tzinfo=datetime.UTC)  # 1:30 in Paris
    assert legality(utc).must_be_off
    assert not legality(utc - datetime.timedelta(hours=1)).must_be_off  # 0:30 in Paris


def test_a_shop_closing_late_may_stay_lit_until_one_hour_after_closing():
    hours = "Mo-Su 10:00-01:30"
    assert not legality(at(2, 2, 15), hours).must_be_off  # closed 01:30, grace until 02:30
    assert legality(at(2, 2, 45), hours).must_be_off
    assert legality(at(2, 2, 45), hours).dark_hours == 4.5


def test_a_shop_opening_early_may_light_up_one_hour_before():
    hours = "Mo-Sa 06:30-20:00"
    assert legality(at(2, 5, 0), hours).must_be_off
    assert not legality(at(2, 5, 45), hours).must_be_off


def test_a_public_holiday_morning_gives_no_early_opening():
    hours = "Mo-Sa 05:00-20:00; PH off"
    assert not legality(paris(2025, 7, 15, 4, 30), hours).must_be_off  # opens at 5 h
    assert legality(paris(2025, 7, 14, 4, 30), hours).must_be_off  # 14 July: closed


def test_a_shop_open_all_night_may_be_lit():
    rule = legality(at(2, 3), "24/7")
    assert rule.is_open and not rule.must_be_off
