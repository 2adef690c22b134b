"""The review designed by the outside reviewer (issue 13, item 6): the reviewer chooses and orders the
pack's sections, writes findings and recommendations, raises questions the manager answers, and signs
the review off; a signed-off version is frozen and a later change starts a new version, every one
viewable and all of it audited. Bad input is refused with a clear message and nothing changes."""
import io
import re
from datetime import date
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from iom.audit.models import AuditEntry
from iom.extensions import db
from iom.reports.models import ReviewQuestion, ReviewSection, ReviewVersion
from tests.builders import client, sac
from tests.pages import Page, post_form

YEAR = "2011-12"
BASE = f"/reports/{YEAR}/review"


@pytest.fixture
def caseload(app):
    with app.app_context():
        client("IOM-0001", [("catch_convict", date(2010, 1, 1), None)], given="Ottoline", family="Brackenbury",
               pnc="11/123456H", ward="Quillbrook")
        sac(date(2011, 4, 1), 42)
        db.session.commit()


@pytest.fixture
def people(caseload, reviewer_and_manager):
    """(the reviewer's client, the manager's client), each signed in, over the caseload."""
    return reviewer_and_manager


def version_of(page_response) -> dict:
    """The hidden fields a reviewer's change page carries."""
    values = Page(page_response).values
    return {"version": values.get("version", [""])[0], "starts_new": values.get("starts_new", [""])[0]}


def design(app, web, sections, organisation="County Council Audit", orders=None, **fields):
    fields = fields or version_of(web.get(f"{BASE}/sections"))
    data = {"organisation": organisation, "sections": sections, **fields}
    for position, code in enumerate(sections, start=1):
        data[f"order_{code}"] = str((orders or {}).get(code, position))
    return post_form(web, app, f"{BASE}/sections", data)


def state(app) -> dict:
    """Everything the review keeps, and how many audit entries there are."""
    with app.app_context():
        return {
            "versions": [(v.number, v.status, v.organisation) for v in db.session.scalars(
                select(ReviewVersion).order_by(ReviewVersion.number))],
            "sections": sorted((s.version_id, s.section, s.position, s.findings, s.recommendations)
                               for s in db.session.scalars(select(ReviewSection))),
            "questions": sorted((q.version_id, q.text, q.answer) for q in db.session.scalars(select(ReviewQuestion))),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        }


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("review.%"))
                                       .order_by(AuditEntry.seq)))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_reviewers_journey_from_sections_to_a_signed_off_final_report(app, people):
    reviewer, manager = people
    assert "No review of 2011-12 has been started" in reviewer.get(BASE).text
    # choose and order: the offending first, then the months, then the summary
    response = design(app, reviewer, ["offending", "months", "summary"])
    assert response.status_code == 302
    page = reviewer.get(BASE).text
    assert page.index("1. Offending before and after adoption") < page.index("2. The twelve months") < \
        page.index("3. Summary")
    # a finding and a recommendation on the months
    form = reviewer.get(f"{BASE}/sections/months")
    assert form.status_code == 200
    response = post_form(reviewer, app, f"{BASE}/sections/months", {
        "findings": "The minimum was met in every month.", "recommendations": "Keep the monthly check.",
        **version_of(form)})
    assert response.status_code == 302
    # a question, which the manager answers
    form = reviewer.get(f"{BASE}/questions/new")
    response = post_form(reviewer, app, f"{BASE}/questions/new", {
        "question": "Why were no mental health referrals made?", "section": "referrals", **version_of(form)})
    assert response.status_code == 302
    with app.app_context():
        question_id = db.session.scalar(select(ReviewQuestion.id))
    assert "Answer" in manager.get(BASE).text
    response = post_form(manager, app, f"{BASE}/questions/{question_id}/answer",
                         {"answer": "The mental health worker post was vacant until March."})
    assert response.status_code == 302
    assert "The mental health worker post was vacant" in reviewer.get(BASE).text
    # the draft PDF says DRAFT, the sections in the reviewer's order with their words
    draft = post_form(reviewer, app, f"/reports/{YEAR}/download/pdf")
    text = pdf_text(draft.data)
    assert "DRAFT" in text and "FINAL" not in text and "County Council Audit" in text
    assert text.index("1. Offending before and after adoption") < text.index("2. The twelve months")
    assert "The minimum was met in every month." in text and "Keep the monthly check." in text
    assert "Why were no mental health referrals made?" in text and "post was vacant" in text
    assert "Definitions and method" in text and "Data quality" in text and "Page 2 of" in text
    # sign off: final
    form = reviewer.get(f"{BASE}/sign-off")
    response = post_form(reviewer, app, f"{BASE}/sign-off", {"version": Page(form).values["version"][0]})
    assert response.status_code == 302
    final = post_form(reviewer, app, f"/reports/{YEAR}/download/pdf")
    text = pdf_text(final.data)
    assert "FINAL" in text and "Signed off on" in text
    assert "Brackenbury" not in text and "11/123456H" not in text
    assert actions(app) == ["review.started", "review.sections_chosen", "review.findings_written",
                            "review.question_raised", "review.question_answered", "review.signed_off"]
    with app.app_context():
        downloads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.downloaded")).all()
    assert [entry.changes["review_version"] for entry in downloads] == [[None, 1], [None, 1]]


