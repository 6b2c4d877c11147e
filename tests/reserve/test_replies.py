"""reserve.replies: what a reply to a call-up says, by SMS or by e-mail."""

import pytest

from reserve.replies import (
    ACCEPT,
    DECLINE,
    STOP,
    UNKNOWN,
    parse_email_reply,
    parse_reply,
    reply_line,
)


@pytest.mark.parametrize(
    "text",
    [
        "OUI",
        "oui",
        "Oui",
        " Oui ! ",
        "Oui.",
        "oui!!",
        "OUI 👍",
        "👍 oui",
        "OUÎ",
        "Öui",
        "\toui\n",
        "« Oui »",
        "1",
        "1.",
        "YES",
        "yes.",
        "Yes!",
        "oui oui",
        "Oui merci",
        "oui, merci !",
        "Yes thanks",
    ],
)
def test_a_yes_in_any_form_accepts(text):
    assert parse_reply(text) == ACCEPT


@pytest.mark.parametrize(
    "text",
    ["NON", "non", "Non.", " non ! ", "NÔN", "2", "2)", "NO", "no.", "Non merci", "non, merci"],
)
def test_a_no_in_any_form_declines(text):
    assert parse_reply(text) == DECLINE


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "Stop",
        "Stop SMS",
        "STOP SMS",
        "stop.",
        "ARRET",
        "ARRÊT",
        "arrêt",
        "STOP 36180",
        "STOPALL",
        "UNSUBSCRIBE",
        "Désabonner",
    ],
)
def test_a_stop_word_stops(text):
    assert parse_reply(text) == STOP


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "👍",
        "oui mais demain",
        "peut-être",
        "Peut etre",
        "je ne sais pas",
        "oui non",
        "non oui",
        "ok",
        "3",
        "11",
        "ouioui",
        "nonsense",
        "stop ou encore",
        "Oui je viens avec un ami",
        None,
    ],
)
def test_anything_else_is_for_a_person_to_read(text):
    assert parse_reply(text) == UNKNOWN


def test_an_email_reply_counts_its_first_line_above_the_quote():
    body = "Oui\n\nJean Dupont\nEnvoyé de mon iPhone\n\nLe lun. 3 juin 2024 à 10:00, Réserve <no-reply@reserve.fr> a écrit :\n> Mobilisation : répondez OUI ou NON\n"  # noqa: E501
    assert parse_email_reply(body) == ACCEPT


def test_an_email_reply_with_blank_lines_first_still_reads_the_answer():
    assert parse_email_reply("\n\n  Non, merci  \r\n\r\nMarie\r\n") == DECLINE


@pytest.mark.parametrize(
    "quote",
    [
        "Le lun. 3 juin 2024 à 10:00, Réserve <no-reply@reserve.fr> a écrit :",
        "Le lun. 3 juin 2024 à 10:00, Réserve <no-reply@reserve.fr> a\nécrit :",
        "On Mon, Jun 3, 2024 at 10:00 AM Réserve <no-reply@reserve.fr> wrote:",
        "> Mobilisation Réserve : répondez OUI ou NON",
        "-----Original Message-----",
        "-------- Message d'origine --------",
        "________________________________\nDe : Réserve",
        "De : Réserve <no-reply@reserve.fr>",
        "From: Réserve <no-reply@reserve.fr>",
    ],
)
def test_an_email_reply_with_nothing_above_the_quote_says_nothing(quote):
    # The quoted call-up says "OUI": it must never count as the volunteer's answer.
    assert parse_email_reply(f"{quote}\n> Répondez OUI\nOUI\n") == UNKNOWN


def test_only_the_first_line_counts_so_a_hesitation_is_unknown():
    assert parse_email_reply("Je ne sais pas encore\nOui peut-être\n") == UNKNOWN


def test_a_first_line_that_starts_like_a_quote_header_but_is_not_one_is_read():
    assert reply_line("Le matin seulement\n\nLe 3 juin, X a écrit :\n> ...") == (
        "Le matin seulement"
    )
    assert parse_email_reply("Le matin seulement") == UNKNOWN


def test_stop_by_email_is_read_too():
    assert parse_email_reply("STOP\n\nOn Mon, Jun 3, 2024 Réserve wrote:\n> ...") == STOP
