"""reserve.sms.segments: how many SMS a text costs, as the network counts them."""

import pytest

from reserve.sms.segments import GSM7, UCS2, encoding, fit, segments, units


@pytest.mark.parametrize(
    "text",
    [
        "Mobilisation Reserve",
        "Mobilisation Réserve",  # é is in the GSM alphabet
        "Répondre à l'appel, où ? Mairie d'Évry, Ça va",
        "Prix : 10 € [urgent] {x} ^ ~ \\ |",  # the extension table
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑܧ¿äöñüà",
    ],
)
def test_texts_of_the_gsm_alphabet_travel_as_gsm7(text):
    assert encoding(text) == GSM7


@pytest.mark.parametrize(
    "text",
    [
        "Une tâche à faire",  # â
        "À Paris",  # a capital A with a grave accent (only the lowercase à is GSM)
        "Être prêt",  # ê
        "Le garçon",  # a lowercase ç
        "L’équipe",  # the typographic apostrophe
        "« Crise »",  # guillemets
        "Merci…",  # the ellipsis character
        "Cœur",  # œ
        "Merci 👍",  # an emoji
        "Rendez-vous\u00a0: 8 h",  # a non-breaking space
    ],
)
def test_one_character_outside_the_gsm_alphabet_makes_the_text_ucs2(text):
    assert encoding(text) == UCS2


def test_an_empty_text_costs_nothing():
    assert segments("") == 0


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_takes_160_characters_then_153_per_part(length, expected):
    assert segments("a" * length) == expected


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_takes_70_characters_then_67_per_part(length, expected):
    assert segments("ê" * length) == expected


def test_an_extension_character_costs_two_septets():
    assert units("€") == 2
    assert units("10 €") == 5
    assert segments("€" * 80) == 1  # 160 septets
    assert segments("€" * 81) == 2
    assert segments("a" * 159 + "€") == 2


def test_an_escape_pair_is_never_split_across_two_parts():
    # 152 septets, then a € (2): it does not fit in the first part's 153 and starts the
    # second. 306 septets would fill two parts exactly if the pair could be split.
    text = "a" * 152 + "€" + "a" * 152
    assert units(text) == 306
    assert segments(text) == 3


def test_an_emoji_is_two_utf16_units_and_is_not_split():
    assert units("👍") == 2
    assert segments("👍" * 35) == 1  # 70 units
    assert segments("👍" * 36) == 2
    text = "ê" * 66 + "👍" + "ê" * 66  # the emoji would straddle the first part's 67
    assert units(text) == 134
    assert segments(text) == 3


def test_a_circumflex_in_a_french_call_up_turns_two_sms_into_three():
    link = "https://reserve.example.org/missions/respond/" + "x" * 43 + "/"
    plain = (
        f"Mobilisation Réserve : Inondations dans le Gard, renfort logistique. Répondre : {link}"
    )
    accented = plain.replace("renfort", "prêts à renforcer")
    assert (encoding(plain), segments(plain)) == (GSM7, 2)
    assert (encoding(accented), segments(accented)) == (UCS2, 3)


def test_fit_keeps_a_text_that_fits_as_it_is():
    assert fit("Court", 1, prefix="Mobilisation : ", suffix=" Lien") == "Mobilisation : Court Lien"


def test_fit_shortens_only_the_middle_and_keeps_the_link_whole():
    link = " Répondre : https://reserve.example.org/missions/respond/abcdef/"
    title = "Grand titre " * 40
    text = fit(title, 2, prefix="Mobilisation Réserve : ", suffix=link)
    assert text.startswith("Mobilisation Réserve : Grand titre")
    assert text.endswith("..." + link)
    assert segments(text) == 2
    assert units(text) >= 306 - 2  # as much of the title as fits (a space may be cut)


def test_fit_uses_the_ellipsis_character_only_when_the_text_is_ucs2_anyway():
    text = fit("Tâche " * 50, 1)
    assert encoding(text) == UCS2
    assert text.endswith("…")
    assert segments(text) == 1


def test_fit_can_cut_the_only_character_that_forced_ucs2():
    text = fit("a" * 100 + "ê" + "b" * 100, 1)
    assert text == "a" * 100 + "..."
    assert encoding(text) == GSM7


def test_fit_refuses_when_the_fixed_part_alone_is_too_long():
    with pytest.raises(ValueError, match="alone needs 2 SMS"):
        fit("titre", 1, suffix="x" * 200)
