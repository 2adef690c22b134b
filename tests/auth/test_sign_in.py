"""Signing in and out, sessions that end on the server, idle time-out. (Failed sign-ins counted by address
and account: test_throttle.py; the second factor: test_second_factor.py.)"""
from datetime import timedelta

from sqlalchemy import func, select, update

from iom.audit.models import AuditEntry
from iom.auth.models import User, UserSession
from iom.extensions import db
from tests.builders import age_sessions
from tests.pages import DEFAULT_PASSWORD, csrf_token, post_form, sign_in

GENERIC = "Enter a correct username and password"


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()


def test_login_page_has_the_contract_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in page.text


def test_signed_out_pages_redirect_to_login_keeping_a_safe_next(client):
    response = client.get("/audit?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "audit" in response.headers["Location"]


def test_sign_in_lands_on_home_and_is_audited(app, client, make_user):
    _, username = make_user("officer")
    response = sign_in(client, app, username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "sign_in.succeeded" in audit_actions(app)


def test_username_is_not_case_sensitive(app, client, make_user):
    _, username = make_user("officer", username="jo.smith")
    assert sign_in(client, app, "  Jo.Smith ").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_message_and_are_audited(app, client, make_user):
    _, username = make_user("officer")
    wrong_password = sign_in(client, app, username, "not the right password")
    unknown_user = sign_in(client, app, "nobody-here", "not the right password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert GENERIC in wrong_password.text and GENERIC in unknown_user.text
    assert "There is a problem" in wrong_password.text
    assert audit_actions(app).count("sign_in.failed") == 2


def test_next_is_followed_only_within_the_site(app, client, make_user):
    _, username = make_user("manager")
    response = sign_in(client, app, username, query_string={"next": "/audit"})
    assert response.headers["Location"] == "/audit"
    client.post("/logout", data={"csrf_token": csrf_token(client, app)})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = sign_in(client, app, username, query_string={"next": evil})
        assert response.headers["Location"] == "/", evil
        post_form(client, app, "/logout")


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, make_user):
    _, username = make_user("officer")
    response = client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Your form has expired" in response.text or "expired" in response.text.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_forged_csrf_token_is_refused(app, client, make_user):
    _, username = make_user("officer")
    response = client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD,
                                           "csrf_token": "forged.token.value"})
    assert response.status_code == 400


def test_sign_out_is_post_only(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_cookie_replayed_after_sign_out_is_refused(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    stolen = client.get_cookie("iom_session").value
    assert post_form(client, app, "/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("iom_session", stolen)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "sign_out" in audit_actions(app)


def test_session_ends_after_30_idle_minutes(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    assert client.get("/").status_code == 200
    age_sessions(app, last_seen_at=timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "30 minutes" in page.text
    with app.app_context():
        assert db.session.scalar(select(UserSession.end_reason)) == "idle"


def test_session_survives_29_idle_minutes(app, client, make_user):
    _, username = make_user("officer")
    sign_in(client, app, username)
    age_sessions(app, last_seen_at=timedelta(minutes=29))
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(app, client, make_user):
    _, username = make_user("officer")
    response = sign_in(client, app, username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1; IOM_BEHIND_HTTPS=1 adds it


def test_deactivated_user_cannot_sign_in_and_gets_the_generic_message(app, client, make_user):
    user_id, username = make_user("officer")
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(is_active=False))
        db.session.commit()
    response = sign_in(client, app, username)
    assert response.status_code == 200 and GENERIC in response.text
