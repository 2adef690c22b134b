"""The upload pages: every fault listed, or a preview of what would be added; confirm writes it
all (checked again), once; the held files belong to the person who uploaded them."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from iom.audit.models import AuditEntry
from iom.clients.models import Client
from iom.extensions import db
from tests.pages import csrf_token, post_form
from tests.builders import CLIENTS, EMPTY, csv_rows, csv_text, sample_files, write_workbook


@pytest.fixture
def held(app):
    """The uploads held in the database, as (owner id, file names)."""
    from iom.imports.models import PendingUpload

    def rows():
        with app.app_context():
            return [(row.owner_id, row.details["names"]) for row in db.session.scalars(select(PendingUpload))]
    return rows


def upload(client, app, files: dict[str, bytes | str]):
    data = {"csrf_token": csrf_token(client, app),
            "files": [(io.BytesIO(content.encode() if isinstance(content, str) else content), name)
                      for name, content in files.items()]}
    return client.post("/import", data=data, content_type="multipart/form-data")


def actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%import%")
                                                                  | AuditEntry.action.like("caseload.%"))
                                  .order_by(AuditEntry.seq)).all()


def test_upload_preview_confirm(signed_in, app, held, counts):
    client, user_id = signed_in("manager")
    assert client.get("/import").status_code == 200
    response = upload(client, app, sample_files())
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert re.fullmatch(r"/import/[A-Za-z0-9_-]{43}", preview_url)
    assert counts() == EMPTY                                   # nothing until confirmed
    page = client.get(preview_url)
    assert page.status_code == 200
    found = dict(re.findall(r'data-count="(\w+)">([^<]+)<', page.text))
    assert found == {"clients": "4", "periods": "5", "custody_events": "4", "referrals": "4",
                     "payments": "3, totalling £321.50", "sac_months": "3", "budgets": "2"}
    assert "clients.csv" in page.text and "Import these records" in page.text
    done = post_form(client, app, preview_url + "/confirm")
    assert done.status_code == 302 and done.headers["Location"] == "/import"
    assert "Imported 4 new clients, 5 periods on the scheme" in client.get("/import").text
    assert counts()["clients"] == 4 and counts()["payments"] == 3
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "caseload.imported"))
        assert entry.actor_id == user_id
        assert sorted(f["name"] for f in entry.changes["files"][1]) == sorted(sample_files())
    assert actions(app) == ["import.checked", "caseload.imported"]
    assert held() == []                                        # the held files are gone


def test_a_workbook_upload(signed_in, app, held, counts, tmp_path):
    client, _ = signed_in("manager")
    write_workbook(tmp_path / "caseload.xlsx", {name.removesuffix(".csv"): csv_rows(text)
                                                for name, text in sample_files().items()})
    response = upload(client, app, {"caseload.xlsx": (tmp_path / "caseload.xlsx").read_bytes()})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "clients" in page and 'data-count="clients">4<' in page
    assert post_form(client, app, response.headers["Location"] + "/confirm").status_code == 302
    assert counts()["clients"] == 4


def test_every_fault_is_listed_and_nothing_is_kept(signed_in, app, held, counts):
    client, _ = signed_in("manager")
    files = sample_files()
    files["clients.csv"] = files["clients.csv"].replace("05/04/1990", "31/02/1990")
    files["sac.csv"] += "2011-10,-1\n"
    response = upload(client, app, files)
    assert response.status_code == 200
    assert "Nothing has been imported: 3 problems to put right" in response.text
    lines = re.search(r'<pre class="iom-import-lines">(.*?)</pre>', response.text, re.S).group(1)
    assert lines.strip().splitlines() == [
        "clients.csv:2: date_of_birth: &#39;31/02/1990&#39; is not a real date",
        "sac.csv:5: month: &#39;2011-10&#39; is also on row 2: a month has one count of serious acquisitive crimes, "
        "so keep one of the rows",
        "sac.csv:5: serious_acquisitive_crimes: &#39;-1&#39; is less than 0: the count must be 0 or more",
    ]
    assert "<td class=\"govuk-table__cell\">date_of_birth</td>" in response.text
    assert counts() == EMPTY
    assert held() == []
    assert actions(app) == ["import.refused"]


def test_another_encoding_is_refused_on_the_web_too(signed_in, app, held):
    client, _ = signed_in("manager")
    response = upload(client, app, {"payments.csv": "reference,paid_on,amount_gbp,purpose\nIOM-1,2011-05-01,"
                                                    "£5,Caf\u00e9\n".encode("cp1252")})
    assert response.status_code == 200
    assert "payments.csv:2: the file is not UTF-8 text: save it as &#34;CSV UTF-8&#34; and try again\n" in \
        response.text


def test_choosing_nothing_or_mixing_a_workbook_with_csvs(signed_in, app, held, tmp_path):
    client, _ = signed_in("manager")
    nothing = post_form(client, app, "/import")
    assert nothing.status_code == 400 and "Choose a workbook (.xlsx) or the CSV files to import" in nothing.text
    write_workbook(tmp_path / "b.xlsx", {"sac": [["month", "serious_acquisitive_crimes"]]})
    mixed = upload(client, app, {"b.xlsx": (tmp_path / "b.xlsx").read_bytes(), "sac.csv": "month\n"})
    assert "b.xlsx:1: give one workbook on its own, or CSV files, not both and not several workbooks" in mixed.text


def test_the_held_files_belong_to_the_uploader(signed_in, app, held, counts, client, make_user):
    owner, _ = signed_in("manager")
    preview_url = upload(owner, app, sample_files()).headers["Location"]
    owner_id = held()[0][0]
    assert held() == [(owner_id, list(sample_files()))]
    # another manager, in another browser, cannot see or confirm it
    other = app.test_client()
    from tests.pages import sign_in
    _, name = make_user("manager")
    assert sign_in(other, app, name).status_code == 302
    assert other.get(preview_url).status_code == 404
    assert post_form(other, app, preview_url + "/cancel").status_code == 404
    refused = post_form(other, app, preview_url + "/confirm")
    assert refused.status_code == 302 and counts() == EMPTY
    assert held() == [(owner_id, list(sample_files()))]


def test_confirming_twice_imports_once(signed_in, app, held, counts):
    client, _ = signed_in("manager")
    files = {"payments.csv": "reference,paid_on,amount_gbp,purpose\nIOM-0001,2011-05-01,5,Bus\n",
             "clients.csv": sample_files()["clients.csv"]}
    preview_url = upload(client, app, files).headers["Location"]
    assert post_form(client, app, preview_url + "/confirm").status_code == 302
    second = post_form(client, app, preview_url + "/confirm", follow_redirects=True)
    assert "already been imported, cancelled or have expired" in second.text
    assert counts()["payments"] == 1


def test_confirm_checks_again(signed_in, app, held, counts):
    client, _ = signed_in("manager")
    preview_url = upload(client, app, sample_files()).headers["Location"]
    with app.app_context():
        db.session.add(Client(reference="IOM-0002", given_name="Added", family_name="Meanwhile", programme="other",
                              alcohol_related="unknown"))
        db.session.commit()
    response = post_form(client, app, preview_url + "/confirm")
    assert response.status_code == 200
    assert "The records changed after you checked the files" in response.text
    assert "clients.csv:4: reference: IOM-0002 is already a client in the database" in response.text
    assert counts()["clients"] == 1
    assert held() == []
    assert actions(app) == ["import.checked", "import.refused"]


def test_cancel_deletes_the_files(signed_in, app, held, counts):
    client, _ = signed_in("manager")
    preview_url = upload(client, app, sample_files()).headers["Location"]
    cancelled = post_form(client, app, preview_url + "/cancel", follow_redirects=True)
    assert "The import was cancelled" in cancelled.text
    assert held() == []
    assert actions(app) == ["import.checked", "import.cancelled"]
    assert client.get(preview_url).status_code == 404
    assert counts() == EMPTY


def test_an_old_upload_expires_and_is_swept_away(signed_in, app, held, counts, monkeypatch):
    from iom.clock import utcnow
    from iom.imports import uploads
    client, _ = signed_in("manager")
    preview_url = upload(client, app, sample_files()).headers["Location"]
    later = utcnow() + timedelta(hours=2, seconds=1)
    monkeypatch.setattr(uploads, "utcnow", lambda: later)
    assert client.get(preview_url).status_code == 404
    refused = post_form(client, app, preview_url + "/confirm", follow_redirects=True)
    assert "already been imported, cancelled or have expired" in refused.text and counts() == EMPTY
    assert held() == []  # the confirmation's sweep deleted it
    upload(client, app, {"sac.csv": "month,serious_acquisitive_crimes\n2011-04,3\n"})
    assert len(held()) == 1


@pytest.mark.parametrize("token", ["..", "..%2F..%2Fsecret_key", "x" * 42, "a/b"])
def test_tokens_are_never_paths(signed_in, token, held):
    client, _ = signed_in("manager")
    assert client.get(f"/import/{token}").status_code == 404


def test_the_caseload_downloads_as_a_workbook_and_is_audited(signed_in, app, held, tmp_path, runner):
    assert runner.invoke(args=["import", str(_folder(tmp_path))]).exit_code == 0
    client, user_id = signed_in("manager")
    response = post_form(client, app, "/export-caseload")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=iom-caseload-")
    assert response.headers["Cache-Control"] == "no-store"
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["clients", "custody", "referrals", "payments", "sac", "budgets", "offences",
                               "unit_costs"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "caseload.exported"))
        assert entry.actor_id == user_id and entry.changes["rows"][1]["clients.csv"] == 5


@pytest.mark.parametrize("role", ["officer", "housing", "reviewer"])
def test_other_roles_cannot_import_or_export(signed_in, app, held, role, counts):
    client, _ = signed_in(role)
    assert client.get("/import").status_code == 403
    assert upload(client, app, sample_files()).status_code == 403
    assert post_form(client, app, "/export-caseload").status_code == 403
    assert counts() == EMPTY
    assert held() == []


def test_the_menu_shows_import_to_managers_only(signed_in):
    client, _ = signed_in("manager")
    assert 'href="/import"' in client.get("/").text


def _folder(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for name, text in sample_files().items():
        (folder / name).write_text(text)
    return folder


def test_the_web_import_takes_offences_and_unit_costs(signed_in, app, held):
    client, _ = signed_in("manager")
    page = client.get("/import").text
    assert "offences.csv" in page and "unit_costs.csv" in page and "domestic_burglary" in page
    offences = "reference,offence_on,offence_type,outcome,crime_reference,alcohol_involved"
    response = upload(client, app, {
        "clients.csv": csv_text(CLIENTS + ",tier", "IOM-0001,Alder,Demo,,,catch_convict,,2011-04-01,,,,,flex"),
        "offences.csv": csv_text(offences, "IOM-0001,2011-03-02,robbery,,,"),
        "unit_costs.csv": csv_text("offence_type,cost_gbp,price_year,source", "robbery,11000,2015-16,")})
    assert response.status_code == 302, response.text
    preview = client.get(response.headers["Location"]).text
    assert 'data-count="offences">1<' in preview and 'data-count="unit_costs">1<' in preview
    refused = upload(client, app, {"offences.csv": csv_text(offences, "IOM-0009,2011-03-02,robbery,,,")})
    assert refused.status_code == 200
    assert "offences.csv:2: reference: &#39;IOM-0009&#39; is not a client" in refused.text


def test_a_confirmation_can_land_on_another_host(signed_in, app, held, counts, database_uri):
    """Two hosts share only the database: the upload held by one is confirmed on the other."""
    from iom import create_app
    from tests.conftest import _base_config
    client, _ = signed_in("manager")
    preview_url = upload(client, app, sample_files()).headers["Location"]
    other_host = create_app(_base_config(database_uri))
    other = other_host.test_client()
    other.set_cookie("iom_session", client.get_cookie("iom_session").value)
    assert other.get(preview_url).status_code == 200
    assert post_form(other, other_host, preview_url + "/confirm").status_code == 302
    assert counts()["clients"] == 4 and held() == []
    with other_host.app_context():
        db.engine.dispose()
