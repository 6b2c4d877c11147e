"""What a volunteer's reply to a call-up says: yes, no, stop, or something a person must
read. Channel-neutral (SMS and e-mail); what an answer does is `missions`' business.

The parser is strict on purpose: a reply counts only when it is one of the known words
(with any case, accents, spaces, punctuation or emoji around it, and an optional
"merci"); "oui mais demain", "peut-être" or "je ne sais pas" are UNKNOWN and go to a
coordinator. A wrong "yes" sends someone who is not coming; an UNKNOWN costs a look.
"""

import re
import unicodedata
from enum import StrEnum


class Reply(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    STOP = "stop"
    UNKNOWN = "unknown"


ACCEPT, DECLINE, STOP, UNKNOWN = Reply.ACCEPT, Reply.DECLINE, Reply.STOP, Reply.UNKNOWN

_WORDS = {
    ACCEPT: {"oui", "yes", "1"},
    DECLINE: {"non", "no", "2"},
    # French carriers' stop words (STOP, STOP SMS, ARRET) and the keywords Twilio and the
    # US carriers treat as opt-outs.
    STOP: {"stop", "arret", "stopall", "unsubscribe", "desabonner", "cancel", "end", "quit"},
}
_POLITE = {"merci", "thanks", "thank you", "merci beaucoup", "svp", "please"}
_STOP_PHRASES = {"stop sms", "stop sms svp"}


def _normalize(text):
    """Lower case, accents off, every run of non-letters and non-digits made one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


def parse_reply(text):
    """ACCEPT, DECLINE, STOP or UNKNOWN for the text of a reply."""
    words = _normalize(text)
    if not words:
        return UNKNOWN
    if words in _STOP_PHRASES or re.fullmatch(r"stop \d{4,6}", words):
        return STOP  # "STOP 36180": the stop word followed by the short code
    for reply, known in _WORDS.items():
        for word in known:
            if words == word or words == f"{word} {word}":
                return reply
            if words.startswith(f"{word} ") and words[len(word) + 1 :] in _POLITE:
                return reply
    return UNKNOWN


# Where the quoted message starts in a reply: "Le lun. 3 juin 2024 à 10:00, X a écrit :"
# (one line, or cut after "a"), "On Mon, Jun 3, 2024 at 10:00 AM X wrote:", ">" quotes,
# Outlook's headers and separators.
_QUOTE_HEADER = re.compile(
    r"^(le\s.*\s(a\s+)?(é|e)crit\s*:?|on\s.*\swrote\s*:?|le\s.*\sa)\s*$", re.IGNORECASE
)
_QUOTE_START = re.compile(
    r"^\s*(>|-{2,}\s*(original message|message d'origine|message transféré)|_{8,}"
    r"|(de|from)\s*:\s*\S)",
    re.IGNORECASE,
)


def reply_line(text):
    """The first non-empty line of an e-mail reply above the quoted message, or ""."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        if _QUOTE_START.match(line):
            return ""
        stripped = line.strip()
        if not stripped:
            continue
        if _QUOTE_HEADER.match(stripped):
            following = " ".join(lines[index : index + 2])
            if re.search(r"(é|e)crit\s*:|wrote\s*:", following, re.IGNORECASE):
                return ""
        return stripped
    return ""


def parse_email_reply(text):
    """ACCEPT, DECLINE, STOP or UNKNOWN for the plain-text body of an e-mail reply:
    only its first non-empty line above the quoted message counts ("Oui" then a
    signature is ACCEPT; an empty reply above "Le … a écrit :" is UNKNOWN)."""
    return parse_reply(reply_line(text))
