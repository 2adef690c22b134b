"""Sign-in that cannot be turned against its users: failures counted by address and by account in the
database (separate clients stand in for separate gunicorn workers or hosts), an address spraying many
accounts stopped, the owner let in from elsewhere, and the hourly ceiling per account."""
from datetime import timedelta

from sqlalchemy import func, select, update

from iom.audit.models import AuditEntry
from iom.auth.models import SignInFailure
from iom.clock import utcnow
from iom.extensions import db
from tests.pages import DEFAULT_PASSWORD, Page, post_form, sign_in

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}
WRONG = "wrong password!!"


def attempt(app, username, password=WRONG, address=ATTACKER):
    """One sign-in from a fresh client (another worker, or another host behind the balancer)."""
    return sign_in(app.test_client(), app, username, password, environ_base=address)


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()


def test_one_address_failing_against_ten_accounts_is_stopped_while_an_owner_signs_in_elsewhere(app, make_user):
    accounts = [make_user("officer")[1] for _ in range(10)]
    answers = [attempt(app, username).status_code for username in accounts]
    assert answers[:5] == [200] * 5  # a wrong password, said so
    assert answers[5:] == [429] * 5  # the sixth account onwards: the address is stopped
    stopped = attempt(app, accounts[0], DEFAULT_PASSWORD)  # even the right password, from that address
    assert stopped.status_code == 429
    page = Page(stopped)
    assert page.title.startswith("Error: ")
    assert page.field_errors["username-error"].startswith("There have been too many failed sign-ins from your network. "
                                                          "Try again after ")
    assert page.summary_errors == [page.field_errors["username-error"]]
    owner = attempt(app, accounts[7], DEFAULT_PASSWORD, address=OWNER)
    assert owner.status_code == 302 and owner.headers["Location"] == "/"
    assert audit_actions(app).count("sign_in.refused_throttled") == 6


def test_ten_failures_against_one_account_stop_that_address_for_that_account_only(app, make_user):
    _, target = make_user("admin")
    _, other = make_user("officer")
    for _ in range(10):
        assert attempt(app, target).status_code == 200
    refused = attempt(app, target, DEFAULT_PASSWORD)
    assert refused.status_code == 429 and "for this account from your network" in refused.text
    assert attempt(app, other, DEFAULT_PASSWORD).status_code == 302  # the address may still sign in others
    assert attempt(app, target, DEFAULT_PASSWORD, address=OWNER).status_code == 302  # the only admin gets in


def test_unknown_usernames_count_the_same_way(app):
    for _ in range(10):
        attempt(app, "ghost")
    assert attempt(app, "ghost").status_code == 429


def test_the_address_is_let_go_when_its_failures_leave_the_window(app, make_user):
    _, username = make_user("officer")
    for _ in range(10):
        attempt(app, username)
    assert attempt(app, username, DEFAULT_PASSWORD).status_code == 429
    with app.app_context():
        db.session.execute(update(SignInFailure).values(failed_at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert attempt(app, username, DEFAULT_PASSWORD).status_code == 302


def test_a_hundred_failures_in_an_hour_from_anywhere_hold_the_account(app, make_user):
    """ASVS 4.0.3 2.2.1: no more than 100 failed attempts an hour on one account, however many addresses."""
    _, username = make_user("manager")
    with app.app_context():
        db.session.add_all(SignInFailure(username=username, address=f"192.0.2.{n % 50}",
                                         failed_at=utcnow() - timedelta(minutes=50)) for n in range(99))
        db.session.commit()
    assert attempt(app, username, address={"REMOTE_ADDR": "192.0.2.200"}).status_code == 200  # the 100th
    held = attempt(app, username, DEFAULT_PASSWORD, address=OWNER)
    assert held.status_code == 429 and "100 failed sign-ins in the last hour" in held.text
    with app.app_context():
        db.session.execute(update(SignInFailure).values(failed_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    assert attempt(app, username, DEFAULT_PASSWORD, address=OWNER).status_code == 302


def test_wrong_codes_count_as_failures_too(app, make_user):
    _, username = make_user("officer")
    for _ in range(2):
        client = app.test_client()
        post_form(client, app, "/login", {"username": username, "password": DEFAULT_PASSWORD},
                  environ_base=ATTACKER)
        for _ in range(5):
            post_form(client, app, "/login/code", {"code": "000000"}, environ_base=ATTACKER)
    client = app.test_client()
    response = post_form(client, app, "/login", {"username": username, "password": DEFAULT_PASSWORD},
                         environ_base=ATTACKER)
    assert response.status_code == 429
    assert attempt(app, username, DEFAULT_PASSWORD, address=OWNER).status_code == 302


def test_signing_in_forgets_that_addresss_failures_only(app, make_user):
    _, username = make_user("officer")
    for _ in range(3):
        attempt(app, username)
        attempt(app, username, address=OWNER)
    assert attempt(app, username, DEFAULT_PASSWORD, address=OWNER).status_code == 302
    with app.app_context():
        left = db.session.scalars(select(SignInFailure.address)).all()
    assert left == [ATTACKER["REMOTE_ADDR"]] * 3


def test_old_failures_are_pruned(app, make_user):
    _, username = make_user("officer")
    with app.app_context():
        db.session.add(SignInFailure(username=username, address="192.0.2.1", failed_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    attempt(app, username)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 1
