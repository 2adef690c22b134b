"""The IOM caseload tracker."""
import mimetypes
import os

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from iom.config import Config, configure_keys, from_environment
from iom.request_log import configure_logging

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration first, then each register_* step."""
    app = Flask(__name__, instance_path=os.path.join(ROOT, "instance"),
                instance_relative_config=True, template_folder=os.path.join(ROOT, "templates"))
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    from_environment(app.config)
    if test_config:
        app.config.update(test_config)
    if not os.path.isdir(app.instance_path):
        os.makedirs(app.instance_path, mode=0o700)
    configure_keys(app.config, app.instance_path)
    configure_database(app)
    configure_logging(app)
    if app.config["PROXY_FIX_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_HOPS"],
                                x_proto=app.config["PROXY_FIX_HOPS"])

    register_templates(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_wording(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure_database(app: Flask) -> None:
    """SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a health-checked pool."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        timeout_s = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        options.setdefault("connect_args", {}).setdefault("timeout", timeout_s)
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Without a busy timeout, concurrent audited page views fail with 'database is locked'."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # The file holds personal data: readable by the service's own account only (its -wal and
        # -shm files take the same permissions).
        for _, name, path in cursor.execute("PRAGMA database_list").fetchall():
            if path and os.path.exists(path) and os.stat(path).st_uid == os.getuid():
                os.chmod(path, 0o600)
        cursor.close()


