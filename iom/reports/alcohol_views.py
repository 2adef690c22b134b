"""The alcohol discussion paper (/alcohol-paper): each financial year's versions, on screen and as PDF.

A manager starts a draft, writes its sections beside the figures the service drafts, and publishes it;
the next change starts a new draft. Managers read every version, drafts included; the reviewer and
officers read the published versions only (a draft's address is a 404 to them, as a version that does
not exist). Housing and administrators are refused: the paper is about health data (AUDIT-C screenings,
alcohol service referrals), pseudonymised as it is."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from iom import audit
from iom.auth.permissions import MANAGER, OFFICER, REVIEWER, allow_blueprint, may_see_paper_drafts, only
from iom.extensions import db
from iom.figures import annual
from iom.reports import operations
from iom.reports.alcohol_paper import build_paper, draft_figures, labels, paper_charts
from iom.reports.disclosure import Identifiers
from iom.reports.forms import AlcoholPaperForm, PublishPaperForm, StartPaperDraftForm
from iom.reports.formats import day, pounds
from iom.reports.models import PAPER_SECTIONS, PAPER_STATUSES, AlcoholPaper
from iom.reports.views import year_must_have_data
from iom.saving import save_or_errors
from iom.years import FinancialYear

bp = Blueprint("alcohol_paper", __name__, url_prefix="/alcohol-paper")
allow_blueprint(bp, {MANAGER, REVIEWER, OFFICER})
bp.before_request(year_must_have_data)


def _versions(year: FinancialYear) -> list[AlcoholPaper]:
    """The year's versions the user may read, newest first: one query."""
    query = select(AlcoholPaper).where(AlcoholPaper.financial_year == year.label)
    if not may_see_paper_drafts(current_user):
        query = query.where(AlcoholPaper.status == "published")
    return list(db.session.scalars(query.order_by(AlcoholPaper.number.desc())))


def _paper_or_404(year: FinancialYear, number: int) -> AlcoholPaper:
    """A version the user may read, read afresh; a draft is a 404 to those who may not see drafts."""
    paper = db.session.scalar(select(AlcoholPaper).where(AlcoholPaper.financial_year == year.label,
                                                         AlcoholPaper.number == number)
                              .execution_options(populate_existing=True))
    if paper is None or (not paper.is_published and not may_see_paper_drafts(current_user)):
        abort(404)
    return paper


def _context(paper_dict: dict, *, printing: bool) -> dict:
    return {"paper": paper_dict, "names": labels(), "printing": printing, "pounds": pounds, "day": day,
            "statuses": PAPER_STATUSES, "charts": paper_charts(paper_dict)}


def render_paper_html(paper_dict: dict, *, printing: bool) -> str:
    """The paper's page template rendered straight from the Jinja environment (the PDF's HTML)."""
    return current_app.jinja_env.get_template("reports/alcohol_paper.html").render(
        **_context(paper_dict, printing=printing))


def paper_pdf(paper_dict: dict) -> bytes:
    """The paper's own template printed by WeasyPrint, tagged (PDF/UA-1), fetching nothing."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the alcohol paper does not load {url}")

    html = HTML(string=render_paper_html(paper_dict, printing=True), url_fetcher=NoFetching(), base_url=None)
    return html.write_pdf(pdf_variant="pdf/ua-1",
                          pdf_identifier=f"iom-alcohol-{paper_dict['financial_year']}-{paper_dict['number']}".encode())


def _page(year: FinancialYear, paper: AlcoholPaper | None, *, publish_form=None, status: int = 200):
    """A version's page (or the year's page before any version), audited as a view of the paper. Before
    any version is published, those who may not see drafts are told so, and shown no figures."""
    versions = _versions(year)
    is_manager = may_see_paper_drafts(current_user)
    if paper is None and not is_manager:
        return render_template("reports/alcohol_paper_none.html", year=year), status
    paper_dict = build_paper(year, paper)
    if paper is not None:
        audit.record("alcohol_paper.viewed", f"Viewed the {year} alcohol discussion paper, version {paper.number}",
                     subject=paper, changes={"paper_version": [None, paper.number]})
    else:
        audit.record("alcohol_paper.viewed", f"Viewed the {year} alcohol discussion paper (no version yet)",
                     subject=("alcohol_paper", year.label))
    db.session.commit()
    latest = versions[0] if versions else None
    if publish_form is None and is_manager and paper is not None and not paper.is_published:
        publish_form = PublishPaperForm(formdata=None, version=str(paper.version))
    return render_template("reports/alcohol_paper.html", **_context(paper_dict, printing=False), year=year,
                           record=paper, versions=versions, is_manager=is_manager, latest=latest,
                           publish_form=publish_form, start_form=StartPaperDraftForm(formdata=None),
                           form=publish_form if publish_form is not None and publish_form.errors else None), status


@bp.route("")
def index():
    years = annual.years_with_data()
    query = select(AlcoholPaper).order_by(AlcoholPaper.financial_year.desc(), AlcoholPaper.number.desc())
    if not may_see_paper_drafts(current_user):
        query = query.where(AlcoholPaper.status == "published")
    by_year: dict[str, list[AlcoholPaper]] = {}
    for paper in db.session.scalars(query):
        by_year.setdefault(paper.financial_year, []).append(paper)
    return render_template("reports/alcohol_papers.html", years=years, by_year=by_year,
                           is_manager=may_see_paper_drafts(current_user))


@bp.route("/<year:year>")
def show_year(year: FinancialYear):
    """The year's latest version the user may read; before any, the figures alone (managers) or a note."""
    versions = _versions(year)
    return _page(year, versions[0] if versions else None)


