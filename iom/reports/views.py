"""Placeholder: the reports pages are being written."""
from flask import Blueprint

from iom.auth.permissions import allow_blueprint

bp = Blueprint("reports", __name__)
allow_blueprint(bp, set())
