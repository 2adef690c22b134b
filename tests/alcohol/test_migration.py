"""0009 adds the AUDIT-C and paper tables and widens the referral and agency kind checks to alcohol, and
comes off again, on either database. On SQLite the kind checks are widened in place: a batch rebuild of
`referral` would be refused while status changes refer to its rows."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from iom.extensions import db

REFERRAL = ("INSERT INTO referral (client_id, kind, referred_on, status, created_at, version) "
            "VALUES (:client, :kind, '2011-05-01', 'open', '2011-05-01 12:00:00', 1)")


def test_0009_comes_off_and_goes_on_again_with_referrals_kept(app):
    with app.app_context():
        downgrade(revision="0008")
        assert not {"alcohol_screening", "alcohol_paper"} & set(inspect(db.engine).get_table_names())
        db.session.execute(text(
            "INSERT INTO client (id, reference, given_name, family_name, programme, alcohol_related, created_at, "
            "updated_at, match_key, version) VALUES (1, 'IOM-0001', 'Ann', 'Example', 'other', 'unknown', "
            "'2011-04-01 12:00:00', '2011-04-01 12:00:00', 'annexample', 1)"))
        db.session.execute(text(REFERRAL), {"client": 1, "kind": "housing"})
        referral_id = db.session.scalar(text("SELECT id FROM referral"))
        db.session.execute(text("INSERT INTO referral_status_change (referral_id, to_status, changed_on, changed_at) "
                                "VALUES (:id, 'open', '2011-05-01', '2011-05-01 12:00:00')"), {"id": referral_id})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(REFERRAL), {"client": 1, "kind": "alcohol"})
        db.session.rollback()
        db.session.close()
        upgrade()
        assert {"alcohol_screening", "alcohol_paper"} <= set(inspect(db.engine).get_table_names())
        db.session.execute(text(REFERRAL), {"client": 1, "kind": "alcohol"})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text(REFERRAL), {"client": 1, "kind": "beer"})
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM referral_status_change")) == 1
        db.session.execute(text("DELETE FROM referral WHERE kind = 'alcohol'"))
        db.session.commit()
        db.session.close()
        downgrade(revision="0008")
        with pytest.raises(IntegrityError):
            db.session.execute(text(REFERRAL), {"client": 1, "kind": "alcohol"})
        db.session.rollback()
        db.session.close()
        upgrade()
