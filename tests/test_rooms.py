"""Rooms through the API, with both stores (memory and a real redis-server): joining,
the teacher's token, activities and locks, the server's goal check, pause, the
dashboard, spotlight, share, the class experiment, ending, and every refusal."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
import segno
from fastapi.testclient import TestClient

from app.classroom import THUMB, leaderboard
from app.main import create_app
from app.rooms import ALPHABET, MemoryRoomStore, Room, RoomNotFound, normalise_code
from app.settings import Settings
from tests.helpers import assert_rejected_changes_nothing, snapshot

CIRCLE = {"dataset": "circle", "hidden_layers": [4], "learning_rate": 0.1}


class Class:
    """A room seen from the test: its code, the teacher's headers, and its students."""

    def __init__(self, client: TestClient, title: str = "Year 10") -> None:
        self.client = client
        answer = client.post("/api/rooms", json={"title": title})
        assert answer.status_code == 201, answer.text
        self.room = answer.json()
        self.code: str = self.room["code"]
        self.auth = {"Authorization": f"Bearer {self.room['teacher_token']}"}

    def join(self, name: str = "Ada") -> dict[str, Any]:
        answer = self.client.post(f"/api/rooms/{self.code}/students", json={"name": name})
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def teacher(self, method: str, path: str = "", **kwargs: Any) -> Any:
        return self.client.request(
            method, f"/api/rooms/{self.code}{path}", headers=self.auth, **kwargs
        )

    def push(self, **activity: Any) -> dict[str, Any]:
        answer = self.teacher("PUT", "/activity", json=activity)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def rows(self) -> dict[str, Any]:
        answer = self.teacher("GET", "/students")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def state(client: TestClient, sid: str) -> dict[str, Any]:
    answer = client.get(f"/api/sessions/{sid}")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def step(client: TestClient, sid: str, epochs: int) -> Any:
    return client.post(f"/api/sessions/{sid}/step", json={"epochs": epochs})


def weights(client: TestClient, sid: str) -> Any:
    return client.get(f"/api/sessions/{sid}/model").json()["weights"]


# -- starting and joining ----------------------------------------------------------------------


def test_a_new_room_has_a_code_without_look_alikes_and_a_long_token(client: TestClient) -> None:
    room = Class(client).room
    assert len(room["code"]) == 6 and set(room["code"]) <= set(ALPHABET)
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)
    assert len(base64.urlsafe_b64decode(room["teacher_token"] + "==")) * 8 >= 128
    assert room["join_url"] == f"/r/{room['code']}"
    public = client.get(f"/api/rooms/{room['code']}").json()
    assert public["teacher_token"] is None and public["title"] == "Year 10"


def test_a_code_is_found_in_any_case_with_or_without_its_dash(client: TestClient) -> None:
    code = Class(client).code
    for written in (code.lower(), f"{code[:3]}-{code[3:]}", f" {code[:3]} {code[3:]} "):
        assert client.get(f"/api/rooms/{written}").json()["code"] == code
    assert normalise_code("K7Q-0MZ") is None  # 0 is not in the alphabet


def test_the_qr_code_is_an_svg_of_the_join_link(client: TestClient) -> None:
    code = Class(client).code
    answer = client.get(f"/api/rooms/{code}/qr.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg") and "viewBox" in answer.text
    assert "<script" not in answer.text and 'width="' not in answer.text  # scales with CSS
    expected = segno.make(f"http://testserver/r/{code}", error="m")
    assert f'viewBox="0 0 {expected.symbol_size(border=2)[0]}' in answer.text


def test_joining_gives_a_session_in_the_room_and_keeps_the_name_as_typed(
    client: TestClient,
) -> None:
    room = Class(client)
    name = '<b>Ada</b><img src=x onerror="alert(1)">'
    joined = room.join(name)
    assert joined["student"]["name"] == name and joined["student"]["number"] == 1
    session = joined["session"]
    assert session["room"]["name"] == name and session["room"]["code"] == room.code
    assert state(client, session["id"])["room"]["student"] == joined["student"]["id"]
    assert room.join("李小龍")["student"]["number"] == 2  # any script
    assert [s["name"] for s in room.rows()["students"]] == [name, "李小龍"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "Ada\nLovelace", "tab\there", 5, None])
def test_a_bad_name_is_refused_and_nobody_joins(client: TestClient, name: Any) -> None:
    room = Class(client)
    answer = client.post(f"/api/rooms/{room.code}/students", json={"name": name})
    assert answer.status_code == 422 and answer.json()["detail"]
    assert room.rows()["students"] == []


