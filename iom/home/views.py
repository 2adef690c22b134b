"""The home page every signed-in person lands on."""
from flask import Blueprint, render_template
from flask_login import current_user

from iom import clock
from iom.navigation import ELSEWHERE, nav_items
from iom.auth.permissions import EVERYONE, allow_blueprint, may_use
from iom.figures.queries import minimum_alerts
from iom.home.queries import today_items

bp = Blueprint("home", __name__)
allow_blueprint(bp, EVERYONE)


@bp.route("/")
def index():
    # Counts only, no personal data: every role sees the alert; the link only where the page is allowed.
    sees_figures = may_use(current_user, "figures.monthly")
    today = clock.today_in_london()
    return render_template("home/index.html", minimum_alerts=minimum_alerts(today),
                           sees_figures=sees_figures, today_items=today_items(current_user, today),
                           elsewhere=nav_items(ELSEWHERE))
