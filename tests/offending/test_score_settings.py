"""The adoption scoring a manager sets (/offending/scores/settings): every rule and weight in one
audited save; every wrong entry a GOV.UK message that saves nothing; a stale save refused with
what is saved now; the explanation page (/offending/scores) for officers and managers."""
import pytest
from sqlalchemy import func, select

from iom.extensions import db
from iom.offending.models import GravityWeight, ScoreSettings
from iom.offending.score_operations import DEFAULT_VALUES
from iom.offending.scores import current_scoring
from tests.builders import audit_entries
from tests.pages import Page, assert_field_error, post_form, text_of

SETTINGS = "/offending/scores/settings"


def form(**overrides) -> dict:
    """The settings form as the page offers it (the defaults), with changes."""
    values = {name: str(value) for name, value in DEFAULT_VALUES.items()}
    values["version"] = "0"
    values.update({name: str(value) for name, value in overrides.items()})
    return values


def saved_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(ScoreSettings)),
                db.session.scalar(select(func.count()).select_from(GravityWeight)))


def scoring_now(app):
    with app.app_context():
        return current_scoring()


@pytest.fixture
def manager(signed_in):
    browser, _ = signed_in("manager", display_name="Mina Manager")
    return browser


def test_the_form_starts_from_the_defaults(manager):
    page = Page(manager.get(SETTINGS))
    assert page.input_values["threshold"] == "65"
    assert page.input_values["weight_robbery"] == "10"
    assert page.input_values["version"] == "0"
    assert "Default 8." in text_of(manager.get(SETTINGS))


def test_a_manager_changes_the_scoring_and_it_is_audited(app, manager):
    response = post_form(manager, app, SETTINGS, form(threshold=70, weight_shoplifting=4, recent_days=60))

    assert response.status_code == 302 and response.headers["Location"].endswith("/offending/scores")
    scoring = scoring_now(app)
    assert (scoring.rules.threshold, scoring.rules.recent_days, scoring.weights["shoplifting"]) == (70, 60, 4)
    assert scoring.weights["robbery"] == 10 and scoring.version == 1 and scoring.set_by == "Mina Manager"
    assert saved_rows(app) == (1, 16)
    [entry] = audit_entries(app, "score_settings.changed")
    assert entry.changes == {"recent_days": [90, 60], "threshold": [65, 70], "gravity_weights": [{"shoplifting": 2}, {"shoplifting": 4}]}
    assert (entry.subject_type, entry.subject_id) == ("score_settings", "1")

    page = text_of(manager.get("/offending/scores"))
    assert "Set by Mina Manager" in page and "Last offence 60 days ago or fewer" in page
    assert "scoring <strong>70</strong> or more" in page

    # a second change, of a weight alone, moves the version on
    assert post_form(manager, app, SETTINGS, form(threshold=70, weight_shoplifting=5, recent_days=60,
                                                  version=1)).status_code == 302
    assert scoring_now(app).version == 2 and scoring_now(app).weights["shoplifting"] == 5


def test_saving_nothing_new_changes_nothing(app, manager):
    response = post_form(manager, app, SETTINGS, form(), follow_redirects=True)
    assert "No changes to save" in text_of(response)
    assert saved_rows(app) == (0, 0) and audit_entries(app, "score_settings.changed") == []


@pytest.mark.parametrize("overrides, field, message", [
    ({"threshold": ""}, "threshold", "Enter the score to consider for adoption"),
    ({"threshold": "sixty"}, "threshold", "Score to consider for adoption must be a whole number, like 65"),
    ({"threshold": "0"}, "threshold", "Score to consider for adoption must be 1 or more"),
    ({"threshold": "101"}, "threshold",
     "Score to consider for adoption must be 100 or fewer: the highest score these settings can give anyone"),
    ({"threshold": "9" * 5000}, "threshold", "Score to consider for adoption must be 10,000 or fewer"),
    ({"recent_points": "-1"}, "recent_points", "Points in the first band must be 0 or more"),
    ({"recent_points": "2.5"}, "recent_points", "Points in the first band must be a whole number, like 30"),
    ({"older_days": "3651"}, "older_days", "Days in the third band must be 3,650 or fewer"),
    ({"middle_days": "90"}, "middle_days", "Days in the second band must be more than the days in the first band (90)"),
    ({"older_days": "100"}, "older_days", "Days in the third band must be more than the days in the second band (180)"),
    ({"middle_points": "31"}, "middle_points", "Points in the second band must be 30 or fewer (the points in the "
                                               "first band): an older offence never scores more than a more recent one"),
    ({"offence_cap": "0"}, "offence_cap", "Most offences counted must be 1 or more"),
    ({"weight_robbery": "11"}, "weight_robbery", "Gravity of robbery must be 10 or fewer"),
    ({"weight_breach": "-3"}, "weight_breach", "Gravity of breach (of an order, licence or bail) must be 0 or more"),
    ({"weight_other": "１２"}, "weight_other", "Gravity of other must be 10 or fewer"),
])
def test_each_wrong_entry_gives_its_message_and_saves_nothing(app, manager, overrides, field, message):
    response = post_form(manager, app, SETTINGS, form(**overrides))

    assert response.status_code == 400
    assert_field_error(response, field, message)
    assert saved_rows(app) == (0, 0) and audit_entries(app, "score_settings.changed") == []
    assert Page(response).input_values[field] == overrides[field]  # what they typed is kept


def test_a_stale_save_is_refused_with_what_is_saved_now(app, manager, signed_in, client):
    assert post_form(manager, app, SETTINGS, form(threshold=80)).status_code == 302

    response = post_form(manager, app, SETTINGS, form(threshold=60, weight_robbery=9))  # opened at version 0

    assert response.status_code == 409
    body = text_of(response)
    assert "Someone else changed the adoption scoring after you opened this page" in body
    page = Page(response)
    assert ["80", "60"] in [row[:2] for row in page.rows]  # threshold: saved now, your entry
    assert page.input_values["threshold"] == "60" and page.input_values["version"] == "1"
    assert scoring_now(app).rules.threshold == 80 and scoring_now(app).weights["robbery"] == 10
    # saving again, after checking, is a deliberate choice
    assert post_form(manager, app, SETTINGS, form(threshold=60, weight_robbery=9, version=1)).status_code == 302
    assert scoring_now(app).rules.threshold == 60


def test_officers_read_the_explanation_but_only_managers_change_it(app, signed_in):
    officer, _ = signed_in("officer")
    page = officer.get("/offending/scores")
    assert page.status_code == 200
    body = text_of(page)
    assert "not a risk assessment" in body and "Change the scoring" not in body
    assert "from 0 to <strong>100</strong>" in body
    assert officer.get(SETTINGS).status_code == 403
    assert post_form(officer, app, SETTINGS, form(threshold=10)).status_code == 403
    assert saved_rows(app) == (0, 0)