def test_forty_characters_in_any_script_are_a_name(client: TestClient) -> None:
    room = Class(client)
    assert room.join("字" * 40)["student"]["name"] == "字" * 40


def test_an_unknown_code_is_a_404_sentence(client: TestClient) -> None:
    for code in ("AAAAAA", "nope", "0OOOOO"):
        answer = client.post(f"/api/rooms/{code}/students", json={"name": "Ada"})
        assert answer.status_code == 404
        assert "no class with the code" in answer.json()["detail"]


def test_a_full_room_answers_409(store: str) -> None:
    with TestClient(create_app(Settings(redis_url=store, max_room_students=2))) as client:
        room = Class(client)
        room.join("a")
        room.join("b")
        answer = client.post(f"/api/rooms/{room.code}/students", json={"name": "c"})
        assert answer.status_code == 409 and "full" in answer.json()["detail"]
        assert len(room.rows()["students"]) == 2


def test_beyond_the_most_rooms_a_new_one_is_refused(store: str) -> None:
    with TestClient(create_app(Settings(redis_url=store, max_rooms=1))) as client:
        Class(client)
        answer = client.post("/api/rooms", json={})
        assert answer.status_code == 503 and "classes" in answer.json()["detail"]


# -- guessing codes ----------------------------------------------------------------------------


def test_guessing_codes_is_stopped_but_a_class_behind_one_address_gets_in(store: str) -> None:
    with TestClient(create_app(Settings(redis_url=store, room_misses=3))) as client:
        room = Class(client)
        for _ in range(40):  # the whole class, from one address
            room.join("s")
        for _ in range(3):
            assert client.get("/api/rooms/AAAAAA").status_code == 404
        answer = client.get("/api/rooms/AAAAAA")
        assert answer.status_code == 429 and answer.headers["retry-after"] == "60"
        # Guessing is over for this address: a right code does not tell either...
        assert client.get(f"/api/rooms/{room.code}").status_code == 429
        # ...but the teacher, with the token, goes on.
        assert room.teacher("GET", "/students").status_code == 200


# -- the teacher's token -----------------------------------------------------------------------

TEACHER_ROUTES = [
    ("PUT", "/activity", {"config": {}}),
    ("POST", "/pause", None),
    ("POST", "/resume", None),
    ("GET", "/students", None),
    ("GET", "/students/{student}", None),
    ("POST", "/students/{student}/share", None),
    ("DELETE", "/students/{student}", None),
    ("PUT", "/experiment", {"field": "learning_rate", "values": [0.1, 1]}),
    ("DELETE", "", None),
]


@pytest.mark.parametrize(("method", "path", "body"), TEACHER_ROUTES)
def test_teacher_routes_need_the_teacher_token(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    room = Class(client)
    student = room.join()["student"]["id"]
    url = f"/api/rooms/{room.code}{path.format(student=student)}"
    before = room.rows()
    none = client.request(method, url, json=body)
    assert none.status_code == 401 and "teacher token" in none.json()["detail"]
    assert none.headers["www-authenticate"] == "Bearer"
    other = Class(client).auth  # the token of another class
    wrong = client.request(method, url, json=body, headers=other)
    assert wrong.status_code == 403 and "not the teacher token" in wrong.json()["detail"]
    after = room.rows()
    for row in before["students"] + after["students"]:
        row.pop("last_seen")
    assert after == before


# -- activities and locks ----------------------------------------------------------------------


def test_an_activity_resets_everyone_to_the_same_start_and_later_students_get_it(
    client: TestClient,
) -> None:
    room = Class(client)
    early = room.join("a")["session"]["id"]
    step(client, early, 5)
    pushed = room.push(config=CIRCLE, locked=["hidden_layers"], message="Go", goal=None)
    assert pushed["activity"]["version"] == 1 and pushed["activity"]["config"]["seed"] >= 0
    late = room.join("b")["session"]["id"]
    for sid in (early, late):
        s = state(client, sid)
        assert s["epoch"] == 0 and s["config"] == pushed["activity"]["config"]
        assert s["room"]["version"] == 1 and s["room"]["message"] == "Go"
        assert s["room"]["locked"] == ["hidden_layers"]
    assert weights(client, early) == weights(client, late)
    assert (
        client.get(f"/api/sessions/{early}/data").json()
        == client.get(f"/api/sessions/{late}/data").json()
    )


def test_a_model_activity_starts_everyone_from_its_weights(client: TestClient) -> None:
    source = client.post("/api/sessions", json={"config": CIRCLE}).json()["id"]
    step(client, source, 20)
    model = client.get(f"/api/sessions/{source}/model").json()
    room = Class(client)
    sid = room.join()["session"]["id"]
    pushed = room.push(model=model)
    assert pushed["activity"]["from_model"] is True
    assert weights(client, sid) == model["weights"] and state(client, sid)["epoch"] == 0


def test_a_locked_field_is_refused_with_403_and_changes_nothing(client: TestClient) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    room.push(config=CIRCLE, locked=["hidden_layers", "learning_rate"])
    answer = assert_rejected_changes_nothing(
        client, sid, "PATCH", "", json={"hidden_layers": [2], "noise": 10}, status=403
    )
    assert answer.json()["detail"] == "Your teacher has locked the hidden layers for this activity."
    # Sending a locked field's own value, or changing an unlocked one, is fine.
    same = client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.1, "noise": 10})
    assert same.status_code == 200 and same.json()["config"]["noise"] == 10