def register_templates(app: Flask) -> None:
    """Our templates first, then the GOV.UK Frontend macros under their package prefixes."""
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(os.path.join(ROOT, "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    from govuk_frontend_wtf.main import WTFormsHelpers

    from iom import clock, pagination
    from iom.form_fields import form_errors
    WTFormsHelpers(app)
    app.jinja_env.globals["wtforms_errors"] = form_errors
    app.jinja_env.filters["uk_date"] = clock.uk_date
    app.jinja_env.filters["uk_datetime"] = clock.uk_datetime
    app.jinja_env.filters["without_paging"] = pagination.without_paging
    mimetypes.add_type("text/javascript", ".mjs")


def compile_templates(app: Flask) -> int:
    """Compile every page template and component now, before the first request needs it: a worker forked
    from a master that has done this starts with them compiled (gunicorn.conf.py `preload_app`, wsgi.py).
    Returns how many were compiled."""
    environment = app.jinja_env
    names = environment.list_templates(extensions=["html"])
    for name in names:
        environment.get_template(name)
    return len(names)


def register_extensions(app: Flask) -> None:
    from iom import cookie_session
    from iom.extensions import csrf, db, login_manager, migrate
    cookie_session.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    # importing the models registers them with the metadata Alembic compares against
    from iom.audit import models as _audit_models  # noqa: F401
    from iom.auth import models as _auth_models  # noqa: F401
    from iom.clients import models as _client_models  # noqa: F401
    from iom.custody import models as _custody_models  # noqa: F401
    from iom.clients import latest as _latest  # noqa: F401  (keeps each client's latest period and custody)
    from iom.watch import models as _watch_models  # noqa: F401
    from iom.referrals import models as _referral_models  # noqa: F401
    from iom.payments import models as _payment_models  # noqa: F401
    from iom.figures import models as _check_models  # noqa: F401
    from iom.reports import models as _report_models  # noqa: F401
    from iom.offending import models as _offending_models  # noqa: F401
    from iom.imports import models as _import_models  # noqa: F401
    from iom import generations as _generations  # noqa: F401  (its table's model)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` bounded to what a database integer holds: a huge number is a 404, not a crash."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    from iom import fragments, kept_pages, navigation
    from iom.about import views as about_views
    from iom.audit import views as audit_views
    from iom.auth import accounts_views, hooks, views as auth_views
    from iom.clients import views as client_views
    from iom.home import views as home_views
    from iom.offending import views as offending_views
    from iom.watch import views as watch_views
    from iom.referrals import views as referral_views
    from iom.payments import views as payment_views
    from iom.figures import views as check_views
    from iom.figures import reoffending_views as _reoffending_views  # noqa: F401  (its routes join figures')
    from iom.reports import views as report_views
    from iom.reports import alcohol_views
    from iom.imports import views as import_views
    from iom.offending import score_views
    from iom.data_protection import views as data_protection_views

    app.url_map.converters["year"] = report_views.YearConverter
    hooks.init_app(app)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(home_views.bp)
    app.register_blueprint(about_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(client_views.bp)
    app.register_blueprint(offending_views.bp)
    app.register_blueprint(watch_views.bp)
    app.register_blueprint(referral_views.bp)
    app.register_blueprint(payment_views.bp)
    app.register_blueprint(check_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(alcohol_views.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(score_views.bp)
    app.register_blueprint(data_protection_views.bp)
    navigation.init_app(app)
    fragments.init_app(app)
    kept_pages.init_app(app)


def register_wording(app: Flask) -> None:
    """The audit trail's words for each area's coded values and numbered records: it sits below the
    areas that own them (iom/audit/wording.py)."""
    from iom.audit import wording
    from iom.auth.models import User
    from iom.auth.permissions import ROLE_LABELS
    from iom.clients.models import (ALCOHOL, AUDIT_C_QUESTIONS, COHORT_TIERS, EXIT_REASONS, PROGRAMMES, RISK_LEVELS,
                                    STRANDS, Client)
    from iom.custody.models import CUSTODY_STATUSES
    from iom.offending.models import ALCOHOL_INVOLVED, OFFENCE_OUTCOMES, OFFENCE_TYPES
    from iom.payments.models import ACHIEVEMENTS, PAYMENT_STATUSES, PURPOSES
    from iom.referrals.models import (DUTY_TO_REFER_OUTCOMES, REFERRAL_KINDS, REFERRAL_OUTCOMES, REFERRAL_STATUSES,
                                      Agency)
    from iom.referrals.operations import AGENCY_KINDS
    from iom.reports.models import RATINGS
    from iom.watch.models import WATCH_OUTCOMES
    from iom.watch.views import WATCH_LIST_STATUSES
    wording.init_app(app, values={
        "strand": STRANDS, "counted_strands": STRANDS, "programme": PROGRAMMES, "alcohol_related": ALCOHOL,
        "tier": COHORT_TIERS, "risk_level": RISK_LEVELS, "exit_reason": EXIT_REASONS,
        "status": wording.merged(CUSTODY_STATUSES, REFERRAL_STATUSES, PAYMENT_STATUSES),
        "kind": wording.merged(REFERRAL_KINDS, AGENCY_KINDS),
        "outcome": wording.merged(WATCH_OUTCOMES, *REFERRAL_OUTCOMES.values(), OFFENCE_OUTCOMES),
        "duty_to_refer_outcome": DUTY_TO_REFER_OUTCOMES, "purpose": PURPOSES, "achieved": ACHIEVEMENTS,
        "offence_type": OFFENCE_TYPES, "alcohol_involved": ALCOHOL_INVOLVED, "rating": RATINGS,
        "role": ROLE_LABELS, "watch_list_status": WATCH_LIST_STATUSES,
        **{question: {str(score): f"{label} (scores {score})" for score, label in answers.items()}
           for question, (_, answers) in AUDIT_C_QUESTIONS.items()},
    }, lookups={
        "person": (User.id, User.display_name), "account": (User.id, User.username),
        "client": (Client.id, Client.reference), "agency": (Agency.id, Agency.name),
    })


def register_request_hooks(app: Flask) -> None:
    """Before the blueprints' own hooks, so the access check's audit entry has the request's id; the
    request log first of all, so its duration covers every other hook."""
    from iom import request_log, security
    request_log.init_app(app)
    security.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from iom import errors
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from iom.audit import commands as audit
    from iom.auth import commands as auth
    from iom.backups import commands as backups
    from iom.data_protection import commands as data_protection
    from iom.demo import commands as demo
    from iom.figures import commands as figures
    from iom.imports import commands as imports
    from iom.reports import commands as reports
    for command in (auth.create_user_command, auth.setup_link_command,
                    audit.audit_verify, audit.audit_checkpoint, audit.grant_service_role,
                    demo.demo_data_command, demo.demo_code_command,
                    figures.monthly_check_command, figures.reoffending_command,
                    reports.annual_report_command,
                    imports.import_command, imports.export_caseload_command,
                    backups.backup_command, backups.restore_command,
                    data_protection.retention_review_command):
        app.cli.add_command(command)
