"""The reports area's fixtures: the outside reviewer and the IOM manager, each signed in."""
import pytest

from tests.pages import sign_in


@pytest.fixture
def reviewer_and_manager(app, make_user):
    """(the reviewer's client, the manager's client), each signed in."""
    _, reviewer = make_user("reviewer", username="outside.reviewer")
    _, manager = make_user("manager", username="iom.manager")
    reviewer_client, manager_client = app.test_client(), app.test_client()
    assert sign_in(reviewer_client, app, reviewer).status_code == 302
    assert sign_in(manager_client, app, manager).status_code == 302
    return reviewer_client, manager_client
