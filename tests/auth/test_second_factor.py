"""The second factor: every role gives a code after the password, set up at the first sign-in; wrong,
reused and expired codes; recovery codes; an administrator's reset; the code asked again before a
download; sessions that end 12 hours after sign-in."""
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.auth.models import RecoveryCode, User, UserSession
from iom.auth.permissions import ROLES
from iom.clock import today_in_london, utcnow
from iom.extensions import db
from iom.years import FinancialYear
from tests.builders import age_sessions
from tests.pages import (DEFAULT_PASSWORD, TEST_TOTP_SECRET, Page, assert_field_error, give_code, next_code,
                         post_form, sign_in)

YEAR = FinancialYear.of(today_in_london()).label  # the year running: its pack exists without data


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()


def password_only(client, app, username, password=DEFAULT_PASSWORD):
    return post_form(client, app, "/login", {"username": username, "password": password})


def code_now(offset_steps: int = 0) -> str:
    return pyotp.TOTP(TEST_TOTP_SECRET).at(utcnow() + timedelta(seconds=30 * offset_steps))


def user_row(app, username) -> User:
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_must_give_the_code_and_nothing_is_reachable_before_it(app, client, make_user, role):
    _, username = make_user(role)
    response = password_only(client, app, username)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    for path in ("/", "/clients", "/admin/users", "/reports", "/audit", "/account/password", "/account/confirm-code"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].startswith("/login"), path
    assert "sign_in.succeeded" not in audit_actions(app)
    done = give_code(client, app, username)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert audit_actions(app)[-2:] == ["sign_in.second_factor_passed", "sign_in.succeeded"]


def test_the_code_page_has_the_contract_fields(app, client, make_user):
    _, username = make_user("officer")
    page = client.get(password_only(client, app, username).headers["Location"])
    assert page.status_code == 200
    assert Page(page).form_fields[""].keys() >= {"code", "csrf_token"}