def test_a_locked_seed_keeps_the_data(client: TestClient) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    room.push(config=CIRCLE, locked=["seed"])
    assert client.post(f"/api/sessions/{sid}/regenerate").status_code == 403


@pytest.mark.parametrize(
    ("activity", "words"),
    [
        ({"config": CIRCLE, "model": {}}, "model"),
        ({"locked": ["colour"]}, "unknown field"),
        ({"message": "x" * 281}, "message"),
        ({"goal": {"metric": "test_loss"}}, "below"),
        ({"goal": {"metric": "test_loss", "at_least": 0.9}}, "below"),
        ({"goal": {"metric": "speed", "below": 1}}, "metric"),
        ({"goal": {"metric": "test_accuracy", "at_least": 2}}, "at_least"),
        (
            {
                "config": {"problem": "regression", "dataset": "plane"},
                "goal": {"metric": "test_accuracy", "at_least": 0.9},
            },
            "classification",
        ),
        ({"config": {"hidden_layers": [9]}}, "hidden_layers"),
    ],
)
def test_a_bad_activity_is_refused_and_changes_nothing(
    client: TestClient, activity: dict[str, Any], words: str
) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    before = snapshot(client, sid)
    answer = room.teacher("PUT", "/activity", json=activity)
    assert answer.status_code == 422 and words in answer.json()["detail"]
    assert snapshot(client, sid) == before
    assert client.get(f"/api/rooms/{room.code}").json()["activity"] is None


# -- the goal, checked by the server ------------------------------------------------------------


def test_the_server_records_when_a_student_reaches_the_goal(client: TestClient) -> None:
    room = Class(client)
    fast, slow = room.join("fast")["session"]["id"], room.join("slow")["session"]["id"]
    room.push(config=CIRCLE, goal={"metric": "test_accuracy", "at_least": 0.9})
    assert state(client, fast)["room"]["goal_reached"] is None
    reached = None
    for _ in range(40):
        answer = step(client, fast, 25).json()
        if answer["test_accuracy"] >= 0.9:
            reached = answer["room"]["goal_reached"]
            break
        assert answer["room"]["goal_reached"] is None  # not before it holds
    assert reached is not None and reached["epoch"] == answer["epoch"]
    step(client, slow, 1)
    rows = {r["name"]: r for r in room.rows()["students"]}
    assert rows["fast"]["goal_reached_at"] == reached
    assert rows["slow"]["goal_reached_at"] is None
    assert room.rows()["leaderboard"] == [rows["fast"]["id"]]
    # A new activity starts the race again.
    room.push(config=CIRCLE, goal={"metric": "test_loss", "below": 0.01})
    assert room.rows()["leaderboard"] == []


def test_the_leaderboard_ranks_by_neurons_then_epochs_when_asked() -> None:
    room = Room("AAAAAA", "", "", 0.0, activity={"goal": {"rank": "neurons"}})

    def row(sid: str, neurons: int, epoch: int, seconds: float) -> dict[str, Any]:
        return {"id": sid, "reached": {"neurons": neurons, "epoch": epoch, "seconds": seconds}}

    rows = [
        row("a", 8, 100, 5),
        row("b", 3, 400, 50),
        row("c", 3, 200, 90),
        {"id": "d", "reached": None},
    ]
    assert leaderboard(room, rows) == ["c", "b", "a"]
    room.activity = {"goal": {"rank": "time"}}
    assert leaderboard(room, rows) == ["a", "b", "c"]


