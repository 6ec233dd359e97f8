"""Public reports (有奖举报): tracking codes, the arithmetic challenge and the flood rule.

Plain functions without requests or the database; `services_reports` applies them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: a code read out over the phone or copied from a screenshot survives.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10
CHALLENGE_MAX_AGE = 30 * 60  # seconds a challenge stays valid
CHALLENGE_SALT = "yingji.hazards.public-report.challenge"
MAX_PHOTOS = 5


def new_tracking_code(randbelow=secrets.randbelow) -> str:
    return "".join(TRACKING_ALPHABET[randbelow(len(TRACKING_ALPHABET))] for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(value: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if ch not in " -\t")


def looks_like_tracking_code(value: str) -> bool:
    return len(value) == TRACKING_LENGTH and all(ch in TRACKING_ALPHABET for ch in value)


def client_key(ip: str, secret: str) -> str:
    """The client address as stored: HMAC-SHA256 under the secret key (the address itself is not kept)."""
    return hmac.new(secret.encode(), (ip or "").encode(), hashlib.sha256).hexdigest()


# -- the challenge ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    question: str  # e.g. "7 + 12"
    token: str  # signed and time-stamped; carries a keyed digest of the answer, not the answer


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()[:32]


def new_challenge(randbelow=secrets.randbelow) -> Challenge:
    a, b = 2 + randbelow(18), 1 + randbelow(9)
    if randbelow(2):
        question, answer = f"{a} + {b}", a + b
    else:
        question, answer = f"{a} - {b}", a - b
    nonce = secrets.token_hex(8)
    token = signing.TimestampSigner(salt=CHALLENGE_SALT).sign(f"{nonce}.{_digest(nonce, answer)}")
    return Challenge(question=question, token=token)


def challenge_problem(token: str, answer: str, *, max_age: int = CHALLENGE_MAX_AGE) -> str | None:
    """None when `answer` solves the challenge of `token`; else "expired", "invalid" or "wrong"."""
    try:
        value = signing.TimestampSigner(salt=CHALLENGE_SALT).unsign(token or "", max_age=max_age)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "invalid"
    nonce, _, digest = value.partition(".")
    try:
        number = int(str(answer).strip())
    except (TypeError, ValueError):
        return "wrong"
    return None if constant_time_compare(digest, _digest(nonce, number)) else "wrong"


# -- the flood rule -----------------------------------------------------------------------------------


def over_limit(*, last_hour: int, last_day: int, per_hour: int, per_day: int) -> str | None:
    """ "hour" or "day" when one more report from the same client would pass a limit, else None."""
    if last_hour >= per_hour:
        return "hour"
    if last_day >= per_day:
        return "day"
    return None
