"""The alcohol discussion paper's pages: the manager drafts, edits and publishes; the reviewer and
officers read published versions; every version is kept and viewable; each step is audited."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.reports.models import AlcoholPaper
from tests.builders import client, offence, referral
from tests.pages import post_form

YEAR = "2011-12"


@pytest.fixture
def caseload(app):
    with app.app_context():
        for n in range(6):
            person = client(f"IOM-{n + 1:04d}", [("catch_convict" if n % 2 else "prevent_deter", date(2011, 1, 1), None)],
                            alcohol="yes" if n < 5 else "no")
            offence(person, date(2011, 6, 1), "violence_with_injury", alcohol_involved="yes" if n < 5 else "no")
        referral(person, "alcohol", date(2011, 5, 1), "completed", date(2011, 7, 1), "treatment_started")
        db.session.commit()


def actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def papers(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(p.number, p.status) for p in db.session.scalars(select(AlcoholPaper).order_by(AlcoholPaper.number))]


SECTIONS = {"introduction": "Why we looked at alcohol.", "discussion": "Most violence involved drink.",
            "interventions": "Commission an arrest referral worker."}


def test_a_manager_drafts_edits_publishes_and_starts_again(app, signed_in, caseload):
    web, _ = signed_in("manager")
    page = web.get(f"/alcohol-paper/{YEAR}")
    assert page.status_code == 200, page.text
    assert "No version has been written yet" in page.text
    started = post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/alcohol-paper/{YEAR}/versions/1/edit")
    edit = web.get(f"/alcohol-paper/{YEAR}/versions/1/edit")
    assert edit.status_code == 200
    saved = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/edit", {**SECTIONS, "version": "1"})
    assert saved.status_code == 302, saved.text
    shown = web.get(f"/alcohol-paper/{YEAR}/versions/1")
    assert "Commission an arrest referral worker." in shown.text and "Draft: not published" in shown.text
    published = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    assert published.status_code == 302, published.text
    assert papers(app) == [(1, "published")]
    refused = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/edit", {**SECTIONS, "introduction": "New",
                                                                             "version": "3"})
    assert refused.status_code == 400
    assert "is published, so it cannot be changed" in refused.text
    post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    assert papers(app) == [(1, "published"), (2, "draft")]
    assert web.get(f"/alcohol-paper/{YEAR}/versions/1").status_code == 200
    pdf = web.get(f"/alcohol-paper/{YEAR}/versions/1/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for action in ("alcohol_paper.drafted", "alcohol_paper.edited", "alcohol_paper.published",
                   "alcohol_paper.viewed", "alcohol_paper.downloaded"):
        assert actions(app, action), action
