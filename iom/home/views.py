"""The home page every signed-in person lands on."""
from flask import Blueprint, render_template

from iom.auth.permissions import EVERYONE, allow_blueprint

bp = Blueprint("home", __name__)
allow_blueprint(bp, EVERYONE)


@bp.route("/")
def index():
    return render_template("home/index.html")
