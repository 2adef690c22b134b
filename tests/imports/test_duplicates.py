"""An import never adds a second record of a person: one already in the database, or one named
under two references in the same file, is a fault naming the other record."""
from datetime import date

from sqlalchemy import select

from iom.clients import operations
from iom.clients.models import Client, SchemePeriod
from iom.extensions import db
from tests.builders import CLIENTS, csv_text, pnc


def clients(*rows: str) -> dict:
    return {"clients.csv": csv_text(CLIENTS, *rows)}


def saved_person(app, given="Seán", family="O'Brien-Smith", born=date(1990, 2, 1)) -> str:
    with app.app_context():
        client = operations.add_client({"given_name": given, "family_name": family, "date_of_birth": born},
                                       strand="catch_convict", joined_on=date(2011, 4, 1))
        db.session.commit()
        return client.reference


def merge_a_readopted_duplicate_into(app, kept: str) -> None:
    """The kept client leaves; the same person is added again (told apart) and merged back into them."""
    with app.app_context():
        record = operations.queries.client_by_reference(kept)
        operations.leave_scheme(record, db.session.scalar(select(SchemePeriod)), left_on=date(2011, 5, 1),
                                exit_reason="other", version=1)
        duplicate = operations.add_client({"given_name": "Sean", "family_name": "OBrien-Smith",
                                           "date_of_birth": date(1990, 2, 1)}, strand="catch_convict",
                                          joined_on=date(2012, 4, 1), different_from=[record.id])
        operations.merge_clients(record, duplicate)
        db.session.commit()


def test_a_person_already_in_the_database_is_a_fault_naming_them(app, refuses):
    existing = saved_person(app)
    lines = refuses(clients("R-00001,Alder,Demo,05/04/1990,,catch_convict,,2011-04-01,,,,",
                            "R-00002,Ash,Demo,,,catch_convict,,2011-04-01,,,,",
                            "R-00003,Birch,Demo,05/04/1991,,catch_convict,,2011-04-01,,,,",
                            "R-00012,sean,obriensmith,01/02/1990,,catch_convict,,2011-04-01,,,,"))
    assert lines == [
        f"clients.csv:5: given_name: 'sean obriensmith' born 1990-02-01 is the same person as existing client "
        f"{existing} (same name and date of birth): take this person's rows out of clients.csv and use {existing} in "
        "the other files. If they really are someone else, add them on the Add a client page, which asks you to "
        "confirm that"]


def test_one_person_under_two_references_in_one_file_is_a_fault(refuses):
    lines = refuses(clients("R-00001,Jo,Bloggs,1990-02-01,,catch_convict,,2011-04-01,2011-05-01,completed,,",
                            "R-00001,Jo,Bloggs,1990-02-01,,catch_convict,,2011-06-01,,,,",
                            "R-00002,JO,BLOGGS,01/02/1990,,prevent_deter,,2011-04-01,,,,"))
    assert lines == ["clients.csv:4: given_name: 'JO BLOGGS' born 1990-02-01 is the same person as R-00001 on row 2 "
                     "(same name and date of birth): give all of one person's rows the same reference"]


def test_the_same_name_with_another_or_no_birthday_is_imported(app, accepts):
    saved_person(app)
    accepts(clients("R-00001,Seán,O'Brien-Smith,02/02/1990,,catch_convict,,2011-04-01,,,,",
                    "R-00002,Seán,O'Brien-Smith,,,catch_convict,,2011-04-01,,,,",
                    "R-00003,Seán,O'Brien-Smith,,,catch_convict,,2011-04-01,,,,"))
    with app.app_context():
        keys = db.session.execute(select(Client.reference, Client.match_key).order_by(Client.reference)).all()
    # the bulk insert fills the key as the form does
    assert {key for _, key in keys} == {"seanobriensmith"} and len(keys) == 4


def test_a_merged_away_record_is_not_matched_but_the_kept_one_is(app, refuses):
    kept = saved_person(app)
    merge_a_readopted_duplicate_into(app, kept)
    lines = refuses(clients("R-00001,Sean,O'Brien-Smith,1990-02-01,,catch_convict,,2011-04-01,,,,"))
    assert len(lines) == 1 and f"as existing client {kept} (same name" in lines[0]


def test_a_same_pnc_id_is_still_its_own_fault(app, refuses, existing_client):
    existing_client("R-00900", pnc_id=pnc(11, 123456))
    lines = refuses(clients(f"R-00001,Other,Person,,{pnc(11, 123456)},catch_convict,,2011-04-01,,,,"))
    assert lines == [f"clients.csv:2: pnc_id: {pnc(11, 123456)} is already recorded for client R-00900 in the "
                     "database: one person has one PNC ID, so check which client this is"]


def test_the_export_after_a_merge_leaves_nobody_out(app):
    kept = saved_person(app)
    merge_a_readopted_duplicate_into(app, kept)
    with app.app_context():
        from iom.imports.exporting import collect
        export = collect()
    assert export.left_out == []
    assert [row[0] for row in export.rows["clients"]] == [kept, kept]
