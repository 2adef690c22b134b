"""Concurrent audited writes queue up instead of failing or forking the hash chain."""
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from iom import audit
from iom.audit.models import AuditEntry
from iom.auth import operations
from iom.extensions import db

# under xdist (make test) these run one after another in one worker: their threads race each other only
pytestmark = pytest.mark.xdist_group("concurrency")


def test_concurrent_writers_keep_one_unbroken_chain(app):
    """Threads with their own connections stand in for gunicorn workers (SQLite or PostgreSQL)."""
    errors = []
    barrier = threading.Barrier(8)

    def writer(number):
        with app.app_context():
            barrier.wait()
            for index in range(15):
                try:
                    audit.record("test.write", f"writer {number} entry {index}", actor_label="test")
                    db.session.commit()
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    db.session.rollback()
                    errors.append(repr(error))
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 120
        report = audit.verify_chain()
        assert report.is_intact, report.problem


def test_fifty_users_viewing_audited_pages_at_once_on_sqlite(live_server):
    """Without a busy timeout, SQLite fails about 18% of these with 'database is locked'."""
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = []
    with app.app_context():
        manager = operations.create_user("manager.load", "manager", "plum orchard lantern 42",
                                         actor_label="test")
        db.session.commit()
        for _ in range(50):
            token = operations.start_session(manager)
            cookies.append(serializer.dumps({"sid": token, "_user_id": str(manager.id), "_fresh": True}))
        db.session.commit()

    def view(cookie):
        statuses = []
        for _ in range(3):
            request = urllib.request.Request(f"{live_server.url}/audit",
                                             headers={"Cookie": f"iom_session={cookie}"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        return statuses

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = [status for statuses in pool.map(view, cookies) for status in statuses]
    assert results.count(200) == 150, results
    with app.app_context():
        viewed = db.session.scalar(select(func.count()).select_from(AuditEntry)
                                   .where(AuditEntry.action == "audit.viewed"))
        assert viewed == 150
        assert audit.verify_chain().is_intact
