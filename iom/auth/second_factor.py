"""The second factor: RFC 6238 codes (30 seconds, 6 digits, SHA-1) from an authenticator app, one-use
recovery codes, and an administrator's reset. Each change audits and flushes; the caller commits."""
import base64
import binascii
import hashlib
import re
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select, update

from iom import audit
from iom.auth.models import RecoveryCode, User
from iom.clock import utcnow
from iom.extensions import db

ISSUER = "IOM caseload tracker"
RECOVERY_CODE_COUNT = 10
# A code is accepted for the step it was made in and the one either side: an app's clock a few
# seconds out, or a code typed as it changed, still works. Never the same step twice.
VALID_STEPS_EITHER_SIDE = 1
SIX_DIGITS = re.compile(r"^\d{6}$")


class SecretError(ValueError):
    """A base32 secret that cannot be used; the message says why."""


def normalise_secret(text: str) -> str:
    """A base32 secret as an authenticator app shows it ('jbsw y3dp ...'), checked and upper case."""
    secret = re.sub(r"[\s-]", "", text or "").upper().rstrip("=")
    if not secret:
        raise SecretError("the second-factor secret is empty")
    try:
        decoded = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError):
        raise SecretError("the second-factor secret is not valid base32 (letters A to Z and digits 2 to 7)") from None
    if len(decoded) * 8 < 128:
        raise SecretError("the second-factor secret is too short: give at least 26 base32 characters (128 bits)")
    return secret


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=6, digest=hashlib.sha1, interval=30)


def time_step(moment: datetime | None = None) -> int:
    """The 30-second step a moment falls in (the service's clock, iom.clock)."""
    return int((moment or utcnow()).timestamp()) // 30


def code_at(secret: str, step: int) -> str:
    """The code an authenticator app shows during `step`."""
    return _totp(secret).generate_otp(step)


def setup_uri(user: User) -> str:
    return _totp(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def setup_qr_svg(user: User) -> str:
    """The set-up address as an inline SVG QR code: markup only, no script, no external image."""
    return segno.make(setup_uri(user), error="m").svg_inline(
        scale=5, title="QR code to scan with your authenticator app", svgclass="iom-qr-code")


def grouped(secret: str) -> str:
    """A secret in fours, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def check_code(user: User, code: str) -> str:
    """'ok' (and the step is used up), 'reused' for a code whose step was already accepted, else 'wrong'."""
    code = re.sub(r"\s", "", code or "")
    if not user.totp_secret or not SIX_DIGITS.match(code):
        return "wrong"
    now_step = time_step()
    for step in range(now_step - VALID_STEPS_EITHER_SIDE, now_step + VALID_STEPS_EITHER_SIDE + 1):
        if secrets.compare_digest(code_at(user.totp_secret, step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return "reused"
            # Claim the step with a conditional UPDATE: two workers given the same code cannot both accept it.
            claimed = db.session.execute(
                update(User).where(User.id == user.id,
                                   (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
            if claimed != 1:
                return "reused"
            user.totp_last_step = step
            return "ok"
    return "wrong"


# --- recovery codes ---------------------------------------------------------------------------

def _recovery_digest(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]", "", code or "").upper().encode("utf-8")).hexdigest()


def issue_recovery_codes(user: User) -> list[str]:
    """New recovery codes (any earlier ones stop working). Shown once; only their hashes are kept.
    Each is 80 random bits, so an unsalted SHA-256 cannot be reversed by trying them all."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [base64.b32encode(secrets.token_bytes(10)).decode("ascii") for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(code)) for code in codes)
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def use_recovery_code(user: User, code: str) -> tuple[str, int]:
    """('ok' | 'used' | 'wrong', how many unused codes are left)."""
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_hash == _recovery_digest(code)))
    result = "wrong"
    if row is not None and row.used_at is None:
        claimed = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == row.id,
                                                                RecoveryCode.used_at.is_(None))
                                     .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
        result = "ok" if claimed == 1 else "used"
    elif row is not None:
        result = "used"
    left = len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())
    return result, left


def looks_like_recovery_code(code: str) -> bool:
    return not SIX_DIGITS.match(re.sub(r"\s", "", code or ""))


# --- setting up and resetting ------------------------------------------------------------------

def begin_setup(user: User) -> None:
    """Give an account without a second factor a secret to scan (the same one until it is confirmed)."""
    if user.totp_secret is None:
        user.totp_secret = new_secret()
        user.totp_confirmed_at = None
        user.totp_last_step = None


def confirm_setup(user: User) -> list[str]:
    """The first good code has been given: the second factor is on. Returns the recovery codes to show once."""
    user.totp_confirmed_at = utcnow()
    codes = issue_recovery_codes(user)
    audit.record("second_factor.set_up", f"{user.username} set up their second factor (authenticator app) "
                 f"and was given {len(codes)} recovery codes", subject=user, actor=user,
                 changes={"second_factor": [None, "authenticator app"], "recovery_codes": [None, len(codes)]})
    return codes


def set_secret(user: User, secret: str) -> None:
    """Scripted set-up (create-user --totp-secret): the account's second factor is this secret, already on."""
    user.totp_secret = normalise_secret(secret)
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = None


def reset_second_factor(user: User) -> None:
    """An administrator's reset: the secret and recovery codes go, the person's sessions end, and they set up
    a new authenticator at their next sign-in. The caller ends the sessions (operations.end_all_sessions)."""
    had = user.has_second_factor
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("second_factor.reset", f"{user.username}: second factor reset by an administrator; "
                 "they must set up an authenticator app at their next sign-in", subject=user,
                 changes={"second_factor": ["authenticator app" if had else None, None]})
