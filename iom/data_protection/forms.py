"""The disposal form: why, in the manager's words, and the version of the record the page was opened on."""
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from iom.data_protection.retention import REASON_LIMIT
from iom.form_fields import FlaskForm, version_field, words


class DisposeForm(FlaskForm):
    reason = words("Why is this record being disposed of?", limit=REASON_LIMIT, noun="Why it is being disposed of",
                   missing="Enter why this record is being disposed of", multiline=True,
                   description="For example: left the scheme in 2018, no contact since, no open proceedings. "
                               "Do not name the person: the reason is kept in the audit trail.")
    version = version_field()
    submit = SubmitField("Erase their personal data", widget=GovSubmitInput())