# -- pause, dashboard, spotlight, share ----------------------------------------------------------


def test_a_paused_class_cannot_train_until_resumed(client: TestClient) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    assert room.teacher("POST", "/pause").json()["paused"] is True
    answer = assert_rejected_changes_nothing(
        client, sid, "POST", "/step", json={"epochs": 5}, status=409
    )
    assert (
        answer.json()["detail"] == "Your teacher has paused the class. Wait until they resume it."
    )
    assert state(client, sid)["room"]["paused"] is True
    assert room.teacher("POST", "/resume").json()["paused"] is False
    assert step(client, sid, 5).json()["epoch"] == 5


def test_the_dashboard_shows_each_students_latest_figures(client: TestClient) -> None:
    room = Class(client)
    sid = room.join("Ada")["session"]["id"]
    room.push(config=CIRCLE)
    trained = step(client, sid, 30).json()
    row = room.rows()["students"][0]
    assert row["epoch"] == 30 and row["test_loss"] == trained["test_loss"]
    assert row["layer_sizes"] == [2, 4, 1] and row["neurons"] == 4 and row["status"] == "ready"
    assert row["last_seen"] < 5 and row["value"] is None
    assert len(base64.b64decode(row["thumbnail"])) == THUMB * THUMB == row["thumb"] ** 2
    # The map is redrawn at most twice a second; the figures follow every request.
    step(client, sid, 30)  # well within the half second, even on a slow machine
    again = room.rows()["students"][0]
    assert again["epoch"] == 60 and again["thumbnail"] == row["thumbnail"]
    time.sleep(0.55)
    step(client, sid, 1)
    assert room.rows()["students"][0]["thumbnail"] != row["thumbnail"]


def test_a_student_who_leaves_shows_as_gone(client: TestClient) -> None:
    room = Class(client)
    sid = room.join("Ada")["session"]["id"]
    assert client.delete(f"/api/sessions/{sid}").status_code == 204
    assert room.rows()["students"][0]["status"] == "gone"


def test_spotlight_is_the_students_state_and_whole_frame(client: TestClient) -> None:
    room = Class(client)
    joined = room.join()
    sid, student = joined["session"]["id"], joined["student"]["id"]
    step(client, sid, 12)
    answer = room.teacher("GET", f"/students/{student}").json()
    assert answer["student"]["id"] == student and answer["state"]["epoch"] == 12
    assert (
        answer["frame"]["history"]["start"] == 0 and len(answer["frame"]["history"]["train"]) == 13
    )
    assert room.teacher("GET", "/students/nobody").status_code == 404


def test_share_starts_everyone_from_that_students_network(client: TestClient) -> None:
    room = Class(client)
    room.push(config=CIRCLE, locked=["features"], message="m")
    a, b = room.join("a"), room.join("b")
    step(client, a["session"]["id"], 50)
    shared = weights(client, a["session"]["id"])
    out = room.teacher("POST", f"/students/{a['student']['id']}/share").json()
    assert out["activity"]["from_model"] and out["activity"]["locked"] == ["features"]
    for sid in (a["session"]["id"], b["session"]["id"]):
        assert weights(client, sid) == shared and state(client, sid)["epoch"] == 0


def test_a_removed_student_loses_the_session(client: TestClient) -> None:
    room = Class(client)
    joined = room.join()
    assert room.teacher("DELETE", f"/students/{joined['student']['id']}").status_code == 204
    assert client.get(f"/api/sessions/{joined['session']['id']}").status_code == 404
    assert room.rows()["students"] == []


# -- the class experiment ----------------------------------------------------------------------


