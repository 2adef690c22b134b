"""Flask's signed session cookie, re-signed at most once a minute rather than on every request.

The cookie holds the server-side session's token (iom/auth/hooks.py), Flask-Login's account id, the CSRF
secret and any message waiting to be shown; whether a session is live is decided by the token's row, whose idle time is measured to the minute (auth/operations.py
`find_live_session` touches it at most once a minute). The cookie lives as long as an idle session
(PERMANENT_SESSION_LIFETIME), so Flask sends it again on every answer to push its expiry on: a JSON
encoding and an HMAC per request, on every page. Here an unchanged cookie signed less than a minute ago
is not sent again, so the browser's copy expires at most a minute earlier than the server's idle limit
would end the session anyway. A changed session (sign-in, sign-out, a new CSRF secret) is always sent.
The signing serializer is also made once per key, not twice a request.
"""
from datetime import timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from iom.clock import utcnow

RESIGN_AFTER = timedelta(minutes=1)


class CookieSessions(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = app.extensions.get("iom.cookie_session")
        if made is None or made[0] != keys:
            made = app.extensions["iom.cookie_session"] = (keys, super().get_signing_serializer(app))
        return made[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or utcnow() - signed_at >= RESIGN_AFTER


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
