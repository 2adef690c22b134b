"""No format of the pack carries an identifier: every identifier of the test clients (and of the
people on the watch list) is searched for in the JSON, the CSV, every part of the unzipped XLSX and
the text pypdf extracts from the PDF, whether written by the command or downloaded by a reviewer."""
import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from iom.extensions import db
from iom.reports.disclosure import date_forms
from iom.reports.models import SelfAssessmentAnswer, SelfAssessmentQuestion, UnitCost, ValueForMoneyBaseline
from iom.offending.models import OffenceUnitCost, SchemeCost
from tests.builders import FIRST, LAST, client, note, offence, payment, referral, sac, watch
from tests.pages import post_form

YEAR = "2011-12"
PEOPLE = [
    # reference, given, family, born, PNC, ward
    ("IOM-0001", "Ottoline", "Brackenbury", date(1985, 2, 3), "11/123456H", "Quillbrook"),
    ("IOM-0002", "Peregrine", "Wolstenholme", date(1990, 11, 27), "09/654321P", "Marrowdene East"),
    ("IOM-0003", "Xanthe", "Fotheringay", date(1979, 6, 9), "2005/7777777K", "Thistlecombe"),
]
WATCHED = [("Lysander", "Quibbleworth", date(1996, 8, 14), "12/111111U")]
CRIME_REFERENCES = ["47/ZX9143/11", "47/ZX9144/11", "47/ZX9145/11"]  # the police crime numbers of their offences


def identifiers() -> list[str]:
    found = []
    for reference, given, family, born, pnc, ward in PEOPLE:
        found += [reference, given, family, f"{given} {family}", f"{family}, {given}", pnc, ward, *date_forms(born)]
    for given, family, born, pnc in WATCHED:
        found += [given, family, pnc, *date_forms(born)]
    return found + CRIME_REFERENCES


def assert_clean(text: str, where: str) -> None:
    lowered = text.lower()
    leaks = [value for value in identifiers() if value.lower() in lowered]
    assert not leaks, f"{where} holds {leaks}"


@pytest.fixture
def caseload(app, make_user):
    """Three clients with every identifier filled in, and those identifiers typed into every free-text field."""
    author_id, _ = make_user("officer")
    with app.app_context():
        people = []
        for n, (reference, given, family, born, pnc, ward) in enumerate(PEOPLE):
            named = f"{given} {family} ({pnc}, {born:%d/%m/%Y}, {ward})"
            person = client(reference, [("catch_convict", date(2010, 1, 1) if n else LAST, None)],
                            given=given, family=family, born=born, pnc=pnc, ward=ward, programme="ppo",
                            alcohol="yes", custody=[("remand", date(2011, 5, n + 1)), ("community", date(2011, 9, 1))])
            note(person, date(2011, 6, 1), author_id, body=f"Saw {named} at home")
            referral(person, "housing", FIRST, "completed", date(2011, 6, 1), "settled_accommodation",
                     agency_other=f"Hostel for {family}", need=named, outcome_notes=named,
                     duty_to_refer_made=True, duty_to_refer_on=FIRST, duty_to_refer_local_authority=ward,
                     duty_to_refer_outcome="relief_duty")
            payment(person, date(2011, 7, 1), "12.50", achieved="job_obtained", detail=f"Boots for {named}")
            for day in (date(2010, 3, 1), date(2011, 8, 1)):  # before and after adoption, and in the year
                offence(person, day, "robbery", crime_reference=CRIME_REFERENCES[n], outcome="convicted")
            people.append(person)
        for given, family, born, pnc in WATCHED:
            watch(FIRST, given=given, family=family, born=born, pnc=pnc)
        watch(FIRST, LAST, "adopted", given=PEOPLE[0][1], family=PEOPLE[0][2], person=people[0])
        for month in range(4, 10):
            sac(date(2010, month, 1), 50)
            sac(date(2011, month, 1), 40)
        db.session.add(ValueForMoneyBaseline(financial_year=YEAR, baseline_from=date(2010, 4, 1),
                                             baseline_to=date(2011, 3, 1)))
        db.session.add(UnitCost(crime_type="Domestic burglary near Quillbrook", cost_gbp=1, share_percent=5,
                                source="Told by Ottoline Brackenbury", price_year="2015/16"))
        db.session.add(OffenceUnitCost(offence_type="shoplifting", cost_gbp=Decimal("120.00"), price_year="2015-16",
                                       source="Agreed with Peregrine Wolstenholme of Thistlecombe"))
        for year in ("2010-11", YEAR):
            db.session.add(SchemeCost(financial_year=year, staff_costs_gbp=Decimal("1000.00"),
                                      other_costs_gbp=Decimal("0.00"), source="Timesheets checked by Xanthe Fotheringay"))
        question = SelfAssessmentQuestion(principle="Partners together", text="Ask Xanthe?", position=9)
        db.session.add(question)
        db.session.flush()
        db.session.add(SelfAssessmentAnswer(
            financial_year=YEAR, question_id=question.id, rating="strong",
            evidence="Case of Peregrine Wolstenholme, IOM-0002, 09/654321P, born 1990-11-27, of Marrowdene East."))
        db.session.commit()
    return people


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(value) for value in (reader.metadata or {}).values()]
    return "\n".join(parts)


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(book.read(name).decode("utf-8", errors="replace") for name in book.namelist())


def check_every_format(files: dict[str, bytes]) -> None:
    json_text = files["json"].decode("utf-8")
    assert_clean(json_text, "the JSON")
    assert_clean(json.dumps(json.loads(json_text), ensure_ascii=True), "the JSON (escaped)")
    assert_clean(files["csv"].decode("utf-8-sig"), "the CSV")
    assert_clean(xlsx_text(files["xlsx"]), "the XLSX")
    text = pdf_text(files["pdf"])
    assert_clean(text, "the PDF text")
    assert_clean(files["pdf"].decode("latin-1"), "the PDF bytes")
    # the searches looked at real content
    assert "End-of-year review 2011-12" in text and "Self-assessment" in text
    assert "[removed]" in json_text and "[removed]" in text
    assert "Partners together" in xlsx_text(files["xlsx"])
    assert json.loads(json_text)["alcohol_related"] == {"clients": 3, "of": 3}
    offending = json.loads(json_text)["offending"]
    assert offending["in_year"]["offences"] == 2 and "Offending before and after adoption" in text


def test_the_command_writes_no_identifier_in_any_format(app, runner, caseload, tmp_path):
    files = {}
    for fmt in ("json", "csv", "xlsx", "pdf"):
        path = tmp_path / f"pack.{fmt}"
        result = runner.invoke(args=["annual-report", "--year", YEAR, "--format", fmt, "--output", str(path)])
        assert result.exit_code == 0, result.output
        files[fmt] = path.read_bytes()
    check_every_format(files)


def test_the_reviewer_downloads_no_identifier_in_any_format(app, signed_in, caseload):
    web, _ = signed_in("reviewer")
    files = {}
    for fmt in ("json", "csv", "xlsx", "pdf"):
        response = post_form(web, app, f"/reports/{YEAR}/download/{fmt}")
        assert response.status_code == 200
        files[fmt] = response.data
    check_every_format(files)
    page = web.get(f"/reports/{YEAR}")
    assert page.status_code == 200
    assert_clean(page.text, "the pack page")
    assert_clean(web.get("/reports").text, "the list of years")
