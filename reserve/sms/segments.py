"""How many SMS a text costs, counted the way the network encodes it.

A text made only of the GSM 03.38 default alphabet (3GPP TS 23.038) travels as GSM-7:
160 septets in one SMS, 153 per part once it is split (the concatenation header takes
the other 7). The extension table's characters (€ [ ] { } ^ ~ \\ | and form feed) are
GSM-7 too but cost two septets (an escape, then the character). One character outside
both tables switches the WHOLE text to UCS-2: 70 UTF-16 units in one SMS, 67 per part;
an emoji is two units. A character never straddles two parts: an escape pair or a
surrogate pair that does not fit starts the next part (as Twilio's segment calculator
counts).

In French: é è à ù É Ç are in the alphabet ("Mobilisation Réserve" is GSM-7); ê â î ô û
ë ï œ, the lowercase ç, the typographic apostrophe ’, guillemets « », the ellipsis … and
the non-breaking space are not, and each of them alone halves what fits. (0x09 is drawn
as a capital Ç in TS 23.038; some tables map it to the lowercase ç, so counting ç as
UCS-2 is the safe side.) A provider's "smart encoding" may replace some of them; we
count what we hand over.
"""

GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑܧ"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# (units in one single SMS, units per part of a concatenated one)
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


def encoding(text):
    """GSM7 when every character is in the GSM 03.38 tables, else UCS2."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return GSM7
    return UCS2


def _units(char, scheme):
    if scheme == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair in UTF-16


def units(text):
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    scheme = encoding(text)
    return sum(_units(char, scheme) for char in text)


def segments(text):
    """How many SMS the network sends (and bills) for `text`; 0 for an empty text."""
    if not text:
        return 0
    scheme = encoding(text)
    single, per_part = LIMITS[scheme]
    if sum(_units(char, scheme) for char in text) <= single:
        return 1
    count, room = 1, per_part
    for char in text:
        size = _units(char, scheme)
        if size > room:
            count, room = count + 1, per_part
        room -= size
    return count


def fit(text, max_segments=2, *, prefix="", suffix="", ellipsis=None):
    """`prefix + text + suffix`, with `text` (only it) cut short and ended with an
    ellipsis when needed, so that the whole takes at most `max_segments` SMS.

    Keep the link in `suffix` and shorten the title: `fit(title, prefix="Mobilisation
    Réserve : ", suffix=f". Répondre : {url}")`. The ellipsis is "…" when the message is
    UCS-2 anyway, "..." otherwise (a "…" would switch it to UCS-2). Cutting can drop the
    only non-GSM character and so make room. Raises ValueError when `prefix + suffix`
    alone do not fit."""
    whole = prefix + text + suffix
    if segments(whole) <= max_segments:
        return whole
    if segments(prefix + suffix) > max_segments:
        raise ValueError(
            f"The fixed part of the message alone needs {segments(prefix + suffix)} SMS."
        )

    def shortened(length):
        cut = text[:length].rstrip()
        if ellipsis is not None:
            mark = ellipsis
        else:
            mark = "…" if encoding(prefix + cut + suffix) == UCS2 else "..."
        return prefix + cut + mark + suffix if cut else prefix + suffix

    # The number of SMS never decreases as the kept part grows: bisect its length.
    low, high = 0, len(text) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if segments(shortened(middle)) <= max_segments:
            low = middle
        else:
            high = middle - 1
    return shortened(low)
