"""The alcohol paper carries no identifier, on screen or in the PDF (its extracted text and its bytes),
draft or published: the review pack's test (tests/reports/test_no_identifiers.py; the caseload is tests/builders.py's identified_caseload) run over the paper,
with identifiers typed into the paper's own sections too."""
from datetime import date

from sqlalchemy import select

from iom.clients.models import AlcoholScreening, Client
from iom.extensions import db
from iom.reports.models import AlcoholPaper
from tests.builders import NAMED_PEOPLE as PEOPLE, NAMED_YEAR as YEAR, assert_clean, offence, referral
from tests.pages import pdf_text, post_form

NAMED = "Ottoline Brackenbury (IOM-0001, 11/123456H, 03/02/1985) of Quillbrook drinks daily"


def test_no_identifier_on_the_page_or_in_the_pdf(app, signed_in, identified_caseload):
    with app.app_context():
        for person in db.session.scalars(select(Client)):
            db.session.add(AlcoholScreening(client_id=person.id, screened_on=date(2011, 7, 1), drinking_frequency=4,
                                            typical_units=3, heavy_drinking_frequency=2))
            offence(person, date(2011, 7, 2), "public_order", alcohol_involved="yes",
                    crime_reference="47/ZX9143/11")
            referral(person, "alcohol", date(2011, 7, 3), agency_other=f"Service for {person.family_name}",
                     need=NAMED)
        # typed in before the check existed, or around it: removed when the paper is built
        db.session.add(AlcoholPaper(financial_year=YEAR, number=1, status="draft", introduction=NAMED,
                                    discussion=f"See {PEOPLE[1][1]} {PEOPLE[1][2]}", interventions="Peregrine"))
        db.session.commit()
    web, _ = signed_in("manager")
    draft = web.get(f"/alcohol-paper/{YEAR}/versions/1")
    assert draft.status_code == 200
    assert_clean(draft.text, "the draft's page")
    assert "[removed]" in draft.text and "Public order" in draft.text
    pdf = web.get(f"/alcohol-paper/{YEAR}/versions/1.pdf").data
    text = pdf_text(pdf)
    assert_clean(text, "the draft's PDF text")
    assert_clean(pdf.decode("latin-1"), "the draft's PDF bytes")
    assert "Alcohol and offending" in text and "AUDIT-C screening" in text and "[removed]" in text
    assert post_form(web, app, f"/alcohol-paper/{YEAR}/versions/1/publish", {"version": "1"}).status_code == 302
    reviewer, _ = signed_in("reviewer")
    for url in (f"/alcohol-paper/{YEAR}", f"/alcohol-paper/{YEAR}/versions/1", "/alcohol-paper"):
        page = reviewer.get(url)
        assert page.status_code == 200
        assert_clean(page.text, url)
    pdf = reviewer.get(f"/alcohol-paper/{YEAR}/versions/1.pdf").data
    assert_clean(pdf_text(pdf), "the published PDF text")
    assert_clean(pdf.decode("latin-1"), "the published PDF bytes")
    with app.app_context():  # what was frozen holds no identifier either
        assert_clean(db.session.scalar(select(AlcoholPaper.figures)), "the frozen figures")


def test_the_pdf_is_tagged(app, signed_in, identified_caseload):
    import io

    from pypdf import PdfReader
    web, _ = signed_in("manager")
    post_form(web, app, f"/alcohol-paper/{YEAR}/drafts", {})
    reader = PdfReader(io.BytesIO(web.get(f"/alcohol-paper/{YEAR}/versions/1.pdf").data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
