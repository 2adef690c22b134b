"""Nothing identifying reaches the reviewer in free text (issue 14, item 5): an identifier planted in
each of the spellings people use is refused before the text is saved (self-assessment evidence, the
review's findings, answers to the reviewer's questions, the alcohol paper), with a GOV.UK error on the
field saying what kind of identifier was found and the words; nothing is saved. The pack removes them."""
from datetime import date

import pytest
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.reports.disclosure import Identifiers
from iom.reports.models import AlcoholPaper, ReviewQuestion, ReviewSection, SelfAssessmentAnswer, \
    SelfAssessmentQuestion
from tests.builders import client, watch
from tests.pages import Page, assert_field_error, post_form

YEAR = "2011-12"
BASE = f"/reports/{YEAR}/review"

# Mary-Ann Smith, IOM-0001, born 26 July 2006, PNC 06/0123456X; Kai Lloyd-Webber in Salt Marsh; Zoë Núñez
# on the watch list.
PLANTED = {
    "name": ["Smith Mary-Ann", "Mary Ann Smith", "smith, mary ann", "MaryAnn Smith", "MARY-ANN SMITH",
             "Mary\u2013Ann Smith", "Lloyd Webber", "Kai Lloyd Webber", "Zoe Nunez", "Nunez Zoe"],
    "reference": ["IOM 0001", "IOM0001", "iom-0001", "IOM\u20130001", "IOM/0001", "IOM_0001"],
    "PNC ID": ["06/0123456X", "2006/0123456X", "2006 0123456X", "060123456X", "06/123456x", "06 / 0123456 X"],
    "date of birth": ["26th July 2006", "26/7/06", "26/07/2006", "26 Jul 06", "26-07-2006", "26.7.2006",
                      "2006-07-26", "July 26, 2006", "26th of July, 2006", "7/26/06", "26 July 2006"],
    "ward": ["Salt Marsh", "Salt-Marsh", "SaltMarsh"],
}
SPELLINGS = [(kind, spelling) for kind, spellings in PLANTED.items() for spelling in spellings]
HARMLESS = ["best practice across partners", "26 July 2007", "IOM 0002 was not used", "the 2006/07 year",
            "06/07 figures", "Mary and Ann", "smith-like care", "salt marsh walks", "11/12 meetings", "2011-12"]


def plant(app):
    with app.app_context():
        client("IOM-0001", [("catch_convict", date(2010, 1, 1), None)], given="Mary-Ann", family="Smith",
               born=date(2006, 7, 26), pnc="06/0123456X")
        client("IOM-0003", [("catch_convict", date(2010, 1, 1), None)], given="Kai", family="Lloyd-Webber",
               ward="Salt Marsh")
        watch(date(2011, 4, 1), given="Zoë", family="Núñez")
        db.session.commit()


@pytest.fixture
def identifiers(app):
    plant(app)
    with app.app_context():
        yield Identifiers.from_database()


@pytest.mark.parametrize("kind, spelling", SPELLINGS, ids=[f"{k}:{s}" for k, s in SPELLINGS])
def test_each_spelling_is_found(identifiers, kind, spelling):
    [found] = identifiers.findings(f"Spoke with the team about {spelling} last week.")
    assert (found.kind, found.text) == (kind, spelling)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_words_are_not(identifiers, text):
    assert identifiers.findings(text) == []


def test_the_pack_removes_every_spelling(identifiers):
    assert identifiers.scrub("Met Mary Ann Smith on 26th July 2006 (2006/0123456X, IOM 0001) in Salt Marsh.") == \
        "Met [removed] on [removed] ([removed], [removed]) in [removed]."


# --- on the pages: refused on the field, nothing saved -----------------------------------------------

@pytest.fixture
def people(app, reviewer_and_manager):
    plant(app)
    return reviewer_and_manager


def saved(app) -> dict:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (SelfAssessmentAnswer, ReviewSection, ReviewQuestion, AuditEntry)} | {
            "answers": list(db.session.scalars(select(ReviewQuestion.answer))),
            "paper": list(db.session.scalars(select(AlcoholPaper.discussion)))}


def message(what: str, kind: str, spelling: str, pseudonymised="The reviewer's pack") -> str:
    return (f"{what} must not identify anyone: it contains a {kind} (\u201c{spelling}\u201d). "
            f"{pseudonymised} is pseudonymised, so remove it")