def test_the_code_page_without_a_password_first_sends_to_sign_in(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code in (302, 400)


@pytest.mark.parametrize("code, message", [
    ("", "Enter the 6-digit code from your authenticator app"),
    ("000000", "The code is not correct. Enter the 6-digit code your authenticator app shows now, or a recovery code"),
    ("12 34", "The code is not correct. Enter the 6-digit code your authenticator app shows now, or a recovery code"),
])
def test_a_wrong_code_is_refused_audited_and_signs_nobody_in(app, client, make_user, code, message):
    _, username = make_user("manager")
    password_only(client, app, username)
    response = post_form(client, app, "/login/code", {"code": code})
    assert response.status_code == 400
    assert_field_error(response, "code", message)
    assert client.get("/clients").status_code == 302
    if code:
        assert audit_actions(app)[-1] == "sign_in.second_factor_failed"


def test_an_expired_code_is_refused(app, client, make_user):
    _, username = make_user("officer")
    password_only(client, app, username)
    response = post_form(client, app, "/login/code", {"code": code_now(-3)})
    assert response.status_code == 400 and "not correct" in response.text


def test_a_code_is_accepted_once_only(app, client, make_user):
    _, username = make_user("officer")
    password_only(client, app, username)
    code = code_now()
    assert post_form(client, app, "/login/code", {"code": code}).status_code == 302
    post_form(client, app, "/logout")
    password_only(client, app, username)
    again = post_form(client, app, "/login/code", {"code": code})
    assert again.status_code == 400
    assert_field_error(again, "code", "That code has already been used. Wait for your authenticator app to show a "
                                      "new code, then enter it")
    assert audit_actions(app)[-1] == "sign_in.second_factor_failed"


def test_too_many_wrong_codes_need_the_password_again(app, client, make_user):
    _, username = make_user("officer")
    password_only(client, app, username)
    for attempt in range(4):
        assert post_form(client, app, "/login/code", {"code": "000000"}).status_code == 400
    fifth = post_form(client, app, "/login/code", {"code": "000000"})
    assert fifth.status_code == 302 and fifth.headers["Location"] == "/login"
    assert client.get("/login/code").headers["Location"] == "/login"


def test_the_password_step_expires_after_ten_minutes(app, client, make_user):
    _, username = make_user("officer")
    password_only(client, app, username)
    with client.session_transaction() as session:
        session["pending_sign_in"] = {**session["pending_sign_in"],
                                      "at": (utcnow() - timedelta(minutes=11)).isoformat()}
    assert client.get("/login/code").headers["Location"] == "/login"


def test_next_survives_the_code_step(app, client, make_user):
    _, username = make_user("manager")
    response = sign_in(client, app, username, query_string={"next": "/audit"})
    assert response.headers["Location"] == "/audit"


# --- set-up at the first sign-in ------------------------------------------------------------------

def test_an_account_without_a_second_factor_sets_one_up_before_anything_else(app, client, make_user):
    _, username = make_user("officer", totp_secret=None)
    response = password_only(client, app, username)
    assert response.headers["Location"] == "/login/set-up-second-factor"
    assert client.get("/").headers["Location"].startswith("/login")
    page = client.get("/login/set-up-second-factor")
    assert page.status_code == 200
    secret = user_row(app, username).totp_secret
    assert "<svg" in page.text and "<script>" not in page.text.split("<body")[1].split("<script src")[0]
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page.text
    assert client.get("/login/set-up-second-factor").status_code == 200
    assert user_row(app, username).totp_secret == secret  # the same secret until it is confirmed

    wrong = post_form(client, app, "/login/set-up-second-factor", {"code": "000000"})
    assert wrong.status_code == 400 and not user_row(app, username).has_second_factor

    done = post_form(client, app, "/login/set-up-second-factor", {"code": pyotp.TOTP(secret).at(utcnow())})
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code>", done.text)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    assert user_row(app, username).has_second_factor
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {code.replace("-", "") for code in codes}
    assert "second_factor.set_up" in audit_actions(app)


def test_the_qr_code_needs_no_script_or_outside_image(app, client, make_user):
    _, username = make_user("housing", totp_secret=None)
    password_only(client, app, username)
    page = client.get("/login/set-up-second-factor")
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert "<image" not in svg and "href" not in svg and "script" not in svg
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


# --- recovery codes -------------------------------------------------------------------------------

def _with_recovery_codes(app, username) -> list[str]:
    from iom.auth.second_factor import issue_recovery_codes
    with app.app_context():
        codes = issue_recovery_codes(db.session.scalar(select(User).where(User.username == username)))
        db.session.commit()
    return codes


def test_a_recovery_code_signs_in_once(app, client, make_user):
    _, username = make_user("reviewer")
    codes = _with_recovery_codes(app, username)
    password_only(client, app, username)
    response = post_form(client, app, "/login/code", {"code": codes[0].lower()})
    assert response.status_code == 302
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200 and "You signed in with a recovery code. You have 9 left" in landing.text
    post_form(client, app, "/logout")
    password_only(client, app, username)
    again = post_form(client, app, "/login/code", {"code": codes[0]})
    assert again.status_code == 400
    assert_field_error(again, "code", "That recovery code has already been used. Each recovery code works once")
    wrong = post_form(client, app, "/login/code", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 400 and "not correct" in wrong.text
    actions = audit_actions(app)
    assert actions.count("sign_in.second_factor_failed") == 2 and "sign_in.second_factor_passed" in actions


# --- an administrator's reset -----------------------------------------------------------------------

def test_an_administrators_reset_ends_the_persons_sessions_and_they_set_up_again(app, make_user):
    admin, person = app.test_client(), app.test_client()
    _, admin_name = make_user("admin")
    person_id, person_name = make_user("officer")
    _with_recovery_codes(app, person_name)
    assert sign_in(person, app, person_name).status_code == 302
    assert sign_in(admin, app, admin_name).status_code == 302
    version = user_row(app, person_name).version
    response = post_form(admin, app, f"/admin/users/{person_id}/second-factor/reset", {"version": version})
    assert response.status_code == 302
    assert "second factor has been reset" in admin.get(response.headers["Location"]).text
    assert person.get("/").headers["Location"].startswith("/login")
    row = user_row(app, person_name)
    assert row.totp_secret is None and not row.has_second_factor
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode)).all() == []
        reasons = db.session.scalars(select(UserSession.end_reason).where(UserSession.user_id == person_id)).all()
    assert reasons == ["second factor reset"]
    assert "second_factor.reset" in audit_actions(app)
    assert password_only(person, app, person_name).headers["Location"] == "/login/set-up-second-factor"


