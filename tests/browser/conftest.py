"""Browser journeys through Debian's Chromium, driven by Playwright (never `playwright install`)."""
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))  # one Chromium, one worker (make test: -n)
            if CHROMIUM is None:
                if os.environ.get("CI"):
                    continue  # in CI a missing browser must fail, not skip: .ci/run installs it
                item.add_marker(pytest.mark.skip(
                    reason="Chromium is not installed here (apt-get install chromium); CI runs these"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def make_live_user(live_server):
    from iom.auth import operations
    from iom.extensions import db
    from tests.pages import DEFAULT_PASSWORD, TEST_TOTP_SECRET

    def build(role="officer", username=None, password=DEFAULT_PASSWORD):
        username = username or f"{role}.browser"
        with live_server.app.app_context():
            operations.create_user(username, role, password, display_name=f"Test {role.title()}",
                                   actor_label="test", totp_secret=TEST_TOTP_SECRET)
            db.session.commit()
        return username, password
    return build