def test_the_json_carries_the_reviews_words_beside_the_contract_keys(app, people):
    reviewer, _ = people
    design(app, reviewer, ["summary", "months"])
    data = post_form(reviewer, app, f"/reports/{YEAR}/download/json").get_json()
    assert data["financial_year"] == YEAR and len(data["months"]) == 12
    assert data["review"]["version"] == 1 and data["review"]["status"] == "draft"
    assert [item["section"] for item in data["review"]["sections"]] == ["summary", "months"]


def test_an_unknown_or_repeated_section_is_refused_and_nothing_changes(app, people):
    reviewer, _ = people
    before = state(app)
    for sections, message in ((["summary", "nonsense"], "'nonsense' is not a section of the review pack"),
                              (["summary", "months", "summary"], "Summary is chosen more than once"),
                              ([], "Choose at least one section for the review")):
        response = design(app, reviewer, sections)
        assert response.status_code == 400, sections
        assert message in unescape(response.text), sections
        assert state(app) == before
    response = design(app, reviewer, ["summary", "months"], orders={"summary": 1, "months": 1})
    assert response.status_code == 400
    assert "Summary and The twelve months both have the order 1" in response.text
    assert state(app) == before


def test_a_signed_off_version_is_frozen_and_a_later_change_starts_a_copy(app, people):
    reviewer, manager = people
    design(app, reviewer, ["summary", "months"])
    opened = version_of(reviewer.get(f"{BASE}/sections/months"))    # opened before the sign-off
    form = reviewer.get(f"{BASE}/questions/new")
    post_form(reviewer, app, f"{BASE}/questions/new", {"question": "Is the count checked?", **version_of(form)})
    with app.app_context():
        question_id = db.session.scalar(select(ReviewQuestion.id))
    post_form(reviewer, app, f"{BASE}/sign-off", {"version": "1"})
    frozen = state(app)
    # the reviewer's page opened before the sign-off: refused, nothing changed
    response = post_form(reviewer, app, f"{BASE}/sections/months", {"findings": "Late words", **opened})
    assert response.status_code == 400
    assert "Version 1 of the review is signed off, so it cannot be changed. Nothing has been saved" in response.text
    assert state(app) == frozen
    # the manager answering a question on the frozen version: refused, nothing changed
    response = post_form(manager, app, f"{BASE}/questions/{question_id}/answer", {"answer": "Yes, monthly."})
    assert response.status_code == 400
    assert "Version 1 of the review is signed off, so its questions cannot be answered now" in response.text
    assert state(app) == frozen
    # opened now, the page says saving starts version 2, a copy of version 1
    page = reviewer.get(f"{BASE}/sections/months")
    assert "Saving here starts version 2, a copy of version 1" in page.text
    response = post_form(reviewer, app, f"{BASE}/sections/months", {"findings": "Second thoughts",
                                                                    **version_of(page)})
    assert response.status_code == 302
    after = state(app)
    assert after["versions"] == [(1, "signed_off", "County Council Audit"), (2, "draft", "County Council Audit")]
    assert [row for row in after["sections"] if row[3] == "Second thoughts"]
    assert len(after["questions"]) == 2  # the question copied into version 2, to be answered there
    # version 1 is still there as it was signed off, and viewable
    old = reviewer.get(f"{BASE}/versions/1")
    assert old.status_code == 200 and "Second thoughts" not in old.text and "Signed off" in old.text
    assert "Second thoughts" in reviewer.get(BASE).text
    assert actions(app)[-2:] == ["review.version_started", "review.findings_written"]
    # the manager can answer the copy in version 2
    with app.app_context():
        copy_id = db.session.scalar(select(ReviewQuestion.id).join(ReviewVersion).where(ReviewVersion.number == 2))
    assert post_form(manager, app, f"{BASE}/questions/{copy_id}/answer", {"answer": "Yes."}).status_code == 302
    # the PDF of version 1 is still final, and the latest draft's says so
    assert "FINAL" in pdf_text(post_form(reviewer, app, f"/reports/{YEAR}/download/pdf",
                                         {"review_version": "1"}).data)
    assert "DRAFT" in pdf_text(post_form(reviewer, app, f"/reports/{YEAR}/download/pdf").data)