def test_an_experiment_gives_values_round_robin_and_locks_the_field(client: TestClient) -> None:
    room = Class(client)
    room.push(config=CIRCLE)
    sids = [room.join(str(i))["session"]["id"] for i in range(3)]
    out = room.teacher("PUT", "/experiment", json={"field": "learning_rate", "values": [0.01, 1]})
    assert out.status_code == 200 and out.json()["experiment"]["values"] == [0.01, 1]
    late = room.join("late")["session"]["id"]
    got = [state(client, sid)["config"]["learning_rate"] for sid in [*sids, late]]
    assert got == [0.01, 1, 0.01, 1]
    s = state(client, sids[1])
    assert s["room"]["experiment"] == {"field": "learning_rate", "value": 1}
    assert "learning_rate" in s["room"]["locked"]
    assert client.patch(f"/api/sessions/{sids[1]}", json={"learning_rate": 3}).status_code == 403
    assert [r["value"] for r in room.rows()["students"]] == [0.01, 1, 0.01, 1]
    room.push(config=CIRCLE)  # a new activity ends the experiment
    assert state(client, sids[1])["config"]["learning_rate"] == 0.1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"field": "learning_rate", "values": [0.1, 0]}, "values[1]"),
        ({"field": "learning_rate", "values": [0.1]}, "values"),
        ({"field": "problem", "values": ["regression", "classification"]}, "field"),
        ({"field": "hidden_layers", "values": [[2], [9]]}, "values[1]"),
    ],
)
def test_a_bad_experiment_is_refused(client: TestClient, body: Any, words: str) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    before = snapshot(client, sid)
    answer = room.teacher("PUT", "/experiment", json=body)
    assert answer.status_code == 422 and words in answer.json()["detail"]
    assert snapshot(client, sid) == before


# -- the end -----------------------------------------------------------------------------------


def test_ending_the_class_releases_sessions_and_the_code(client: TestClient) -> None:
    room = Class(client)
    sids = [room.join(n)["session"]["id"] for n in "ab"]
    assert room.teacher("DELETE").status_code == 204
    for sid in sids:
        assert client.get(f"/api/sessions/{sid}").status_code == 404
    assert client.get(f"/api/rooms/{room.code}").status_code == 404
    assert room.teacher("GET", "/students").status_code == 404


def test_a_session_whose_class_is_gone_says_the_class_ended(client: TestClient) -> None:
    room = Class(client)
    sid = room.join()["session"]["id"]
    client.app.state.rooms.delete(room.code)  # type: ignore[attr-defined]  # e.g. expired
    answer = step(client, sid, 1)
    assert answer.status_code == 404 and "class has ended" in answer.json()["detail"]


def test_a_room_nobody_uses_expires() -> None:
    now = [0.0]
    rooms = MemoryRoomStore(max_rooms=2, idle_timeout=100, max_misses=5, clock=lambda: now[0])
    rooms.create(Room("AAAAAA", "", "", 0.0))
    now[0] = 99
    assert rooms.get("AAAAAA").code == "AAAAAA"  # used: the clock restarts
    now[0] = 198
    rooms.get("AAAAAA")
    now[0] = 299
    with pytest.raises(RoomNotFound):
        rooms.get("AAAAAA")


# -- two processes -----------------------------------------------------------------------------


@pytest.fixture
def two_apps(redis_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    import redis

    redis.Redis.from_url(redis_url).flushall()
    with (
        TestClient(create_app(Settings(redis_url=redis_url))) as one,
        TestClient(create_app(Settings(redis_url=redis_url))) as two,
    ):
        yield one, two


def test_a_room_in_redis_is_served_by_every_process(
    two_apps: tuple[TestClient, TestClient],
) -> None:
    one, two = two_apps
    room = Class(one)
    sid = room.join("Ada")["session"]["id"]
    other = Class.__new__(Class)
    other.client, other.code, other.auth = two, room.code, room.auth
    other.push(config=CIRCLE, locked=["learning_rate"])
    assert two.patch(f"/api/sessions/{sid}", json={"learning_rate": 1}).status_code == 403
    assert one.patch(f"/api/sessions/{sid}", json={"learning_rate": 1}).status_code == 403
    other.teacher("POST", "/pause")
    assert step(one, sid, 1).status_code == 409
    assert [r["name"] for r in other.rows()["students"]] == ["Ada"]


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_changes_to_a_room_from_many_threads_are_all_kept(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """``update`` is atomic: 4 threads × 25 increments end at exactly 100 (in Redis, a
    transaction that lost the race is retried, never overwritten)."""
    import threading

    from app.redis_rooms import RedisRoomStore

    if kind == "redis":
        url = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(url).flushall()
        rooms: Any = RedisRoomStore(url, 5, 100, 5)
    else:
        rooms = MemoryRoomStore(5, 100, 5)
    rooms.create(Room("AAAAAA", "", "", 0.0))

    def bump(room: Room) -> None:
        time.sleep(0.001)  # widen the window between reading and writing
        room.next_number += 1

    def work() -> None:
        for _ in range(25):
            rooms.update("AAAAAA", bump)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rooms.get("AAAAAA").next_number == 101
    rooms.close()