def assert_refused(app, before: dict, response, field: str, what: str, kind: str, spelling: str,
                   pseudonymised="The reviewer's pack") -> None:
    """Refused with the GOV.UK error on the field (and in the summary), and nothing saved or audited."""
    assert response.status_code == 400
    assert_field_error(response, field, message(what, kind, spelling, pseudonymised))
    assert saved(app) == before


def hidden(response) -> dict:
    return {name: values[0] for name, values in Page(response).values.items()
            if name in ("version", "starts_new") or name.startswith("version_")}


def ask(app, reviewer, question: str):
    return post_form(reviewer, app, f"{BASE}/questions/new",
                     {"question": question, **hidden(reviewer.get(f"{BASE}/questions/new"))})


ONE_OF_EACH = [("name", "Smith Mary-Ann"), ("reference", "IOM 0001"), ("PNC ID", "2006/0123456X"),
               ("date of birth", "26th July 2006"), ("date of birth", "26/7/06")]


@pytest.mark.parametrize("kind, spelling", ONE_OF_EACH)
def test_self_assessment_evidence(app, people, kind, spelling):
    _, manager = people
    with app.app_context():
        question = SelfAssessmentQuestion(principle="All partners tackling offenders together",
                                          text="How do partners work together?", position=99)
        db.session.add(question)
        db.session.commit()
        what = f"Evidence for '{question.principle}'"
    form = hidden(manager.get(f"/reports/{YEAR}/self-assessment"))
    before = saved(app)
    response = post_form(manager, app, f"/reports/{YEAR}/self-assessment", {
        **form, f"rating_{question.id}": "weak", f"evidence_{question.id}": f"Discussed {spelling} at tasking"})
    assert_refused(app, before, response, f"evidence_{question.id}", what, kind, spelling)


@pytest.mark.parametrize("kind, spelling", ONE_OF_EACH)
def test_the_reviewers_findings_and_questions(app, people, kind, spelling):
    reviewer, _ = people
    form = hidden(reviewer.get(f"{BASE}/sections"))
    assert post_form(reviewer, app, f"{BASE}/sections", {"organisation": "County Council Audit",
                                                         "sections": ["summary"], "order_summary": "1",
                                                         **form}).status_code == 302
    before = saved(app)
    form = hidden(reviewer.get(f"{BASE}/sections/summary"))
    response = post_form(reviewer, app, f"{BASE}/sections/summary", {"findings": f"{spelling} did well", **form})
    assert_refused(app, before, response, "findings", "Findings", kind, spelling)
    response = ask(app, reviewer, f"Who is {spelling}?")
    assert_refused(app, before, response, "question", "Your question", kind, spelling)


@pytest.mark.parametrize("kind, spelling", ONE_OF_EACH)
def test_an_answer_to_the_reviewer(app, people, kind, spelling):
    reviewer, manager = people
    assert ask(app, reviewer, "Why were no referrals made?").status_code == 302
    with app.app_context():
        question_id = db.session.scalar(select(ReviewQuestion.id))
    before = saved(app)
    response = post_form(manager, app, f"{BASE}/questions/{question_id}/answer",
                         {"answer": f"Because {spelling} moved away."})
    assert_refused(app, before, response, "answer", "Your answer", kind, spelling)


@pytest.mark.parametrize("kind, spelling", ONE_OF_EACH)
def test_the_alcohol_paper(app, people, kind, spelling):
    _, manager = people
    sections = {"introduction": "Why we looked at alcohol.", "discussion": "Most violence involved drink.",
                "interventions": "Commission an arrest referral worker."}
    assert post_form(manager, app, f"/alcohol-paper/{YEAR}/drafts", {}).status_code == 302
    assert post_form(manager, app, f"/alcohol-paper/{YEAR}/versions/1/edit",
                     {**sections, "version": "1"}).status_code == 302
    before = saved(app)
    response = post_form(manager, app, f"/alcohol-paper/{YEAR}/versions/1/edit",
                         {**sections, "discussion": f"{spelling} drinks every day", "version": "2"})
    assert_refused(app, before, response, "discussion", "Discussion", kind, spelling, "The paper")
