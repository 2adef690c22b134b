"""Placeholder: the referrals pages are being written."""
from flask import Blueprint

from iom.auth.permissions import allow_blueprint

bp = Blueprint("referrals", __name__)
allow_blueprint(bp, set())
