"""Changing how the adoption score is worked out: the rules (recency bands, points per offence,
points per gravity, the "consider for adoption" threshold) and the gravity weight of each offence
type, saved together. Checks the rules, writes the rows and one audit entry, flushes; the caller
commits once. (Kept beside, not in, the offences' operations.py while both were being written.)"""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from iom import audit
from iom.clock import utcnow
from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES, GravityWeight, ScoreSettings
from iom.offending.scores import (DEFAULT_GRAVITY, DEFAULT_RULES, RULE_FIELDS, WEIGHT_LIMIT, ScoreRules, Scoring,
                                  current_scoring)
from iom.rules import Conflict, RuleBroken, StaleEdit, check_whole_number, flush_or_stale

DAYS_LIMIT = 3650
POINTS_LIMIT = 100

# field -> (its name in a sentence, smallest, largest): the form's boxes are labelled the same
RULE_LIMITS: dict[str, tuple[str, int, int]] = {
    "recent_days": ("Days in the first band", 1, DAYS_LIMIT),
    "recent_points": ("Points in the first band", 0, POINTS_LIMIT),
    "middle_days": ("Days in the second band", 1, DAYS_LIMIT),
    "middle_points": ("Points in the second band", 0, POINTS_LIMIT),
    "older_days": ("Days in the third band", 1, DAYS_LIMIT),
    "older_points": ("Points in the third band", 0, POINTS_LIMIT),
    "points_per_offence": ("Points for each offence", 0, POINTS_LIMIT),
    "offence_cap": ("Most offences counted", 1, 1000),
    "points_per_gravity": ("Points for each point of gravity", 0, POINTS_LIMIT),
    "threshold": ("Score to consider for adoption", 1, 10_000),
}
WEIGHT_LIMITS: dict[str, tuple[str, int, int]] = {
    f"weight_{code}": (f"Gravity of {label[0].lower()}{label[1:]}", 0, WEIGHT_LIMIT)
    for code, label in OFFENCE_TYPES.items()}
SETTING_LIMITS = {**RULE_LIMITS, **WEIGHT_LIMITS}
DEFAULT_VALUES = Scoring(DEFAULT_RULES, dict(DEFAULT_GRAVITY)).values()


def _whole_number(values: dict, name: str) -> int:
    noun, smallest, largest = SETTING_LIMITS[name]
    value = values.get(name)
    if value is None:
        raise RuleBroken(f"Enter the {noun[0].lower()}{noun[1:]}", name)
    return check_whole_number(value, noun, smallest, largest, DEFAULT_VALUES[name], name)


def check_scoring(values: dict) -> Scoring:
    """The scoring these values describe, or the first rule they break (RuleBroken on its field)."""
    numbers = {name: _whole_number(values, name) for name in SETTING_LIMITS}
    rules = ScoreRules(**{name: numbers[name] for name in RULE_FIELDS})
    for shorter, longer in (("recent_days", "middle_days"), ("middle_days", "older_days")):
        if numbers[longer] <= numbers[shorter]:
            raise RuleBroken(f"{SETTING_LIMITS[longer][0]} must be more than the "
                             f"{SETTING_LIMITS[shorter][0].lower()} ({numbers[shorter]:,})", longer)
    for newer, older in (("recent_points", "middle_points"), ("middle_points", "older_points")):
        if numbers[older] > numbers[newer]:
            raise RuleBroken(f"{SETTING_LIMITS[older][0]} must be {numbers[newer]} or fewer (the "
                             f"{SETTING_LIMITS[newer][0].lower()}): an older offence never scores more than "
                             "a more recent one", older)
    scoring = Scoring(rules, {code: numbers[f"weight_{code}"] for code in OFFENCE_TYPES})
    if rules.threshold > scoring.highest_possible:
        raise RuleBroken(f"Score to consider for adoption must be {scoring.highest_possible:,} or fewer: the "
                         "highest score these settings can give anyone", "threshold")
    return scoring


def set_scoring(values: dict, *, version, actor=None) -> dict:
    """Save the rules and weights (every field of Scoring.values()); returns what changed, {} for
    nothing. `version` is the settings' version when the form was opened ("0" for the defaults),
    so a change never silently overwrites someone else's."""
    current = current_scoring()
    saved = current.values()
    if str(version) != str(current.version):
        raise StaleEdit("Someone else changed the adoption scoring after you opened this page. Your changes have "
                        "not been saved. Check what is saved now, then save again if your changes are still right.",
                        [Conflict(name, values.get(name), saved[name]) for name in SETTING_LIMITS
                         if values.get(name) != saved[name]])
    scoring = check_scoring(values)
    changed = [name for name, value in scoring.values().items() if value != saved[name]]
    if not changed:
        return {}
    # the rules field by field; the weights that changed by offence type, under one field
    changes = audit.field_changes({name: getattr(current.rules, name) for name in RULE_FIELDS},
                                  {name: getattr(scoring.rules, name) for name in RULE_FIELDS})
    moved = [code for code in OFFENCE_TYPES if scoring.weights[code] != current.weights[code]]
    if moved:
        changes["gravity_weights"] = [{code: current.weights[code] for code in moved},
                                      {code: scoring.weights[code] for code in moved}]
    row = db.session.get(ScoreSettings, 1)
    if row is None:
        row = ScoreSettings(id=1)
        db.session.add(row)
    for name in RULE_FIELDS:
        setattr(row, name, getattr(scoring.rules, name))
    # a change of weights alone still writes the row, so its version moves on
    row.set_at = utcnow()
    row.set_by_id = actor.id if actor is not None else None
    stored = {weight.offence_type: weight for weight in db.session.scalars(select(GravityWeight))}
    for code, weight in scoring.weights.items():
        if code in stored:
            stored[code].weight = weight
        else:
            db.session.add(GravityWeight(offence_type=code, weight=weight))
    flush_or_stale("Someone else changed the adoption scoring at the same moment. Your changes have not been "
                   "saved. Reload the page to see theirs.", (StaleDataError, IntegrityError))
    audit.record("score_settings.changed", "Adoption scoring changed: " + ", ".join(
        SETTING_LIMITS[name][0].lower() for name in changed), subject=("score_settings", 1), changes=changes)
    return changes
