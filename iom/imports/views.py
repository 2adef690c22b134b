"""Placeholder: the imports pages are being written."""
from flask import Blueprint

from iom.auth.permissions import allow_blueprint

bp = Blueprint("imports", __name__)
allow_blueprint(bp, set())
