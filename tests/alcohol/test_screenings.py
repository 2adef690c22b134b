"""AUDIT-C screenings: the three questions scored 0 to 4 (0 to 12 in all, positive at 5 or more), dated
neither in the future nor before birth, recorded and corrected by officers and managers (audited), shown
on the client page beside the alcohol flag with their history, and never shown to housing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from iom.audit.models import AuditEntry
from iom.audit import wording
from iom.clients import operations
from iom.clients.models import AUDIT_C_QUESTIONS, AlcoholScreening
from iom.extensions import db
from iom.rules import RuleBroken
from tests.builders import TODAY, add_client, client_named, screening_details, screening_form
from tests.pages import assert_field_error, post_form

QUESTIONS = list(AUDIT_C_QUESTIONS)


def screenings(app) -> list[tuple]:
    with app.app_context():
        return [(s.screened_on, s.drinking_frequency, s.typical_units, s.heavy_drinking_frequency)
                for s in db.session.scalars(select(AlcoholScreening).order_by(AlcoholScreening.id))]


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def record(app, reference: str, **overrides) -> AlcoholScreening:
    with app.app_context():
        screening = operations.record_alcohol_screening(client_named(reference), screening_details(**overrides))
        db.session.commit()
        return screening


# --- the rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize("answers, score, positive", [((0, 0, 0), 0, False), ((2, 1, 1), 4, False),
                                                       ((2, 2, 1), 5, True), ((4, 4, 4), 12, True)])
def test_the_score_is_the_three_answers_added_and_positive_from_5(app, answers, score, positive):
    reference = add_client(app)
    screening = record(app, reference, **dict(zip(QUESTIONS, answers)))
    assert (screening.score, screening.is_positive) == (score, positive)


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("value", [5, -1, 40, "4.5", "four", True, None])
def test_an_answer_out_of_range_is_refused_with_a_clear_message_and_nothing_changes(app, question, value):
    reference = add_client(app)
    before = audit_count(app)
    number = QUESTIONS.index(question) + 1
    with app.app_context(), pytest.raises(RuleBroken) as refused:
        operations.record_alcohol_screening(client_named(reference), screening_details(**{question: value}))
    assert refused.value.field == question
    if value is None:
        assert str(refused.value).startswith(f"Select an answer to question {number}")
    else:
        assert str(refused.value) == (f"The answer to question {number} must be one of its five answers, "
                                      "scored 0 to 4")
    with app.app_context():
        db.session.rollback()
    assert screenings(app) == [] and audit_count(app) == before


def test_the_database_refuses_an_answer_out_of_range_too(app):
    from sqlalchemy.exc import IntegrityError
    reference = add_client(app)
    with app.app_context():
        client_id = client_named(reference).id
        with pytest.raises(IntegrityError):
            db.session.execute(insert(AlcoholScreening).values(
                client_id=client_id, screened_on=TODAY, drinking_frequency=5, typical_units=0,
                heavy_drinking_frequency=0, version=1))
        db.session.rollback()


def test_the_date_is_not_in_the_future_nor_before_birth(app):
    reference = add_client(app)
    with app.app_context():
        client = client_named(reference)
        client.date_of_birth = date(1990, 3, 1)
        db.session.commit()
        for day, message in [(TODAY + timedelta(days=1), "Date of the screening must be today or in the past"),
                             (date(1990, 2, 28), "Date of the screening must be on or after their date of birth "
                                                 "(1 March 1990)"),
                             (None, "Enter the date of the screening")]:
            with pytest.raises(RuleBroken) as refused:
                operations.record_alcohol_screening(client, screening_details(screened_on=day))
            assert (refused.value.field, str(refused.value)) == ("screened_on", message)
            db.session.rollback()
    assert screenings(app) == []


# --- the pages ----------------------------------------------------------------------------------------

def test_an_officer_records_a_screening_and_sees_it_beside_the_flag_with_its_history(app, signed_in):
    web, _ = signed_in("officer")
    reference = add_client(app)
    record(app, reference, screened_on=TODAY - timedelta(days=200), drinking_frequency=1, typical_units=0,
           heavy_drinking_frequency=0)
    response = post_form(web, app, f"/clients/{reference}/alcohol-screenings/new", screening_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/clients/{reference}")
    assert len(screenings(app)) == 2
    page = web.get(f"/clients/{reference}")
    assert "Latest AUDIT-C screening" in page.text
    assert f"Score 6 of 12, positive, {TODAY - timedelta(days=3):%-d %B %Y}" in page.text
    assert page.text.count("<td class=\"govuk-table__cell govuk-table__cell--numeric\">6</td>") == 1
    assert "2 to 3 times per week (3)" in page.text and "Monthly or less (1)" in page.text  # the history
    entries = [e for e in db_entries(app) if e.action == "alcohol_screening.recorded"]
    assert len(entries) == 2 and entries[-1].changes["score"] == [None, 6]


def db_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


@pytest.mark.parametrize("field, value, message", [
    ("drinking_frequency", "5", "The answer to question 1 must be one of its five answers, scored 0 to 4"),
    ("typical_units", "-1", "The answer to question 2 must be one of its five answers, scored 0 to 4"),
    ("heavy_drinking_frequency", "", "Select an answer to question 3: How often have you had 6 or more units if "
                                     "female, or 8 or more if male, on a single occasion in the last year?"),
])
def test_the_form_refuses_an_answer_out_of_range_and_saves_nothing(app, signed_in, field, value, message):
    web, _ = signed_in("manager")
    reference = add_client(app)
    response = post_form(web, app, f"/clients/{reference}/alcohol-screenings/new", screening_form(**{field: value}))
    assert response.status_code == 400
    assert_field_error(response, field, message)
    assert screenings(app) == []


def test_the_form_refuses_a_future_date(app, signed_in):
    web, _ = signed_in("officer")
    reference = add_client(app)
    response = post_form(web, app, f"/clients/{reference}/alcohol-screenings/new",
                         screening_form(screened_on=TODAY + timedelta(days=1)))
    assert response.status_code == 400 and "Date of the screening must be today or in the past" in response.text
    assert screenings(app) == []


def test_a_correction_is_saved_and_audited_and_a_stale_one_shows_both(app, signed_in):
    web, _ = signed_in("officer")
    reference = add_client(app)
    screening = record(app, reference)
    url = f"/clients/{reference}/alcohol-screenings/{screening.id}/edit"
    assert web.get(url).status_code == 200
    saved = post_form(web, app, url, screening_form(typical_units="4", version="1"))
    assert saved.status_code == 302
    assert screenings(app)[0][2] == 4
    corrected = [e for e in db_entries(app) if e.action == "alcohol_screening.corrected"]
    assert corrected[-1].changes["typical_units"] == [2, 4] and corrected[-1].changes["score"] == [6, 8]
    stale = post_form(web, app, url, screening_form(typical_units="0", version="1"))
    assert stale.status_code == 409
    assert "Someone else saved changes while you were editing" in stale.text
    assert "10 or more (scores 4)" in stale.text and "0 to 2 (scores 0)" in stale.text
    assert screenings(app)[0][2] == 4
    again = post_form(web, app, url, screening_form(typical_units="0", version="2"))
    assert again.status_code == 302 and screenings(app)[0][2] == 0


def test_another_clients_screening_is_a_404(app, signed_in):
    web, _ = signed_in("manager")
    first, second = add_client(app, "Ann", "First"), add_client(app, "Bob", "Second")
    screening = record(app, first)
    assert web.get(f"/clients/{second}/alcohol-screenings/{screening.id}/edit").status_code == 404


def test_housing_never_sees_a_screening(app, signed_in):
    web, _ = signed_in("housing")
    reference = add_client(app)
    record(app, reference)
    page = web.get(f"/clients/{reference}")
    assert page.status_code == 200
    assert "AUDIT-C" not in page.text and "alcohol-screening" not in page.text
    assert web.get(f"/clients/{reference}/alcohol-screenings/new").status_code == 403


def test_the_audit_trail_reads_a_screening_in_words(app):
    reference = add_client(app)
    record(app, reference)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "alcohol_screening.recorded")).one()
        row = wording.describe([entry])[0]
    shown = {change.label: change.after for change in row.changes}
    assert row.what == "AUDIT-C screening recorded"
    assert shown["How often they drink (AUDIT-C question 1)"] == "2 to 3 times per week (scores 3)"
    assert shown["AUDIT-C score (of 12)"] == "6"


def test_the_client_page_runs_the_same_statements_with_many_screenings(app, signed_in, count_queries):
    web, _ = signed_in("officer")
    few, many = add_client(app, "Ann", "Few"), add_client(app, "Bob", "Many")
    record(app, few)
    with app.app_context():
        client_id = client_named(many).id
        db.session.execute(insert(AlcoholScreening), [
            {"client_id": client_id, "screened_on": TODAY - timedelta(days=n), "drinking_frequency": n % 5,
             "typical_units": 1, "heavy_drinking_frequency": 2, "version": 1} for n in range(40)])
        db.session.commit()
    counts = []
    for reference in (few, many):
        web.get(f"/clients/{reference}")  # warm: the first page of a session touches it
        with count_queries() as counter:
            page = web.get(f"/clients/{reference}")
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert page.text.count("the screening of ") == 40