@bp.route("/<year:year>/versions/<int:number>")
def show_version(year: FinancialYear, number: int):
    return _page(year, _paper_or_404(year, number))


@bp.route("/<year:year>/versions/<int:number>.pdf")
def download_pdf(year: FinancialYear, number: int):
    paper = _paper_or_404(year, number)
    content = paper_pdf(build_paper(year, paper))
    audit.record("alcohol_paper.downloaded", f"Downloaded the {year} alcohol discussion paper, version {paper.number}, "
                 "as PDF", subject=paper, changes={"paper_version": [None, paper.number], "format": [None, "pdf"],
                                                   "bytes": [None, len(content)]})
    db.session.commit()
    response = Response(content, content_type="application/pdf")
    response.headers["Content-Disposition"] = (f'attachment; filename="iom-alcohol-paper-{year.label}-'
                                               f'version-{paper.number}.pdf"')
    return response


@bp.route("/<year:year>/drafts", methods=["POST"])
@only(MANAGER)
def start_draft(year: FinancialYear):
    form = StartPaperDraftForm()
    if not form.validate_on_submit():
        flash("This page was out of date. Check the paper and try again", "info")
        return redirect(url_for("alcohol_paper.show_year", year=year))
    saved = save_or_errors(form, lambda: operations.start_alcohol_paper_draft(year, current_user))
    if not saved:
        flash(str(saved.error), "info")
        return redirect(url_for("alcohol_paper.show_year", year=year))
    flash(f"Version {saved.result.number} started as a draft", "success")
    return redirect(url_for("alcohol_paper.edit_version", year=year, number=saved.result.number))


@bp.route("/<year:year>/versions/<int:number>/edit", methods=["GET", "POST"])
@only(MANAGER)
def edit_version(year: FinancialYear, number: int):
    paper = _paper_or_404(year, number)
    form = AlcoholPaperForm()
    if request.method == "GET":
        for name in PAPER_SECTIONS:
            form[name].data = getattr(paper, name) or ""
        form.version.data = str(paper.version)
    conflicts, status = None, 200
    if paper.is_published:  # never changed once published, whatever the form says
        if request.method == "POST":
            form.submit.errors = [operations.published_refusal(paper)]
        status = 400 if request.method == "POST" else 200
    elif form.validate_on_submit():
        saved = save_or_errors(form, lambda: operations.save_alcohol_paper_draft(
            paper, form.details(), version=form.version.data, actor=current_user))
        if saved:
            flash(f"Version {paper.number} saved" if saved.result else "No changes to save", "success")
            return redirect(url_for("alcohol_paper.show_version", year=year, number=paper.number))
        status = saved.status
        paper = _paper_or_404(year, number)
        if saved.is_stale:  # their words stay in the form; saving again (after checking) saves over the newer
            form.version.data = str(paper.version)
            conflicts = [(PAPER_SECTIONS[c.field], c.yours or "Not written", c.saved or "Not written")
                         for c in saved.conflicts]
    elif form.errors:
        status = 400
    paper_dict = build_paper(year, paper, identifiers=Identifiers.from_database())
    return render_template("reports/alcohol_paper_edit.html", form=form, year=year, record=paper, paper=paper_dict,
                           conflicts=conflicts, start_form=StartPaperDraftForm(formdata=None),
                           names=labels()), status


@bp.route("/<year:year>/versions/<int:number>/publish", methods=["POST"])
@only(MANAGER)
def publish_version(year: FinancialYear, number: int):
    paper = _paper_or_404(year, number)
    form = PublishPaperForm()
    if not form.validate_on_submit():
        return _page(year, paper, publish_form=form, status=400)
    saved = save_or_errors(form, lambda: operations.publish_alcohol_paper(
        paper, draft_figures(year), version=form.version.data, actor=current_user))
    if not saved:
        paper = _paper_or_404(year, number)
        if saved.is_stale:
            form.version.data = str(paper.version)
        return _page(year, paper, publish_form=form, status=saved.status)
    flash(f"Version {paper.number} of the {year} paper published", "success")
    return redirect(url_for("alcohol_paper.show_version", year=year, number=paper.number))
