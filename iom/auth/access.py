"""The one audited refusal, and the audited 404 for an unknown record: every "no" is written to the
audit trail the same way."""
from typing import NoReturn

from flask import abort, request
from flask_login import current_user

from iom import audit
from iom.extensions import db


def refuse(status: int = 403, *, subject=None) -> NoReturn:
    """Refuse this request, audited (who, what, their role), and stop it with `status`: 403, or 404
    where even a refusal would say too much (a mental-health referral the role may not see)."""
    audit.record("access.denied", f"{current_user.username} was refused {request.method} {request.path}",
                 subject=subject, changes={"path": [None, request.path], "role": [None, current_user.role]})
    db.session.commit()
    abort(status)


def not_found(action: str, what: str, subject_type: str, changes: dict) -> NoReturn:
    """An unknown record asked for by its address: a 404, audited with what was asked for."""
    audit.record(action, f"{current_user.username} asked for unknown {what}", subject=(subject_type, None),
                 changes=changes)
    db.session.commit()
    abort(404)
