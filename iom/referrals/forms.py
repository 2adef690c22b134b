"""Referral and agency forms, each owning its GOV.UK-style messages. The referral rules themselves
live in operations.referral_problems, so the form shows every broken rule at once and the
operation refuses the same things whoever calls it."""
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from iom.clock import today_in_london
from iom.form_fields import FlaskForm, UKDateField, choices, one_of, version_field, words
from iom.referrals.models import DUTY_TO_REFER_OUTCOMES, REFERRAL_OUTCOMES, REFERRAL_STATUSES
from iom.referrals.operations import AGENCY_KINDS, DUTY_TO_REFER_FIELDS, clean_referral, referral_problems

YES_NO = {"yes": "Yes", "no": "No"}
OTHER_AGENCY = "other"



class ReferralForm(FlaskForm):
    """Making or changing a referral. Built for one kind: housing adds the Duty to Refer."""

    referred_on = UKDateField("Date referred", default=today_in_london, not_future=True, description="For example, 27 3 2011")
    agency_id = SelectField("Agency", widget=GovSelect(), choices=[],
                            description="If it is not in the list, select Other and enter its name",
                            validators=[InputRequired(message="Select the agency")])
    agency_other = words("Name of the agency", limit=120, description="If you selected Other",
                         needed_when=("agency_id", OTHER_AGENCY, "Enter the name of the agency"))
    need = words("What do they need?", limit=5_000, noun="What they need", missing="Enter what they need",
                 multiline=True)
    status = one_of("Status", REFERRAL_STATUSES, "Select the status", default="open")
    closed_on = UKDateField("Date closed", required=False, not_future=True,
                            description="Only for a completed, declined or withdrawn referral. For example, 27 3 2011")
    outcome = RadioField("Outcome", widget=GovRadioInput(), choices=[], validate_choice=False,
                         description="Only for a completed, declined or withdrawn referral")
    outcome_notes = words("Outcome notes", limit=5_000, description="Needed if the outcome is Other", multiline=True)
    next_action = words("Next action", limit=500, description="For example, chase the council for a decision")
    next_action_due_on = UKDateField("Next action due", required=False, description="For example, 27 3 2011")
    duty_to_refer_made = one_of("Has a Duty to Refer been made to a local authority?", YES_NO,
                                "Select whether a Duty to Refer has been made")
    duty_to_refer_on = UKDateField("Date of the Duty to Refer", required=False, not_future=True,
                                   description="If one was made. For example, 27 3 2011")
    duty_to_refer_local_authority = words("Local authority", limit=120, description="If one was made")
    duty_to_refer_outcome = SelectField("Local authority's response", widget=GovSelect(),
                                        choices=choices(DUTY_TO_REFER_OUTCOMES, blank="Select a response"))
    version = version_field()
    submit = SubmitField("Save referral", widget=GovSubmitInput())

    def __init__(self, *args, kind: str, agencies, editing: bool = False, current_agency_id: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.current_agency_id = current_agency_id
        self.agency_id.choices = ([SelectChoice("", "Select an agency")] +
                                  [SelectChoice(str(agency.id), agency.name) for agency in agencies] +
                                  [SelectChoice(OTHER_AGENCY, "Other (not in the list)")])
        self.outcome.choices = choices(REFERRAL_OUTCOMES[kind])
        if kind != "housing":
            for name in DUTY_TO_REFER_FIELDS:
                delattr(self, name)
        if not editing:
            del self.version

    def details(self) -> dict:
        choice = self.agency_id.data or ""
        details = {
            "referred_on": self.referred_on.data,
            "agency_id": int(choice) if choice.isdigit() else None,
            "agency_other": self.agency_other.data if choice == OTHER_AGENCY else None,
            "need": self.need.data,
            "status": self.status.data,
            "closed_on": self.closed_on.data,
            "outcome": self.outcome.data or None,
            "outcome_notes": self.outcome_notes.data,
            "next_action": self.next_action.data,
            "next_action_due_on": self.next_action_due_on.data,
        }
        if self.kind == "housing":
            details.update({
                "duty_to_refer_made": {"yes": True, "no": False}.get(self.duty_to_refer_made.data),
                "duty_to_refer_on": self.duty_to_refer_on.data,
                "duty_to_refer_local_authority": self.duty_to_refer_local_authority.data,
                "duty_to_refer_outcome": self.duty_to_refer_outcome.data or None,
            })
        return details

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then every referral rule, each by the field it is about."""
        is_valid = super().validate(extra_validators)
        problems = referral_problems(self.kind, clean_referral(self.kind, self.details()),
                                     current_agency_id=self.current_agency_id)
        for name, message in problems:
            field = self._fields.get(name, self.submit)
            if field.errors or (name == "agency_id" and self.agency_other.errors):
                continue  # one message a field: the field's own says what to fix first
            field.errors = [*field.errors, message]
            is_valid = False
        return is_valid

    def fill_from(self, referral) -> None:
        """Show a saved referral in the form's own terms."""
        for name in self._fields:
            if name in ("csrf_token", "submit", "version", "agency_id", "duty_to_refer_made"):
                continue
            value = getattr(referral, name)
            self[name].data = "" if value is None and not isinstance(self[name], UKDateField) else value
        self.agency_id.data = (str(referral.agency_id) if referral.agency_id is not None
                               else OTHER_AGENCY if referral.agency_other else "")
        if "duty_to_refer_made" in self._fields:
            self.duty_to_refer_made.data = {True: "yes", False: "no"}.get(referral.duty_to_refer_made)
        if "version" in self._fields:
            self.version.data = str(referral.version)


class ReopenReferralForm(FlaskForm):
    """A manager reopening a closed referral: the reason is required and kept in its history."""

    reason = words("Why are you reopening this referral?", limit=5_000, noun="Why you are reopening it",
                   missing="Enter why you are reopening this referral", multiline=True,
                   description="For example, closed by mistake, or the council has asked for it again")
    version = version_field()
    submit = SubmitField("Reopen the referral", widget=GovSubmitInput())


class AgencyForm(FlaskForm):
    name = words("Name", limit=120, noun="Agency name", missing="Enter the agency's name")
    kind = one_of("Which referrals does it take?", AGENCY_KINDS, "Select which referrals the agency takes")
    submit = SubmitField("Add agency", widget=GovSubmitInput())


class EditAgencyForm(AgencyForm):
    is_active = one_of("Can new referrals be made to it?", {"yes": "Yes", "no": "No, it is no longer used"},
                       "Select whether new referrals can be made to it")
    version = version_field()
    submit = SubmitField("Save changes", widget=GovSubmitInput())
