"""The rules for a new password, and Argon2id hashing."""
import pytest

from iom.auth.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize("password, message", [
    ("", "Enter a password"),
    ("short pass1", "12 characters or more"),
    ("Password1234!", "too common"),
    ("passwordpassword", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
    ("123456789012", "sequence"),
    ("qwertyuiopas", "sequence"),
    ("Qwerty!!2026qwerty", "too common"),
    ("x" * 300, "256 characters or fewer"),
])
def test_weak_passwords_are_refused_with_a_reason(password, message):
    assert message in (password_problem(password, username="jsmith") or "")


def test_password_containing_the_username_is_refused():
    assert "username" in password_problem("Kestrel jsmith 4411", username="jsmith")


@pytest.mark.parametrize("password", ["plum orchard lantern 42", "correct horse battery", "Tr4ffic-Cone-Sunday"])
def test_good_passwords_pass(password):
    assert password_problem(password, username="jsmith") is None


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("plum orchard lantern 42")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "plum orchard lantern 42")
    assert not verify_password(hashed, "plum orchard lantern 43")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")
