"""The adoption score (Recency, Frequency, Gravity), worked out in one SQL aggregate for every
client and watch-list person with offences: each part to the day, the cap, the threshold, the
manager's settings, and one statement for any number of people."""
from datetime import timedelta

import pytest

from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES, Offence
from iom.offending.score_operations import set_scoring
from iom.offending.scores import (DEFAULT_GRAVITY, DEFAULT_RULES, Scoring, current_scoring, everyone_scored,
                                  score_of)
from tests.builders import TODAY, client, days_ago, scored_offence, watch


def score_now(person_column, person_id, scoring=None):
    return score_of(person_column, person_id, TODAY, scoring or current_scoring())


def test_the_defaults_are_documented_numbers():
    assert DEFAULT_RULES.threshold == 65
    assert set(DEFAULT_GRAVITY) == set(OFFENCE_TYPES) and all(0 <= w <= 10 for w in DEFAULT_GRAVITY.values())
    assert Scoring().highest_possible == 30 + 4 * 10 + 3 * 10 == 100


def test_each_part_of_a_clients_score(app):
    with app.app_context():
        person = client("S-1", [("catch_convict", days_ago(500), None)])
        scored_offence(days_ago(10), "domestic_burglary", person=person)
        scored_offence(days_ago(100), "shoplifting", person=person)
        scored_offence(days_ago(400), "robbery", person=person)  # more than 12 months ago: recency only counts the last
        score = score_now(Offence.client_id, person.id)
    assert (score.last_offence_on, score.days_since_last) == (days_ago(10), 10)
    assert (score.offences_in_year, score.gravity) == (2, 8)
    assert (score.recency_points, score.frequency_points, score.gravity_points) == (30, 8, 24)
    assert score.score == 62 and not score.is_at_threshold and score.client_id == person.id


@pytest.mark.parametrize("days, points", [(0, 30), (90, 30), (91, 20), (180, 20), (181, 10), (365, 10), (366, 0)])
def test_recency_bands_to_the_day(app, days, points):
    with app.app_context():
        entry = watch(days_ago(400))
        scored_offence(days_ago(days), "breach", entry=entry)
        score = score_now(Offence.watch_entry_id, entry.id)
    assert score.recency_points == points
    # the last 12 months are the same days the bands count: 365 days ago or fewer
    assert score.offences_in_year == (1 if days <= 365 else 0)
    assert score.gravity == (1 if days <= 365 else 0)


def test_frequency_is_capped_and_gravity_is_the_highest_weight_of_the_year(app):
    with app.app_context():
        entry = watch(days_ago(400))
        for number in range(12):
            scored_offence(days_ago(5 + number), "shoplifting", entry=entry)
        scored_offence(days_ago(200), "robbery", entry=entry)
        scored_offence(days_ago(370), "robbery", entry=entry)  # outside the year: neither counted nor weighed
        score = score_now(Offence.watch_entry_id, entry.id)
    assert score.offences_in_year == 13
    assert score.frequency_points == 10 * 4
    assert (score.gravity, score.gravity_points) == (10, 30)
    assert score.score == 30 + 40 + 30 and score.is_at_threshold


def test_a_person_whose_offences_are_all_old_scores_nothing_but_is_still_listed(app):
    with app.app_context():
        entry = watch(days_ago(900))
        scored_offence(days_ago(800), "robbery", entry=entry)
        scores = everyone_scored(TODAY)
    assert [(s.watch_entry_id, s.score, s.days_since_last) for s in scores] == [(entry.id, 0, 800)]


def test_the_threshold_is_at_or_above(app):
    """65 exactly is flagged: a watch-list person at the threshold is considered."""
    with app.app_context():
        entry = watch(days_ago(400))
        # 30 recency + 5 offences (20) + gravity 5 (15) = 65
        for number in range(5):
            scored_offence(days_ago(20 + number), "non_domestic_burglary", entry=entry)
        score = score_now(Offence.watch_entry_id, entry.id)
    assert score.score == 65 and score.is_at_threshold


def test_everyone_with_offences_is_scored_in_one_statement_highest_first(app, count_queries):
    with app.app_context():
        people = [client(f"S-{n}", [("catch_convict", days_ago(500), None)]) for n in range(30)]
        entries = [watch(days_ago(400), family=f"Watched{n}") for n in range(30)]
        for n, person in enumerate(people):
            scored_offence(days_ago(n * 13), "theft_from_person", person=person)
        for n, entry in enumerate(entries):
            for k in range(n % 7):
                scored_offence(days_ago(3 + k), "robbery", entry=entry)
        client("S-none", [("catch_convict", days_ago(500), None)])  # no offences: not scored
        db.session.commit()
        scoring = current_scoring()
        with count_queries() as counter:
            scores = everyone_scored(TODAY, scoring)
    assert counter.count == 1, counter.statements
    assert len(scores) == 30 + sum(1 for n in range(30) if n % 7)
    assert [s.score for s in scores] == sorted((s.score for s in scores), reverse=True)
    assert all((s.client_id is None) != (s.watch_entry_id is None) for s in scores)
    top = scores[0]
    assert top.watch_entry_id is not None and top.offences_in_year == 6 and top.score == 30 + 24 + 30


def test_a_managers_settings_change_every_score(app):
    with app.app_context():
        entry = watch(days_ago(400))
        scored_offence(days_ago(100), "shoplifting", entry=entry)
        scored_offence(days_ago(120), "shoplifting", entry=entry)
        before = score_now(Offence.watch_entry_id, entry.id)
        values = current_scoring().values() | {"weight_shoplifting": 9, "middle_points": 25, "threshold": 50}
        set_scoring(values, version="0")
        db.session.commit()
        after = score_now(Offence.watch_entry_id, entry.id)
    assert (before.recency_points, before.gravity, before.score) == (20, 2, 20 + 8 + 6)
    assert (after.recency_points, after.gravity, after.score) == (25, 9, 25 + 8 + 27)
    assert after.is_at_threshold and not before.is_at_threshold


def test_a_client_and_a_watch_entry_with_the_same_id_are_scored_apart(app):
    with app.app_context():
        person = client("S-1", [("catch_convict", days_ago(500), None)])
        entry = watch(days_ago(400))
        scored_offence(days_ago(1), "robbery", person=person)
        scored_offence(days_ago(300), "breach", entry=entry)
        of_client = score_now(Offence.client_id, person.id)
        of_entry = score_now(Offence.watch_entry_id, entry.id)
    assert (of_client.gravity, of_entry.gravity) == (10, 1)


def test_no_offences_no_score(app):
    with app.app_context():
        entry = watch(days_ago(10))
        assert score_now(Offence.watch_entry_id, entry.id) is None


def test_the_window_moves_with_today(app):
    """Scores are for a day: the same offences a year on score nothing for frequency."""
    with app.app_context():
        entry = watch(days_ago(400))
        scored_offence(days_ago(10), "robbery", entry=entry)
        later = score_of(Offence.watch_entry_id, entry.id, TODAY + timedelta(days=400), current_scoring())
    assert (later.days_since_last, later.score) == (410, 0)
