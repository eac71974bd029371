"""Development actions and the figures of every answer: what is kept of an import (numbers,
no text), small cells, permissions, status rules, the public summary's approval, and the
effect of a completed action."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from palauteluokitin.errors import ActionError, CaseChangedError
from palauteluokitin.review import actions, figures
from palauteluokitin.review.db import Action, Answer, AuditEntry, User
from palauteluokitin.review.importer import import_classified
from test_review_helpers import ROWS, add_users, classified_frame, database, session_on

UNIT, OTHER, SMALL = "Osasto 5", "Päivystys", "Neuvola"


def answers(
    unit: str, month: str, count: int, *, negative: int = 0, category: str = "kohtelu", start: int = 0
):
    """`count` answers of `unit` in `month` (YYYY-MM) about `category`, `negative` of them negative."""
    rows = []
    for number in range(count):
        sentiment = "negatiivinen" if number < negative else "positiivinen"
        rows.append(
            (
                f"{unit[:3]}-{month}-{start + number}",
                f"Palaute {number}",
                unit,
                0,
                0.1,
                "",
                (category,),
                sentiment,
                "",
            )
        )
    frame = classified_frame(rows, unit_column="yksikkö")
    frame["pvm"] = f"15.{int(month[5:])}.{month[:4]}"
    frame["nps"] = ["3" if number < negative else "10" for number in range(count)]
    return frame


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    with database(request.param, tmp_path, request) as url:
        add_users(
            url,
            {
                "admin": ("admin", []),
                "maija": ("manager", [UNIT]),
                "pekka": ("manager", [OTHER]),
                "anna": ("reviewer", [UNIT]),
            },
        )
        yield url


def import_frames(url: str, tmp_path, *frames) -> None:
    import pandas as pd

    path = tmp_path / "vienti.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False, encoding="utf-8")
    import_classified(url, path)


def user(session, name: str) -> User:
    return session.scalar(sa.select(User).where(User.username == name))


def test_an_import_keeps_every_answer_as_numbers_once(site, tmp_path):
    frame = answers(UNIT, "2026-03", 6, negative=2)
    import_frames(site, tmp_path, frame)
    import_frames(site, tmp_path, frame)  # again: nothing counted twice
    with session_on(site) as session:
        stored = list(session.scalars(sa.select(Answer)))
        result = figures.figures(session, unit=UNIT)
    assert len(stored) == 6
    assert {answer.month for answer in stored} == {"2026-03"}
    kept = " ".join(str(value) for answer in stored for value in vars(answer).values())
    for comment_id in frame["id"]:
        assert comment_id not in kept  # only a keyed hash of the id
    assert "Palaute" not in kept
    assert (result.answers, result.comments, result.categories["kohtelu"]) == (6, 6, 6)
    assert result.sentiments == {"negatiivinen": 2, "positiivinen": 4}
    assert result.share(2) == pytest.approx(2 / 6)
    assert result.nps == pytest.approx(100 * (4 - 2) / 6)


@pytest.mark.parametrize(("count", "shown"), [(1, False), (4, False), (5, True), (12, True)])
def test_figures_from_fewer_than_five_answers_are_not_shown(site, tmp_path, count, shown):
    import_frames(site, tmp_path, answers(SMALL, "2026-03", count, negative=1))
    with session_on(site) as session:
        result = figures.figures(session, unit=SMALL)
        share = figures.negative_share(session, SMALL, ["kohtelu"], "2026-01", "2026-12")
    assert (result.share(1) is not None, result.nps is not None) == (shown, shown)
    assert (share.value is not None, share.interval is not None) == (shown, shown)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [(5, 10, 0.2366, 0.7634), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (30, 100, 0.2189, 0.3958)],
)
def test_wilson_interval(successes, total, low, high):
    assert figures.wilson_interval(successes, total) == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize(
    ("month", "months", "expected"),
    [("2026-03", -3, "2025-12"), ("2026-12", 1, "2027-01"), ("2026-01", 0, "2026-01")],
)
def test_shift_month(month, months, expected):
    assert figures.shift_month(month, months) == expected


def test_an_action_from_evidence_to_its_effect(site, tmp_path):
    before = [answers(UNIT, f"2026-0{month}", 10, negative=6, start=month * 100) for month in (1, 2, 3)]
    after = [answers(UNIT, f"2026-0{month}", 10, negative=2, start=month * 100) for month in (5, 6, 7)]
    import_frames(site, tmp_path, *before, *after, answers(OTHER, "2026-03", 5))
    with session_on(site) as session:
        maija = user(session, "maija")
        action = actions.add_action(
            session, maija, unit=UNIT, title="Potilaan kohtaaminen -koulutus", categories=["kohtelu"],
            public_summary="Henkilökunta koulutettiin kohtaamaan potilas kiireettä.", today=date(2026, 4, 1),
        )  # fmt: skip
        assert action.evidence["negative_in_categories"] == [18, 30]
        assert action.evidence["period"] == ["2025-05", "2026-04"]
        assert action.owner.username == "maija" and action.status == actions.PLANNED
        actions.update_action(session, maija, action, status=actions.ONGOING)
        actions.update_action(session, maija, action, status=actions.DONE, completed_on=date(2026, 4, 20))
        actions.update_action(session, maija, action, public_ready=True)
        effect = figures.effect(session, UNIT, ["kohtelu"], action.completed_on, months=3)
        shown = actions.public_actions(session)
        history = session.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.action.in_(["action_create", "action_update"]))
        ).all()
    assert (effect.before.negative, effect.before.total) == (18, 30)
    assert (effect.after.negative, effect.after.total) == (6, 30)
    assert effect.before_period == ("2026-01", "2026-03") and effect.after_period == ("2026-05", "2026-07")
    assert effect.after.interval[1] < effect.before.interval[0]  # the intervals do not overlap
    assert [action.id for action in shown] == [action.id]
    assert len(history) == 4 and all("koulutus" not in detail for detail in history)


@pytest.mark.parametrize(
    ("who", "unit", "categories", "message"),
    [
        ("pekka", UNIT, ["kohtelu"], "does not manage"),  # a manager of another unit
        ("anna", UNIT, ["kohtelu"], "does not manage"),  # a reviewer reads only
        ("admin", "Osasto 55", ["kohtelu"], "no imported answer or case has the unit"),
        ("admin", UNIT, [], "choose from"),
        ("admin", UNIT, ["kohtelu", "ystävällisyys"], "ystävällisyys"),
    ],
)
def test_adding_an_action_is_refused(site, tmp_path, who, unit, categories, message):
    import_frames(site, tmp_path, answers(UNIT, "2026-03", 5), answers(OTHER, "2026-03", 5))
    with session_on(site) as session, pytest.raises(ActionError, match=message):
        actions.add_action(session, user(session, who), unit=unit, title="Toimi", categories=categories)


def test_status_moves_forward_only_and_the_summary_needs_its_owner(site, tmp_path):
    import_frames(site, tmp_path, answers(UNIT, "2026-03", 5))
    with session_on(site) as session:
        admin, maija = user(session, "admin"), user(session, "maija")
        action = actions.add_action(session, admin, unit=UNIT, title="Toimi", categories=["tiedonsaanti"])
        with pytest.raises(ActionError, match="public summary"):
            actions.update_action(session, admin, action, public_ready=True)  # nothing to show yet
        actions.update_action(session, admin, action, status=actions.DONE, public_summary="Uusi esite.")
        with pytest.raises(ActionError, match="cannot become"):
            actions.update_action(session, admin, action, status=actions.ONGOING)
        with pytest.raises(ActionError, match="owner"):
            actions.update_action(session, maija, action, public_ready=True)  # maija manages, admin owns
        actions.update_action(session, admin, action, public_ready=True)
        assert action.public_ready
        actions.update_action(session, admin, action, public_summary="Uusi esite ja verkkosivu.")
        assert not action.public_ready  # a changed text is approved again
        session.flush()  # each change is saved: the version moved on
        with pytest.raises(CaseChangedError):
            actions.update_action(session, admin, action, public_ready=True, seen_version=1)


def test_texts_are_stored_redacted(site, tmp_path):
    import_frames(site, tmp_path, answers(UNIT, "2026-03", 5))
    with session_on(site) as session:
        action = actions.add_action(
            session, None, unit=UNIT, title="Soitto 040 123 4567", categories=["kohtelu"],
            public_summary="Kysy hoitaja Virtaselta, puh. 040 123 4567.",
        )  # fmt: skip
        stored = session.get(Action, action.id)
    assert "040" not in stored.title and "040" not in stored.public_summary
    assert "Virtaselta" not in stored.public_summary


def test_actions_of_a_year_for_the_target(site, tmp_path):
    import_frames(site, tmp_path, answers(UNIT, "2026-03", 5))
    with session_on(site) as session:
        made = [
            actions.add_action(session, None, unit=UNIT, title=f"Toimi {n}", categories=["kohtelu"])
            for n in range(3)
        ]
        actions.update_action(session, None, made[0], status=actions.DROPPED)
        assert len(actions.actions_in_year(actions.actions_of(session, unit=UNIT), date.today())) == 2
        assert actions.actions_of(session, user(session, "pekka")) == []
        assert len(actions.actions_of(session, user(session, "anna"))) == 3


def test_the_example_rows_of_the_helpers_are_not_figures_of_problems(site, tmp_path):
    """Rows with a problem other than a missing comment carry no labels: left out."""
    import_frames(site, tmp_path, classified_frame(ROWS))
    with session_on(site) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Answer)) == len(ROWS) - 1
