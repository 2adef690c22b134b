"""The alcohol discussion paper's pages: the manager drafts, edits and publishes; the reviewer and
officers read published versions; every version is kept and viewable; each step is audited."""
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
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).all()


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
    pdf = web.get(f"/alcohol-paper/{YEAR}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for action in ("alcohol_paper.drafted", "alcohol_paper.edited", "alcohol_paper.published",
                   "alcohol_paper.viewed", "alcohol_paper.downloaded"):
        assert actions(app, action), action


def start_and_write(app, web, **sections) -> None:
    assert post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {}).status_code == 302
    saved = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/edit", {**SECTIONS, **sections, "version": "1"})
    assert saved.status_code == 302, saved.text


def edit_again(app, signed_in, discussion: str, version: str):
    """A manager's draft, written once, then its discussion edited again with the version given."""
    web, _ = signed_in("manager")
    start_and_write(app, web)
    return post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/edit",
                     {**SECTIONS, "discussion": discussion, "version": version})


def saved_discussion(app) -> str:
    with app.app_context():
        return db.session.scalar(select(AlcoholPaper.discussion))


def test_a_stale_save_shows_what_is_saved_now_and_keeps_the_entries(app, signed_in, caseload):
    stale = edit_again(app, signed_in, "My own discussion", version="1")
    assert stale.status_code == 409
    assert "Someone else saved changes while you were editing" in stale.text
    assert "Most violence involved drink." in stale.text and "My own discussion" in stale.text
    assert 'name="version" type="hidden" value="2"' in stale.text or 'value="2"' in stale.text
    assert saved_discussion(app) == "Most violence involved drink."


def test_a_section_naming_a_client_is_refused_and_nothing_is_saved(app, signed_in, caseload):
    refused = edit_again(app, signed_in, "IOM-0002 drinks every day", version="2")
    assert refused.status_code == 400
    assert "Discussion must not identify anyone: it contains a reference" in refused.text
    assert saved_discussion(app) == "Most violence involved drink."


def test_publishing_needs_every_section_and_a_current_version(app, signed_in, caseload):
    web, _ = signed_in("manager")
    start_and_write(app, web, interventions="")
    refused = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    assert refused.status_code == 400 and "Write the proposed interventions and services before publishing" \
        in refused.text
    post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/edit", {**SECTIONS, "version": "2"})
    stale = post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    assert stale.status_code == 409
    assert papers(app) == [(1, "draft")]
    assert post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "3"}).status_code == 302
    assert papers(app) == [(1, "published")]


def test_a_published_version_keeps_its_figures_and_words(app, signed_in, caseload):
    web, _ = signed_in("manager")
    start_and_write(app, web)
    post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    with app.app_context():  # more offences recorded after publishing
        from iom.clients.models import Client
        people = db.session.scalars(select(Client)).all()
        for person in people:
            offence(person, date(2011, 8, 1), "robbery", alcohol_involved="yes")
        db.session.commit()
    published = web.get(f"/alcohol-paper/{YEAR}/versions/1")
    assert "robbery" not in published.text.lower()
    post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    draft = web.get(f"/alcohol-paper/{YEAR}/versions/2")
    assert "Robbery" in draft.text and "Commission an arrest referral worker." in draft.text
    assert web.get(f"/alcohol-paper/{YEAR}/versions/1/edit").status_code == 200  # says it cannot be changed
    assert "cannot be changed" in web.get(f"/alcohol-paper/{YEAR}/versions/1/edit").text
    refused = post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    assert refused.status_code == 302 and papers(app) == [(1, "published"), (2, "draft")]


def test_the_reviewer_and_officers_read_published_versions_only(app, signed_in, make_user, caseload):
    from tests.pages import sign_in
    web, _ = signed_in("manager")
    start_and_write(app, web)
    post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    post_form(web, app, f"/alcohol-paper/{YEAR}/versions/2/edit", {**SECTIONS, "discussion": "Draft thoughts",
                                                                   "version": "1"})
    for role in ("reviewer", "officer"):
        _, username = make_user(role)
        web = app.test_client()
        assert sign_in(web, app, username).status_code == 302
        latest = web.get(f"/alcohol-paper/{YEAR}")
        assert latest.status_code == 200 and "Most violence involved drink." in latest.text
        assert "Draft thoughts" not in latest.text and "Start a new draft" not in latest.text
        assert web.get(f"/alcohol-paper/{YEAR}/versions/2").status_code == 404
        assert web.get(f"/alcohol-paper/{YEAR}/versions/1.pdf").status_code == 200
        assert f"/alcohol-paper/{YEAR}" in web.get("/alcohol-paper").text


def test_the_paper_page_runs_the_same_statements_whatever_the_caseload(app, signed_in, caseload, count_queries):
    web, _ = signed_in("manager")
    start_and_write(app, web)
    url = f"/alcohol-paper/{YEAR}/versions/1"
    web.get(url)
    with count_queries() as small:
        assert web.get(url).status_code == 200
    with app.app_context():
        for n in range(60):
            person = client(f"IOM-{n + 100:04d}", [("resettle_rehabilitate", date(2011, 2, 1), None)], alcohol="yes")
            offence(person, date(2011, 6, 1), "robbery", alcohol_involved="yes")
            referral(person, "alcohol", date(2011, 6, 2))
        db.session.commit()
    with count_queries() as big:
        page = web.get(url)
    assert page.status_code == 200 and ">66<" in page.text
    assert small.count == big.count, (small.statements, big.statements)


def test_each_chart_has_its_table_beside_it_and_says_less_than_5_in_words(app, signed_in, caseload):
    web, _ = signed_in("manager")
    page = web.get(f"/alcohol-paper/{YEAR}").text
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="iom-chart') == 2 and page.count('role="img"') == 2
    for title in ("Offences involving alcohol, by quarter", "AUDIT-C: clients by score band"):
        assert f"{title}: the figures" in page  # the table beside the chart
    # the caseload's 5 offences with alcohol involved are all in April to June: a bar, and "none" elsewhere
    assert ">Apr to Jun<" in page and "<td class=\"govuk-table__cell govuk-table__cell--numeric\">5</td>" in page


def test_before_anything_is_published_readers_are_told_so_and_shown_no_figures(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    page = web.get(f"/alcohol-paper/{YEAR}")
    assert page.status_code == 200
    assert "No version of the 2011-12 paper has been published yet" in page.text
    assert "The cohort" not in page.text and "AUDIT-C" not in page.text


def test_the_audit_trail_reads_the_papers_steps_in_words(app, signed_in, caseload):
    from iom.audit import wording
    web, _ = signed_in("manager")
    start_and_write(app, web)
    post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "2"})
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("alcohol_paper.%"))
                                     .order_by(AuditEntry.seq)).all()
        rows = wording.describe(entries)
    said = [row.what for row in rows]
    assert "Alcohol discussion paper: new draft started" in said and "Alcohol discussion paper published" in said
    edited = next(row for row in rows if row.what == "Alcohol discussion paper: draft changed")
    fields = {change.label: change.after for change in edited.changes}
    assert fields["Version of the paper"] == "1" and fields["Proposed interventions and services"] == \
        "Commission an arrest referral worker."
    assert all(row.record and row.record.startswith("Alcohol discussion paper") for row in rows)
