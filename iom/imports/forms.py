"""The upload form: one workbook, or some of the CSV files."""
from iom.form_fields import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import MultipleFileField, SubmitField
from wtforms.validators import ValidationError


class UploadForm(FlaskForm):
    files = MultipleFileField("Workbook or CSV files", widget=GovFileInput(multiple=True),
                              description="One Excel workbook (.xlsx), or one or more of clients.csv, custody.csv, "
                                          "referrals.csv, payments.csv, sac.csv, budgets.csv, offences.csv "
                                          "and unit_costs.csv")
    submit = SubmitField("Check the files", widget=GovSubmitInput())

    def chosen(self) -> list:
        return [upload for upload in (self.files.data or []) if upload and getattr(upload, "filename", "")]

    def validate_files(self, field):
        if not self.chosen():
            raise ValidationError("Choose a workbook (.xlsx) or the CSV files to import")