def test_a_stale_reset_is_refused(app, make_user):
    admin = app.test_client()
    _, admin_name = make_user("admin")
    person_id, person_name = make_user("officer")
    sign_in(admin, app, admin_name)
    response = post_form(admin, app, f"/admin/users/{person_id}/second-factor/reset", {"version": "999"})
    assert response.status_code == 409
    assert user_row(app, person_name).has_second_factor


# --- the code asked again before a download ---------------------------------------------------------

def _age_second_factor(app, minutes: int) -> None:
    age_sessions(app, second_factor_at=timedelta(minutes=minutes))


@pytest.mark.parametrize("role, url", [("reviewer", f"/reports/{YEAR}/download/json"),
                                       ("manager", f"/reports/{YEAR}/download/csv"),
                                       ("manager", "/export-caseload")])
def test_a_download_needs_a_code_from_the_last_five_minutes(app, client, make_user, role, url):
    _, username = make_user(role)
    sign_in(client, app, username)
    assert post_form(client, app, url).status_code == 200  # the sign-in's code is fresh
    _age_second_factor(app, 6)
    refused = post_form(client, app, url, headers={"Referer": f"http://localhost/reports/{YEAR}"})
    assert refused.status_code == 303
    assert refused.headers["Location"] == f"/account/confirm-code?next=/reports/{YEAR}"
    actions = audit_actions(app)
    assert actions[-1] == "step_up.required"
    downloads = [a for a in actions if a in ("report.downloaded", "caseload.exported")]
    assert len(downloads) == 1  # only the first, fresh, download

    page = client.get(refused.headers["Location"])
    assert page.status_code == 200 and 'name="code"' in page.text
    wrong = post_form(client, app, "/account/confirm-code", {"code": "000000", "next": f"/reports/{YEAR}"})
    assert wrong.status_code == 400 and "not correct" in wrong.text
    assert audit_actions(app)[-1] == "step_up.second_factor_failed"
    given = post_form(client, app, "/account/confirm-code", {"code": next_code(app, username), "next": f"/reports/{YEAR}"})
    assert given.status_code == 302 and given.headers["Location"] == f"/reports/{YEAR}"
    assert post_form(client, app, url).status_code == 200


def test_going_straight_to_the_download_address_is_refused_and_audited(app, client, make_user):
    _, username = make_user("reviewer")
    sign_in(client, app, username)
    _age_second_factor(app, 60)
    response = post_form(client, app, f"/reports/{YEAR}/download/pdf")
    assert response.status_code == 303 and response.headers["Location"].startswith("/account/confirm-code")
    assert "report.downloaded" not in audit_actions(app)
    assert audit_actions(app)[-1] == "step_up.required"


def test_the_step_up_page_follows_only_a_safe_next(app, client, make_user):
    _, username = make_user("reviewer")
    sign_in(client, app, username)
    response = post_form(client, app, "/account/confirm-code", {"code": next_code(app, username),
                                                                "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- twelve hours --------------------------------------------------------------------------------------

def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    age_sessions(app, started_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(0))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "more than 12 hours ago" in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(select(UserSession.end_reason)) == "absolute"


def test_a_session_of_eleven_hours_carries_on(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    age_sessions(app, started_at=timedelta(hours=11, minutes=59), last_seen_at=timedelta(0))
    assert client.get("/").status_code == 200
