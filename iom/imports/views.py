"""The import pages (managers only: administrators do not see the caseload): upload a workbook or CSV files, see every
fault or a preview of what would be added, then confirm. And the caseload as a workbook."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from iom import audit
from iom.auth.permissions import MANAGER, allow_blueprint, fresh_second_factor
from iom.clock import today_in_london
from iom.extensions import db
from iom.imports import exporting, operations, uploads
from iom.imports.formats import FORMATS
from iom.imports.forms import UploadForm
from iom.imports.reading import read_named_files
from iom.offending.models import OFFENCE_TYPES

bp = Blueprint("imports", __name__)
allow_blueprint(bp, {MANAGER})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def formats():
    return {"formats": FORMATS.values(), "counted_labels": operations.counted_labels, "offence_types": OFFENCE_TYPES}


@bp.route("/import", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/upload.html", form=form), (400 if form.errors else 200)
    files = [(upload.filename, upload.read()) for upload in form.chosen()]
    read = read_named_files(files)
    plan = operations.check_import(read)
    db.session.rollback()  # the check only read
    if plan.faults:
        operations.record_check("import.refused", f"Import files checked and refused: {len(plan.faults)} problems",
                     plan.sources, problems=len(plan.faults))
        db.session.commit()
        return render_template("imports/upload.html", form=UploadForm(formdata=None), faults=plan.faults,
                               names=[source.name for source in plan.sources])
    token = uploads.hold(files, current_user.id, {  # held in the database, with the check's audit entry
        "counts": plan.counts(), "rows_by_file": plan.rows_by_file,
        "sources": [{"name": s.name, "sha256": s.sha256, "bytes": s.size} for s in plan.sources]})
    operations.record_check("import.checked", "Import files checked: no problems, waiting for confirmation", plan.sources,
                 counts=plan.counts())
    db.session.commit()
    return redirect(url_for("imports.preview", token=token))


def _held_or_404(token: str) -> uploads.HeldUpload:
    held = uploads.find(token, current_user.id)
    if held is None:
        abort(404)
    return held


@bp.route("/import/<token>")
def preview(token: str):
    held = _held_or_404(token)
    return render_template("imports/preview.html", token=token, manifest=held.manifest)


def _refused_on_confirmation(token: str, faults: list | None = None, sources=()):
    """Roll the attempt back and delete the upload for good (with the refusal's audit entry, if any)."""
    db.session.rollback()
    uploads.discard(token, current_user.id)
    if faults:
        operations.record_check("import.refused", f"Import refused on confirmation: {len(faults)} problems",
                                sources, problems=len(faults))
    db.session.commit()


@bp.route("/import/<token>/confirm", methods=["POST"])
def confirm(token: str):
    held = uploads.claim(token, current_user.id)  # deleted with the import's commit
    if held is None:
        db.session.commit()  # the expired uploads swept away on the way
        flash("Those files have already been imported, cancelled or have expired. Nothing more was imported: "
              "upload them again if you need to.", "info")
        return redirect(url_for("imports.upload"))
    try:
        read = read_named_files(held.files())
        plan = operations.check_import(read)  # again: the database may have changed since the preview
        if plan.faults:
            _refused_on_confirmation(token, plan.faults, plan.sources)
            return render_template("imports/upload.html", form=UploadForm(formdata=None), faults=plan.faults,
                                   names=[source.name for source in plan.sources], changed_since_preview=True)
        operations.import_caseload(plan, actor=current_user._get_current_object())
        db.session.commit()
        operations.refresh_planner_statistics()
    except SQLAlchemyError:
        _refused_on_confirmation(token)
        flash("Nothing was imported: the database refused the rows, perhaps because someone added the same records "
              "at the same moment. Upload the files again to see what clashes.", "info")
        return redirect(url_for("imports.upload"))
    counts = plan.counts()
    flash("Imported " + ", ".join(operations.counted(counts[key], label)
                                  for key, label in operations.counted_labels(counts))
          + ".", "success")
    return redirect(url_for("imports.upload"))


@bp.route("/import/<token>/cancel", methods=["POST"])
def cancel(token: str):
    held = _held_or_404(token)
    uploads.discard(token, current_user.id)
    audit.record("import.cancelled", "Import cancelled before confirming: the uploaded files deleted",
                 subject=("import", None), changes={"files": [None, held.manifest.get("sources")]})
    db.session.commit()
    flash("The import was cancelled and the uploaded files deleted. Nothing was imported.", "info")
    return redirect(url_for("imports.upload"))


@bp.route("/export-caseload", methods=["POST"])
@fresh_second_factor
def export_caseload():
    """The whole caseload as a workbook in the import format."""
    export = exporting.collect()
    content = exporting.workbook_bytes(export)
    audit.record("caseload.exported", f"{current_user.username} downloaded the caseload as a workbook",
                 subject=("export", None), changes={"format": [None, "xlsx"], "rows": [None, export.counts()],
                                                     "left_out": [None, export.left_out]})
    db.session.commit()
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=f"iom-caseload-{today_in_london().isoformat()}.xlsx")
