"""Two people adopting the same client at the same moment cannot give them overlapping periods."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from iom.clients import operations
from iom.clients.models import Client, SchemePeriod
from iom.extensions import db
from iom.rules import RuleBroken

# under xdist (make test) these run one after another in one worker: their threads race each other only
pytestmark = pytest.mark.xdist_group("concurrency")


def test_concurrent_readoptions_leave_one_period(app):
    with app.app_context():
        client = operations.add_client({"given_name": "Ann", "family_name": "Example"}, strand="catch_convict",
                                       joined_on=date(2011, 4, 1))
        db.session.flush()
        period = db.session.scalar(select(SchemePeriod))
        operations.leave_scheme(client, period, left_on=date(2011, 6, 30), exit_reason="desisted",
                                version=period.version)
        db.session.commit()
        client_id = client.id
    barrier = threading.Barrier(2)
    outcomes = []

    def adopt(joined_on):
        with app.app_context():
            person = db.session.get(Client, client_id)
            barrier.wait()
            try:
                operations.adopt_client(person, strand="resettle_rehabilitate", joined_on=joined_on)
                db.session.commit()
                outcomes.append("adopted")
            except RuleBroken:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=adopt, args=(day,)) for day in (date(2011, 8, 1), date(2011, 9, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["adopted", "refused"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SchemePeriod)) == 2
