"""Password hashing, policy and initial passwords.

One argon2id parameter set for every hash the program makes: RFC 9106's second recommended
option (64 MiB, 3 passes, 4 lanes). Measured with tests/bench/bench_passwords.py: ~0.16 s per
hash on the 2-core build machine, so well under 0.5 s on a 2015 office PC (see
tests/bench/README.md). The parameters are pinned here rather than taken from the library's
defaults, so that an upgrade of argon2-cffi cannot change them behind our back; hashes made with
other parameters still verify and are rehashed at the next successful login.

Unknown logins are checked against a dummy hash with the same parameters, so that a login that
does not exist takes as long to refuse as a wrong password for one that does.
"""
from __future__ import annotations

import dataclasses
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PARAMETERS = profiles.RFC_9106_LOW_MEMORY      # m = 64 MiB, t = 3, p = 4

# Initial passwords are read off a paper slip and typed once: no 0/O, 1/l/I, 2/Z, 5/S, 8/B.
INITIAL_ALPHABET = "346789abcdefghjkmnpqrtuvwxyACDEFGHJKLMNPQRTUVWXY"
INITIAL_LENGTH = 10                             # ~55 bits
# Stored in place of a hash while an account waits for its first initial password: it matches no
# password (argon2 cannot even parse it), so nobody can log in before the admin prints the slip.
NO_PASSWORD_YET = "!initial-password-not-issued"


_hashers: dict[tuple, tuple[PasswordHasher, str]] = {}      # parameters → hasher, dummy hash


def _current() -> tuple[PasswordHasher, str]:
    key = dataclasses.astuple(PARAMETERS)
    if key not in _hashers:
        made = PasswordHasher.from_parameters(PARAMETERS)
        _hashers[key] = (made, made.hash(secrets.token_urlsafe(16)))
    return _hashers[key]


def hasher() -> PasswordHasher:
    return _current()[0]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`. Without a usable hash (unknown login, no password
    issued yet) a dummy hash is verified instead, so the answer takes the same time."""
    if not (stored_hash or "").startswith("$argon2"):
        verify_dummy(password)
        return False
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_dummy(password: str) -> None:
    try:
        hasher().verify(_current()[1], password)
    except (VerificationError, InvalidHashError):
        pass


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def new_initial_password() -> str:
    """A random initial password that satisfies password_problem (letters and digits)."""
    while True:
        candidate = "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(INITIAL_LENGTH))
        if password_problem(candidate) is None:
            return candidate


def password_problem(password: str) -> str | None:
    if len(password) < 8:
        return "密码至少8位"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字"
    return None
