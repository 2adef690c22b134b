"""The form for a change of custody status."""
from iom.form_fields import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from iom.custody.models import CUSTODY_STATUSES
from iom.form_fields import UKDateField, one_of


class CustodyEventForm(FlaskForm):
    status = one_of("Where are they now?", CUSTODY_STATUSES, "Select where they are now: community, remand or custody")
    from_date = UKDateField("Date of the change", not_future=True, description="For example, 27 3 2011")
    establishment = StringField("Prison or establishment", widget=GovTextInput(),
                                description="Needed for remand or custody",
                                validators=[Length(max=120, message="Establishment must be 120 characters or fewer")])
    expected_release_on = UKDateField("Expected release date", required=False,
                                      description="For remand or custody, if known. For example, 14 9 2011")
    submit = SubmitField("Record change", widget=GovSubmitInput())
