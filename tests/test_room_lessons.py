"""A room's activity as a lesson step, with both stores (memory and a real redis-server):
the step's setup and locks reach every student, its check is the goal the server holds
each student to (lessons.evaluate), the teacher paces the steps, and the refusals."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.test_rooms import Class, state, step

LESSON = "features-vs-neurons"  # step 1: XOR with x1·x2 and no hidden layer, solved at once


def lesson_step(client: TestClient, number: int) -> dict[str, object]:
    steps = client.get(f"/api/lessons/{LESSON}").json()["steps"]
    return steps[number - 1]  # type: ignore[no-any-return]


def test_a_lesson_step_sets_every_student_to_its_setup_and_locks(client: TestClient) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    out = room.push(lesson=LESSON, step=1)
    setup = lesson_step(client, 1)["config"]
    activity = out["activity"]
    assert activity["lesson"] == {"id": LESSON, "step": 1, "steps": 4}
    assert activity["goal"] is None and activity["from_model"] is False
    seen = state(client, sid)
    for name, value in setup.items():  # type: ignore[attr-defined]
        assert seen["config"][name] == value, name
    assert seen["room"]["lesson"] == {"id": LESSON, "step": 1, "steps": 4}
    assert set(seen["room"]["locked"]) == {"dataset", "features", "hidden_layers"}
    refused = client.patch(f"/api/sessions/{sid}", json={"hidden_layers": [4]})
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "Your teacher has locked the hidden layers for this activity."
    )
    # A student who joins later gets the step too.
    late = room.join("Grace")["session"]
    assert late["config"]["features"] == ["x1_x2"] and late["room"]["lesson"]["step"] == 1


def test_the_steps_check_is_the_goal_on_the_leaderboard(client: TestClient) -> None:
    room = Class(client)
    fast = room.join("fast")["session"]["id"]
    room.join("slow")
    room.push(lesson=LESSON, step=1, locked=["learning_rate"])
    answer = step(client, fast, 5).json()
    assert answer["room"]["goal_reached"] is None  # at_least_epochs = 10 does not hold yet
    for _ in range(20):
        answer = step(client, fast, 10).json()
        if answer["room"]["goal_reached"]:
            break
    check = client.get(f"/api/sessions/{fast}/lessons/{LESSON}/steps/1/check").json()
    assert check["met"] and answer["room"]["goal_reached"] is not None
    rows = {r["name"]: r for r in room.rows()["students"]}
    assert rows["fast"]["goal_reached_at"] is not None and rows["slow"]["goal_reached_at"] is None
    assert room.rows()["leaderboard"] == [rows["fast"]["id"]]
    assert "learning_rate" in state(client, fast)["room"]["locked"]


def test_the_next_step_moves_everyone_and_starts_a_new_race(client: TestClient) -> None:
    room = Class(client)
    sids = [room.join(name)["session"]["id"] for name in ("Ada", "Grace")]
    room.push(lesson=LESSON, step=1)
    step(client, sids[0], 200)
    out = room.push(lesson=LESSON, step=2)
    assert out["activity"]["lesson"]["step"] == 2
    for sid in sids:
        seen = state(client, sid)
        assert seen["epoch"] == 0 and seen["config"]["features"] == ["x1", "x2"]
        assert seen["room"]["lesson"]["step"] == 2 and seen["room"]["goal_reached"] is None
    assert room.rows()["leaderboard"] == []
    # A plain activity afterwards is no lesson any more.
    assert room.push(config={"dataset": "circle"})["activity"]["lesson"] is None
    assert state(client, sids[0])["room"]["lesson"] is None


@pytest.mark.parametrize(
    ("activity", "status", "en", "zh"),
    [
        ({"lesson": "no-such"}, 404, "There is no lesson 'no-such'", "没有"),
        ({"lesson": LESSON, "step": 9}, 404, "has steps 1 to 4, not 9", "9"),
        ({"lesson": LESSON, "step": 0}, 422, "step", "step"),
        ({"step": 2}, 422, "A step needs the lesson", "课程"),
        ({"lesson": LESSON, "config": {"noise": 5}}, 422, "without a config", "课程"),
        ({"lesson": LESSON, "goal": {"metric": "test_loss", "below": 0.1}}, 422, "goal", "课程"),
    ],
)
def test_a_bad_lesson_activity_is_refused_in_english_and_chinese(
    client: TestClient, activity: dict[str, object], status: int, en: str, zh: str
) -> None:
    room = Class(client)
    before = room.push(config={"dataset": "circle"})["activity"]
    answer = room.teacher("PUT", "/activity", json=activity)
    assert answer.status_code == status and en in answer.text, answer.text
    zh_auth = {**room.auth, "Accept-Language": "zh-CN"}
    chinese = client.put(f"/api/rooms/{room.code}/activity", json=activity, headers=zh_auth)
    assert chinese.status_code == status and zh in chinese.text, chinese.text
    assert room.teacher("GET").json()["activity"] == before


def test_only_the_teacher_can_start_a_lesson(client: TestClient) -> None:
    room = Class(client)
    path = f"/api/rooms/{room.code}/activity"
    body = {"lesson": LESSON, "step": 1}
    assert client.put(path, json=body).status_code == 401
    wrong = client.put(path, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert client.get(f"/api/rooms/{room.code}").json()["activity"] is None