def test_signing_off_twice_or_without_an_organisation_is_refused(app, people):
    reviewer, _ = people
    design(app, reviewer, ["summary"], organisation="")
    response = post_form(reviewer, app, f"{BASE}/sign-off", {"version": "1"})
    assert response.status_code == 400 and "Enter your organisation before you sign off" in response.text
    design(app, reviewer, ["summary"], organisation="County Council Audit")
    assert post_form(reviewer, app, f"{BASE}/sign-off", {"version": "1"}).status_code == 302
    before = state(app)
    response = post_form(reviewer, app, f"{BASE}/sign-off", {"version": "1"})
    assert response.status_code == 400 and "Version 1 of the review is already signed off" in response.text
    assert state(app) == before


def test_text_that_identifies_a_client_is_refused(app, people):
    reviewer, manager = people
    design(app, reviewer, ["summary"])
    before = state(app)
    form = reviewer.get(f"{BASE}/sections/summary")
    response = post_form(reviewer, app, f"{BASE}/sections/summary", {"findings": "Ottoline Brackenbury did well",
                                                                     **version_of(form)})
    assert response.status_code == 400 and "must not identify anyone" in response.text
    assert state(app) == before


def test_who_may_do_what(app, signed_in, caseload):
    web, _ = signed_in("admin")
    assert web.get(BASE).status_code == 403
    assert post_form(web, app, f"/reports/{YEAR}/download/pdf").status_code == 200  # the pack stays theirs


def test_the_spreadsheet_and_the_command_line_carry_the_review(app, people, runner, tmp_path):
    from openpyxl import load_workbook
    reviewer, _ = people
    design(app, reviewer, ["months", "summary"])
    form = reviewer.get(f"{BASE}/sections/months")
    post_form(reviewer, app, f"{BASE}/sections/months", {"findings": "Steady all year.", **version_of(form)})
    book = load_workbook(io.BytesIO(post_form(reviewer, app, f"/reports/{YEAR}/download/xlsx").data))
    rows = [[cell.value for cell in row] for row in book["Review"].iter_rows()]
    assert [1, "The twelve months", "Steady all year.", None, None] in rows
    assert [2, "Summary", None, None, None] in rows
    path = tmp_path / "pack.json"
    result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", "json", "--output", str(path)])
    assert result.exit_code == 0, result.output
    import json
    data = json.loads(path.read_text())
    assert data["review"]["sections"][0]["findings"] == "Steady all year."


def test_the_review_page_runs_a_fixed_number_of_statements(app, people, count_queries):
    reviewer, manager = people
    design(app, reviewer, ["summary"])

    def measure(web):
        assert web.get(BASE).status_code == 200
        with count_queries() as counter:
            assert web.get(BASE).status_code == 200
        return counter.count

    few = measure(reviewer), measure(manager)
    design(app, reviewer, ["summary", "months", "cohort", "custody", "offending"])
    for n in range(6):
        form = reviewer.get(f"{BASE}/questions/new")
        post_form(reviewer, app, f"{BASE}/questions/new", {"question": f"Question {n}?", **version_of(form)})
    assert (measure(reviewer), measure(manager)) == few


def test_the_pack_page_shows_the_reviewers_order_then_what_the_review_leaves_out(app, people):
    reviewer, manager = people
    design(app, reviewer, ["months", "summary"])
    page = unescape(manager.get(f"/reports/{YEAR}").text)
    assert page.index("1. The twelve months") < page.index("2. Summary") < page.index("3. Data quality")
    assert "Also in the pack: sections the review leaves out" in page
    assert re.search(r">Watch list</a>\s*\(not in the review\)", page) and 'id="watch-list"' in page
    pdf = pdf_text(post_form(manager, app, f"/reports/{YEAR}/download/pdf").data)
    assert "Watch list" not in pdf and "Also in the pack" not in pdf
