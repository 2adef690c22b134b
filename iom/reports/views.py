"""The end-of-year review: the years available, the pack as a page and its downloads (reviewer,
manager, administrator), and the manager's pages for the review's inputs."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BaseConverter, ValidationError

from iom import audit
from iom.auth.permissions import ADMIN, MANAGER, REVIEWER, allow_blueprint, fresh_second_factor, may_use, only
from iom.figures import annual
from iom.figures.months import month_text
from iom.clients.models import Client
from iom.extensions import db
from iom.reports import formats, operations
from iom.offending.models import SchemeCost
from iom.payments.queries import year_summary
from iom.reports import reviews
from iom.reports.forms import (BaselineForm, DownloadForm, QuestionForm, RemoveBaselineForm, ReviewAnswerForm,
                               ReviewFindingsForm, ReviewQuestionForm, ReviewSectionsForm, ReviewSignOffForm,
                               SchemeCostForm, UnitCostForm, self_assessment_form)
from iom.reports.models import (RATINGS, Review, ReviewQuestion, ReviewVersion, SelfAssessmentAnswer,
                                SelfAssessmentQuestion, UnitCost, ValueForMoneyBaseline)
from iom.reports.pack import SECTIONS, build_pack
from iom.years import BadPeriod, FinancialYear
from iom.reports.pseudonyms import find_client_id
from iom.saving import save_or_errors

bp = Blueprint("reports", __name__)
# The pack is pseudonymised: the reviewer's whole reach. Managers also keep its inputs up to date.
allow_blueprint(bp, {ADMIN, MANAGER, REVIEWER})


class YearConverter(BaseConverter):
    """`<year:year>` in an address: a financial year written correctly (2011-12) and within the
    years that have data (or the current one, checked by year_must_have_data), handed to the view
    as a FinancialYear; any other text is a 404. The year is parsed once, here at the edge."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> FinancialYear:
        try:
            return FinancialYear.parse(value)
        except BadPeriod:
            raise ValidationError() from None


def year_must_have_data() -> None:
    """A blueprint's before-request check, after the sign-in and role checks: a year before the
    first recorded activity or after the current one is a 404."""
    year = (request.view_args or {}).get("year")
    if isinstance(year, FinancialYear) and year not in annual.years_with_data():
        abort(404)


bp.before_request(year_must_have_data)


@dataclass(frozen=True)
class _Inputs:
    """A list of the review's inputs that a manager keeps (the questions, the unit costs): what its
    add and change pages need."""

    model: type
    form: type
    template: str
    name: str  # what the template calls the record
    listing: str  # the list's endpoint: where a save goes back to
    noun: str  # "Question", "Unit cost"
    title: Callable[[object], str]  # how a message names one record


def _record_or_404(inputs: _Inputs, record_id: int):
    """The record read afresh (someone else's save shows), or 404."""
    record = db.session.get(inputs.model, record_id, populate_existing=True)
    if record is None:
        abort(404)
    return record


def _add_page(inputs: _Inputs, form, add):
    """Add a record from the form and go back to the list; or the form again with its errors (400)."""
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: add(form.details()))
        if saved:
            flash(f"{inputs.noun} added: {inputs.title(saved.result)}", "success")
            return redirect(url_for(inputs.listing))
    return render_template(inputs.template, form=form, **{inputs.name: None}), (400 if form.errors else 200)


