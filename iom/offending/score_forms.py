"""The adoption scoring form: every rule and every offence type's gravity weight in one save."""
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField

from iom.form_fields import FlaskForm, stripped, version_field, whole_number
from iom.offending.score_operations import DEFAULT_VALUES, SETTING_LIMITS



HINTS = {
    "recent_days": "The last offence was this many days ago or fewer",
    "middle_days": "More than the first band's days, up to this many",
    "older_days": "More than the second band's days, up to this many. Older offences score no recency points",
    "points_per_offence": "For each offence committed in the last 12 months",
    "offence_cap": "Offences beyond this many in the last 12 months add nothing more",
    "points_per_gravity": "Times the highest gravity weight among the offences of the last 12 months",
    "threshold": "A watch-list person scoring this or more is flagged Consider for adoption",
}


class ScoringForm(FlaskForm):
    """Ten rules and sixteen weights (fields named as Scoring.values() names them), the version
    the page was opened at, and the button: added below in that order, which the error summary keeps."""

    def values(self) -> dict[str, int | None]:
        """Each setting as a whole number (None where the box was not one)."""
        return {name: getattr(self, name).number for name in SETTING_LIMITS}


for _name, (_noun, _smallest, _largest) in SETTING_LIMITS.items():
    _default = DEFAULT_VALUES[_name]
    _hint = HINTS.get(_name, "")
    setattr(ScoringForm, _name, StringField(
        _noun, widget=GovTextInput(), filters=[stripped],
        description=f"{_hint}{'. ' if _hint else ''}Default {_default}.",
        validators=[whole_number(_noun, _default, _smallest, _largest, f"Enter the {_noun[0].lower()}{_noun[1:]}")]))
ScoringForm.version = version_field()
ScoringForm.submit = SubmitField("Save the scoring", widget=GovSubmitInput())
