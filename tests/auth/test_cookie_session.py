"""The session cookie (iom/cookie_session.py): sent again at most once a minute while unchanged, always when
the session changes, and refused when tampered with or signed with another key."""
from datetime import timedelta

from iom import cookie_session
from iom.clock import utcnow


def session_cookie(response, app) -> str | None:
    name = app.config["SESSION_COOKIE_NAME"]
    return next((header for header in response.headers.getlist("Set-Cookie") if header.startswith(name + "=")),
                None)


def test_an_unchanged_cookie_is_sent_again_only_once_it_is_a_minute_old(app, signed_in, monkeypatch):
    browser, _ = signed_in("officer")
    assert browser.get("/clients").status_code == 200
    assert session_cookie(browser.get("/clients"), app) is None  # signed at sign-in, seconds ago
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(cookie_session, "utcnow", lambda: later)
    resent = session_cookie(browser.get("/clients"), app)
    assert resent is not None and "Expires=" in resent and "HttpOnly" in resent
    assert browser.get("/clients").status_code == 200  # the cookie sent again is a good one


def test_a_changed_session_is_always_sent(app, signed_in):
    from tests.pages import csrf_token
    browser, _ = signed_in("officer")
    browser.get("/clients")
    signed_out = browser.post("/logout", data={"csrf_token": csrf_token(browser, app)})
    assert signed_out.status_code == 302 and session_cookie(signed_out, app) is not None
    assert browser.get("/clients").status_code == 302  # signed out


def test_a_tampered_cookie_or_another_key_is_a_fresh_session(app, signed_in):
    browser, _ = signed_in("officer")
    name = app.config["SESSION_COOKIE_NAME"]
    value = browser.get_cookie(name).value
    browser.set_cookie(name, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert browser.get("/clients").status_code == 302
    browser.set_cookie(name, value)
    assert browser.get("/clients").status_code == 200
    app.secret_key = "another-secret-key-" + "k" * 40  # a new serializer for the new key, the old cookie refused
    assert browser.get("/clients").status_code == 302