def _edit_page(inputs: _Inputs, record_id: int, update):
    """Change a record with a version-checked save and go back to the list. A refusal shows the form
    again over the record reloaded: 409 when someone else saved first (the form keeps its input and
    moves to the new version), 400 when a rule is broken."""
    record = _record_or_404(inputs, record_id)
    form = inputs.form(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.fill(record)
        form.version.data = str(record.version)
    status = 400 if form.errors else 200
    if form.validate_on_submit():
        saved = save_or_errors(form, lambda: update(record, form.details(), version=form.version.data))
        record = _record_or_404(inputs, record_id)
        if saved.is_stale:
            form.version.data = str(record.version)
        status = saved.status
        if saved:
            flash(f"{inputs.noun} saved: {inputs.title(record)}" if saved.result else "No changes to save",
                  "success")
            return redirect(url_for(inputs.listing))
    return render_template(inputs.template, form=form, **{inputs.name: record}), status


# --- the pack ---------------------------------------------------------------------------------

@bp.route("/reports")
def index():
    years = annual.years_with_data()
    return render_template("reports/index.html", years=years, formats=formats.FORMATS,
                           download_form=DownloadForm(formdata=None),
                           can_edit=may_use(current_user, "reports.self_assessment"))


def _pack_with_review(year: FinancialYear, version: ReviewVersion | None) -> dict:
    """The year's pack, carrying the review's words from the version given (none: the pack alone)."""
    return reviews.with_review(build_pack(year), version)


@bp.route("/reports/<year:year>")
def show_pack(year: FinancialYear):
    pack = _pack_with_review(year, reviews.latest_version(year))
    audit.record("report.viewed", f"Viewed the {year} end-of-year review", subject=("annual_report", year))
    db.session.commit()
    return render_template("reports/pack.html", **formats.template_context(pack, printing=False),
                           download_form=DownloadForm(formdata=None, review_version=str(pack["review"]["version"])
                                                      if "review" in pack else ""),
                           can_edit=may_use(current_user, "reports.self_assessment"),
                           can_review=may_use(current_user, "reports.show_review"))


@bp.route("/reports/<year:year>/download/<fmt>", methods=["POST"])
@fresh_second_factor
def download(year: FinancialYear, fmt: str):
    """A download: a POST carrying the form's CSRF token (checked before any view), so a link or an image on
    another site cannot start one; audited. review_version picks the review's words it carries (the latest
    version when blank)."""
    if fmt not in formats.FORMATS:
        abort(404)
    form = DownloadForm()
    number = (form.review_version.data or "").strip()
    if number and not (number.isdigit() and len(number) <= 6):
        abort(404)
    version = _version_or_404(year, int(number) if number else None)
    pack = _pack_with_review(year, version)
    content = formats.write(pack, fmt)
    mimetype, _, label = formats.FORMATS[fmt]
    review = pack.get("review")
    audit.record("report.downloaded", f"Downloaded the {year} end-of-year review as {label}"
                 + (f", with version {review['version']} of the review" if review else ""),
                 subject=("annual_report", year), changes={"format": [None, fmt], "bytes": [None, len(content)],
                                                           **({"review_version": [None, review["version"]]}
                                                              if review else {})})
    db.session.commit()
    response = Response(content, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{formats.file_name(pack, fmt)}"'
    return response


# --- self-assessment --------------------------------------------------------------------------

def _active_questions() -> list[SelfAssessmentQuestion]:
    return list(db.session.scalars(select(SelfAssessmentQuestion).where(SelfAssessmentQuestion.is_active.is_(True))
                                   .order_by(SelfAssessmentQuestion.position, SelfAssessmentQuestion.id)))


@bp.route("/reports/<year:year>/self-assessment", methods=["GET", "POST"])
@only(MANAGER)
def self_assessment(year: FinancialYear):
    questions = _active_questions()
    answers = {a.question_id: a for a in db.session.scalars(
        select(SelfAssessmentAnswer).where(SelfAssessmentAnswer.financial_year == year.label))}
    form_class = self_assessment_form(questions)
    status = 200
    saved_now: dict[int, tuple[str, str]] = {}
    if request.method == "GET":
        form = form_class(formdata=None)
        for question in questions:
            answer = answers.get(question.id)
            form[f"rating_{question.id}"].data = answer.rating if answer else None
            form[f"evidence_{question.id}"].data = answer.evidence if answer else ""
            form[f"version_{question.id}"].data = str(answer.version) if answer else ""
    else:
        form = form_class()
        if form.validate_on_submit():
            inputs = [operations.AnswerInput(question.id, form[f"rating_{question.id}"].data or None,
                                             form[f"evidence_{question.id}"].data,
                                             form[f"version_{question.id}"].data)
                      for question in questions]
            saved = save_or_errors(form, lambda: operations.save_self_assessment(
                year, inputs, answered_by_id=current_user.id))
            status = saved.status
            changed = saved.result
            if saved.is_stale:
                # show what is saved now beside their input; saving again keeps theirs
                for question in questions:
                    answer = db.session.scalar(select(SelfAssessmentAnswer).where(
                        SelfAssessmentAnswer.financial_year == year.label,
                        SelfAssessmentAnswer.question_id == question.id))
                    form[f"version_{question.id}"].data = str(answer.version) if answer else ""
                    if answer is not None:
                        saved_now[question.id] = (RATINGS[answer.rating], answer.evidence or "")
            elif saved:
                flash(f"Self-assessment for {year} saved ({changed} {'answer' if changed == 1 else 'answers'} "
                      "changed)" if changed else "No changes to save", "success")
                return redirect(url_for("reports.show_pack", year=year, _anchor="self-assessment"))
        else:
            status = 400
    return render_template("reports/self_assessment.html", form=form, year=year, saved_now=saved_now), status


@bp.route("/reports/questions")
@only(MANAGER)
def list_questions():
    questions = db.session.scalars(select(SelfAssessmentQuestion)
                                   .order_by(SelfAssessmentQuestion.position, SelfAssessmentQuestion.id)).all()
    return render_template("reports/questions.html", questions=questions)


QUESTIONS = _Inputs(SelfAssessmentQuestion, QuestionForm, "reports/question_form.html", "question",
                    "reports.list_questions", "Question", lambda question: question.principle)


@bp.route("/reports/questions/new", methods=["GET", "POST"])
@only(MANAGER)
def add_question():
    form = QuestionForm()
    if request.method == "GET":
        last = db.session.scalar(select(SelfAssessmentQuestion.position)
                                 .order_by(SelfAssessmentQuestion.position.desc()).limit(1))
        form.position.data = str((last or 0) + 1)
    return _add_page(QUESTIONS, form, operations.add_question)


@bp.route("/reports/questions/<int:question_id>/edit", methods=["GET", "POST"])
@only(MANAGER)
def edit_question(question_id: int):
    return _edit_page(QUESTIONS, question_id, operations.update_question)


# --- unit costs -------------------------------------------------------------------------------

@bp.route("/reports/unit-costs")
@only(MANAGER)
def list_unit_costs():
    costs = db.session.scalars(select(UnitCost).order_by(UnitCost.crime_type)).all()
    return render_template("reports/unit_costs.html", costs=costs,
                           shares_total=sum((cost.share_percent for cost in costs), 0))


UNIT_COSTS = _Inputs(UnitCost, UnitCostForm, "reports/unit_cost_form.html", "cost", "reports.list_unit_costs",
                     "Unit cost", lambda cost: cost.crime_type)


@bp.route("/reports/unit-costs/new", methods=["GET", "POST"])
@only(MANAGER)
def add_unit_cost():
    return _add_page(UNIT_COSTS, UnitCostForm(), operations.add_unit_cost)


@bp.route("/reports/unit-costs/<int:cost_id>/edit", methods=["GET", "POST"])
@only(MANAGER)
def edit_unit_cost(cost_id: int):
    return _edit_page(UNIT_COSTS, cost_id, operations.update_unit_cost)


# --- the year's value-for-money inputs: the baseline, what the scheme cost --------------------

def _save_for_year(form, save, model, year: FinancialYear):
    """Run a year's version-checked save and commit it: (the outcome, the year's row as saved now).
    After someone else's save the form moves to the row's new version, so saving again is a choice."""
    outcome = save_or_errors(form, save)
    saved = db.session.get(model, year.label, populate_existing=True)
    if outcome.is_stale:
        form.version.data = str(saved.version) if saved else ""
    return outcome, saved


@bp.route("/reports/<year:year>/baseline", methods=["GET", "POST"])
@only(MANAGER)
def baseline(year: FinancialYear):
    saved = db.session.get(ValueForMoneyBaseline, year.label)
    form = BaselineForm()
    if request.method == "GET" and saved is not None:
        form.baseline_from.data = month_text(saved.baseline_from)
        form.baseline_to.data = month_text(saved.baseline_to)
    if request.method == "GET":
        form.version.data = str(saved.version) if saved else ""
    status = 200
    if form.validate_on_submit():
        outcome, saved = _save_for_year(form, lambda: operations.set_baseline(
            year, form.baseline_from.month, form.baseline_to.month, version=form.version.data),
            ValueForMoneyBaseline, year)
        status = outcome.status
        if outcome:
            flash(f"Baseline for {year} saved: {form.baseline_from.data} to {form.baseline_to.data}", "success")
            return redirect(url_for("reports.show_pack", year=year, _anchor="value-for-money"))
    elif form.errors:
        status = 400
    remove_form = RemoveBaselineForm(formdata=None, version=str(saved.version) if saved else "")
    return render_template("reports/baseline.html", form=form, remove_form=remove_form, year=year,
                           saved=saved, first_month=month_text(year.first_day)), status


@bp.route("/reports/<year:year>/baseline/remove", methods=["POST"])
@only(MANAGER)
def remove_baseline(year: FinancialYear):
    form = RemoveBaselineForm()
    if not form.validate_on_submit():
        flash("There is no baseline to remove for this year"
              if db.session.get(ValueForMoneyBaseline, year.label) is None
              else "This page was out of date. Check the baseline and try again", "info")
        return redirect(url_for("reports.baseline", year=year))
    outcome = save_or_errors(form, lambda: operations.remove_baseline(year, version=form.version.data))
    if not outcome:  # the page it came from is out of date: say so there
        flash(str(outcome.error), "info")
        return redirect(url_for("reports.baseline", year=year))
    removed = outcome.result
    flash(f"Baseline for {year} removed" if removed else "There is no baseline to remove for this year",
          "success" if removed else "info")
    return redirect(url_for("reports.baseline", year=year))


@bp.route("/reports/<year:year>/scheme-costs", methods=["GET", "POST"])
@only(MANAGER)
def scheme_costs(year: FinancialYear):
    """The year's staff and other costs, beside its approved support payments: the value for money's costs."""
    saved = db.session.get(SchemeCost, year.label)
    form = SchemeCostForm()
    if request.method == "GET":
        form.version.data = str(saved.version) if saved else ""
        if saved is not None:
            form.staff_costs_gbp.data, form.other_costs_gbp.data = saved.staff_costs_gbp, saved.other_costs_gbp
            form.source.data = saved.source
    status = 200
    if form.validate_on_submit():
        outcome, saved = _save_for_year(form, lambda: operations.set_scheme_cost(
            year, form.staff_costs_gbp.data, form.other_costs_gbp.data, form.source.data, version=form.version.data,
            actor=current_user), SchemeCost, year)
        status = outcome.status
        if outcome:
            flash(f"The scheme's costs for {year} saved" if outcome.result else "No changes to save", "success")
            return redirect(url_for("reports.show_pack", year=year, _anchor="cohort-value-for-money"))
    elif form.errors:
        status = 400
    return render_template("reports/scheme_costs.html", form=form, year=year, saved=saved,
                           payments=year_summary(year)), status


# --- pseudonym look-up ------------------------------------------------------------------------

@bp.route("/reports/<year:year>/pseudonym")
@only(MANAGER)
def find_pseudonym(year: FinancialYear):
    """Which client a pseudonym in this year's pack stands for, so a reviewer's question can be answered."""
    code = (request.args.get("code") or "").strip()[:40]
    client = None
    if code:
        client_id = find_client_id(code, year.label, db.session.scalars(select(Client.id)))
        client = db.session.get(Client, client_id) if client_id is not None else None
        audit.record("report.pseudonym_looked_up",
                     f"Looked up pseudonym {code} in the {year} review: "
                     f"{client.reference if client else 'no match'}",
                     subject=client if client is not None else ("annual_report", year),
                     changes={"pseudonym": [None, code]})
        db.session.commit()
    return render_template("reports/pseudonym.html", year=year, code=code, client=client)


# --- the review designed by the outside reviewer --------------------------------------------------------
# The reviewer designs, writes and signs; the manager answers the reviewer's questions and reads.
# Administrators, who keep accounts, have no part in it.

def _version_or_404(year: FinancialYear, number: int | None):
    version = reviews.latest_version(year) if number is None else reviews.version_numbered(year, number)
    if number is not None and version is None:
        abort(404)
    return version


def _reviewer_form(form_class, year: FinancialYear):
    """The year's latest review version and a reviewer's form on it: opened now (a GET), it is on
    that version and says whether saving starts a new one."""
    latest, form = reviews.latest_version(year), form_class()
    if request.method == "GET":
        form.version.data = str(latest.number) if latest else ""
        if hasattr(form, "starts_new"):
            form.starts_new.data = "yes" if latest is not None and latest.is_signed_off else ""
    return latest, form


def _review_page(year: FinancialYear, number: int | None):
    version = _version_or_404(year, number)
    latest = reviews.latest_version(year)
    words = reviews.review_words(version)
    return render_template(
        "reports/review.html", year=year, version=version, latest=latest,
        versions=reviews.versions_of(reviews.review_of(year)), words=words,
        questions=reviews.questions_of(version) if version else [],
        sections=reviews.layout(words) if version else [],
        is_reviewer=current_user.role == REVIEWER, is_manager=current_user.role == MANAGER,
        download_form=DownloadForm(formdata=None, review_version=str(version.number) if version else ""),
        formats=formats.FORMATS)


@bp.route("/reports/<year:year>/review")
@only(REVIEWER, MANAGER)
def show_review(year: FinancialYear):
    return _review_page(year, None)


@bp.route("/reports/<year:year>/review/versions/<int:number>")
@only(REVIEWER, MANAGER)
def show_review_version(year: FinancialYear, number: int):
    return _review_page(year, number)


def _review_form_page(form, year: FinancialYear, save, message, template: str, **context):
    """One of the review's form pages: when posted and valid, `save` (the operation), then back to the
    review with `message` (words, or a function of the saved result); else the page again, 400 for a
    wrong entry, 409 for a stale one, with the rule's words on the form."""
    status = 200
    if form.validate_on_submit():
        outcome = save_or_errors(form, save)
        if outcome:
            words = message(outcome.result) if callable(message) else message
            version = outcome.result if isinstance(outcome.result, ReviewVersion) else None
            flash(words + (f" in version {version.number}" if version and not callable(message) else ""), "success")
            return redirect(url_for("reports.show_review", year=year))
        status = outcome.status
    elif form.errors:
        status = 400
    return render_template(template, form=form, year=year, **context), status


@bp.route("/reports/<year:year>/review/sections", methods=["GET", "POST"])
@only(REVIEWER)
def design_review(year: FinancialYear):
    """Choose the pack's sections for the review and put them in order; the reviewer's organisation."""
    latest, form = _reviewer_form(ReviewSectionsForm, year)
    chosen = [row.section for row in reviews.sections_of(latest)] if latest else list(SECTIONS)
    if request.method == "GET":
        form.organisation.data = latest.organisation if latest else ""
        form.sections.data = chosen
        for position, code in enumerate(chosen, start=1):
            form.order_field(code).data = str(position)
    return _review_form_page(form, year, lambda: operations.choose_review_sections(
        year, form.chosen(), form.organisation.data, based_on=form.version.data, starts_new=form.starts_new.data,
        actor=current_user), "Sections saved", "reports/review_sections.html", latest=latest, sections=SECTIONS)


@bp.route("/reports/<year:year>/review/sections/<review_section>", methods=["GET", "POST"])
@only(REVIEWER)
def write_findings(year: FinancialYear, review_section: str):
    section = review_section
    if section not in SECTIONS:
        abort(404)
    latest, form = _reviewer_form(ReviewFindingsForm, year)
    row = next((row for row in reviews.sections_of(latest) if row.section == section), None) if latest else None
    if row is None:
        abort(404)
    if request.method == "GET":
        form.findings.data, form.recommendations.data = row.findings or "", row.recommendations or ""
    return _review_form_page(form, year, lambda: operations.write_review_findings(
        year, section, form.findings.data, form.recommendations.data, based_on=form.version.data,
        starts_new=form.starts_new.data, actor=current_user), f"Findings on {SECTIONS[section][0]} saved",
        "reports/review_findings.html", latest=latest, section=section, title=SECTIONS[section][0])


@bp.route("/reports/<year:year>/review/questions/new", methods=["GET", "POST"])
@only(REVIEWER)
def raise_question(year: FinancialYear):
    latest, form = _reviewer_form(ReviewQuestionForm, year)
    if request.method == "GET":
        form.section.data = request.args.get("section", "") if request.args.get("section") in SECTIONS else ""
    return _review_form_page(form, year, lambda: operations.raise_review_question(
        year, form.question.data, form.section.data, based_on=form.version.data, starts_new=form.starts_new.data,
        actor=current_user), "Question raised", "reports/review_question.html", latest=latest)


@bp.route("/reports/<year:year>/review/questions/<int:review_question_id>/answer", methods=["GET", "POST"])
@only(MANAGER)
def answer_question(year: FinancialYear, review_question_id: int):
    question = db.session.get(ReviewQuestion, review_question_id, populate_existing=True)
    version = db.session.get(ReviewVersion, question.version_id) if question else None
    review = db.session.get(Review, version.review_id) if version else None
    if review is None or review.financial_year != year.label:
        abort(404)
    form = ReviewAnswerForm()
    if request.method == "GET":
        form.answer.data = question.answer or ""
    return _review_form_page(form, year, lambda: operations.answer_review_question(
        question, form.answer.data, actor=current_user), lambda _: "Answer saved", "reports/review_answer.html",
        question=question, version=version)


@bp.route("/reports/<year:year>/review/sign-off", methods=["GET", "POST"])
@only(REVIEWER)
def sign_off_review(year: FinancialYear):
    latest, form = _reviewer_form(ReviewSignOffForm, year)
    return _review_form_page(form, year, lambda: operations.sign_off_review(
        year, based_on=form.version.data, actor=current_user),
        lambda signed: f"Version {signed.number} of the review signed off", "reports/review_sign_off.html",
        latest=latest, words=reviews.review_words(latest))
