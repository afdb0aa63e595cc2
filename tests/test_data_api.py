"""Own data and multi-class through the HTTP API, on both stores: every bound and bad
input leaves the session as it was; custom data survive the changes that keep data."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import serialize
from app.main import create_app
from app.settings import Settings
from tests.helpers import BIG, assert_rejected_changes_nothing, new_session, strict_json

MC = {"problem": "multiclass", "dataset": "blobs", "classes": 3, "seed": 5}
CSV = {"Content-Type": "text/csv"}


def put_data(client: TestClient, sid: str, points: Any, labels: Any) -> dict[str, Any]:
    r = client.put(f"/api/sessions/{sid}/data", json={"points": points, "labels": labels})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def data(client: TestClient, sid: str) -> dict[str, Any]:
    return client.get(f"/api/sessions/{sid}/data").json()  # type: ignore[no-any-return]


def three_classes(n: int = 30, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-5, 5, (n, 2)).round(3)
    return points.tolist(), [float(i % 3) for i in range(n)]


# -- multi-class ---------------------------------------------------------------------------


def test_multiclass_state_frame_and_predict_have_every_class(client: TestClient) -> None:
    s = new_session(client, **MC, hidden_layers=[8, 8], optimizer="adam", learning_rate=0.03)
    sid = s["id"]
    assert s["layer_sizes"] == [2, 8, 8, 3] and s["data_size"] == 498
    r = client.post(f"/api/sessions/{sid}/step", json={"epochs": 30, "frame": True}).json()
    assert r["test_accuracy"] > 0.9
    confusion = r["confusion"]
    train, test = np.array(confusion["train"]), np.array(confusion["test"])
    assert train.sum() + test.sum() == 498
    assert np.trace(test) / test.sum() == pytest.approx(r["test_accuracy"])
    # The frame's class maps are probabilities: at every pixel they sum to 1 (± bytes).
    frame = r["frame"]
    grids = np.array([np.frombuffer(base64.b64decode(g), np.uint8) for g in frame["classes"]])
    assert grids.shape == (3, 100 * 100)
    assert np.abs(grids.astype(int).sum(axis=0) - 255).max() <= 2
    assert frame["output"] == ""  # the class maps say it all (and the frame stays small)
    # /predict: the probabilities of the three classes, and the most probable one.
    points = [[0.0, 3.5], [-3.0, -1.75], [3.0, -1.75]]  # the three blob centres
    p = client.post(f"/api/sessions/{sid}/predict", json={"points": points}).json()
    assert p["outputs"] == [0.0, 1.0, 2.0]
    assert np.allclose(np.sum(p["probabilities"], axis=1), 1.0)
    # The class maps at those points agree with /predict.
    for (x, y), k in zip(points, p["outputs"], strict=True):
        col, row = round((x + 6) / 12 * 99), round((6 - y) / 12 * 99)
        assert grids[:, row * 100 + col].argmax() == k


def test_binary_and_regression_have_no_class_maps(client: TestClient) -> None:
    for config in ({"seed": 1}, {"problem": "regression", "seed": 1}):
        s = new_session(client, **config)
        assert s["confusion"] is None and s["layer_sizes"][-1] == 1
        assert client.get(f"/api/sessions/{s['id']}/frame").json()["classes"] is None
        p = client.post(f"/api/sessions/{s['id']}/predict", json={"points": [[1, 1]]}).json()
        assert p["probabilities"] is None and isinstance(p["outputs"][0], float)


def test_classes_and_multiclass_datasets_are_bounded(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    for bad in ({"classes": 2}, {"classes": 6}, {"classes": 3.5}, {"dataset": "circle"}):
        assert_rejected_changes_nothing(client, sid, "PATCH", json=bad, what=bad)
    r = client.patch(f"/api/sessions/{sid}", json={"classes": 5, "dataset": "spirals"})
    assert r.json()["layer_sizes"][-1] == 5 and r.json()["data_size"] == 500


# -- custom data -------------------------------------------------------------------------------


def test_put_data_makes_a_custom_split_by_the_seed(client: TestClient) -> None:
    points, labels = three_classes(40)
    a = new_session(client, **MC)
    b = new_session(client, **MC)
    sa = put_data(client, a["id"], points, labels)
    put_data(client, b["id"], points, labels)
    assert sa["config"]["dataset"] == "custom" and sa["epoch"] == 0 and sa["data_size"] == 40
    da, db = data(client, a["id"]), data(client, b["id"])
    assert da == db  # the same points and seed: the same split
    assert da["custom"] == {"points": points, "labels": labels}
    assert len(da["train"]["labels"]) == 20  # floor(40 · 50 %)
    together = sorted(map(tuple, da["train"]["points"] + da["test"]["points"]))
    assert together == sorted(map(tuple, points))
    # Weights are the seed's initial weights (as for any reset), not the ones before.
    fresh = client.post(
        "/api/sessions", json={"model": client.get(f"/api/sessions/{a['id']}/model").json()}
    )
    assert fresh.status_code == 201
    c = new_session(client, **MC)
    assert (
        client.get(f"/api/sessions/{c['id']}/model").json()["weights"]
        == (client.get(f"/api/sessions/{a['id']}/model").json()["weights"])
    )


def test_bad_json_data_is_refused_and_nothing_changes(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    put_data(client, sid, [[1, 1], [2, 2]], [0, 1])
    cases = [
        ({"points": [[7, 0]], "labels": [0]}, "6"),
        ({"points": [[0, -6.5]], "labels": [0]}, "6"),
        ({"points": [[0, 0]], "labels": [3]}, "class"),
        ({"points": [[0, 0]], "labels": [1.5]}, "class"),
        ({"points": [[0, 0], [1, 1]], "labels": [0]}, "labels"),
        ({"points": [[0, 0, 0]], "labels": [0]}, ""),
        ({"points": [[0, "a"]], "labels": [0]}, ""),
        ({"points": [[0, 0]] * 2001, "labels": [0] * 2001}, "2000"),
        ({"points": [[0, 0]]}, ""),
    ]
    for body, message in cases:
        what = str(body)[:60]
        assert_rejected_changes_nothing(
            client, sid, "PUT", "/data", json=body, message=message, what=what
        )
        assert_rejected_changes_nothing(
            client, sid, "POST", "/points", json=body, message=message, what=what
        )
    # Binary labels are ±1, regression values within ±10.
    binary = new_session(client, seed=2)["id"]
    assert_rejected_changes_nothing(
        client, binary, "PUT", "/data", json={"points": [[0, 0]], "labels": [0]}, message="1"
    )
    regression = new_session(client, problem="regression", seed=2)["id"]
    assert_rejected_changes_nothing(
        client, regression, "PUT", "/data", json={"points": [[0, 0]], "labels": [11]}
    )
    assert put_data(client, regression, [[0, 0]], [0.25])["data_size"] == 1


def test_bad_csv_names_row_and_column_and_changes_nothing(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    put_data(client, sid, [[1, 1]], [2])
    cases = [
        ("x,y,label\n1,2,0\n3,abc,1\n", "Row 3, column y"),
        ("x,y,label\n1,2,0\n3,4,7\n", "Row 3, column label"),
        ("x,y,label\n1,2,0\n9,4,1\n", "Row 3, column x"),
        ("x,y,label\n1,2\n", "Row 2"),
        ("x,y,label\n", "no data"),
        ("", "no data"),
        ("a,b,c\n1,2,0\n", "x,y,label"),
        ("x,y,label\n" + "1,1,0\n" * 2001, "2,000"),
    ]
    for text, message in cases:
        assert_rejected_changes_nothing(
            client,
            sid,
            "PUT",
            "/data.csv",
            content=text,
            headers=CSV,
            message=message,
            what=text[:30],
        )


def test_csv_round_trip_and_spreadsheet_paste(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    r = client.put(
        f"/api/sessions/{sid}/data.csv",
        content="x\ty\tlabel\n1.5\t-2\t0\n-3\t4.25\t2\n",
        headers=CSV,
    )
    assert r.status_code == 200, r.text
    assert data(client, sid)["custom"] == {
        "points": [[1.5, -2.0], [-3.0, 4.25]],
        "labels": [0.0, 2.0],
    }
    out = client.get(f"/api/sessions/{sid}/data.csv")
    assert out.status_code == 200 and out.headers["content-type"].startswith("text/csv")
    assert "attachment" in out.headers["content-disposition"]
    again = new_session(client, **MC)["id"]
    assert (
        client.put(f"/api/sessions/{again}/data.csv", content=out.text, headers=CSV).status_code
        == 200
    )
    assert data(client, again)["custom"] == data(client, sid)["custom"]
    # A generated dataset downloads too: training then test points.
    gen = new_session(client, seed=4)["id"]
    rows = client.get(f"/api/sessions/{gen}/data.csv").text.strip().splitlines()
    d = data(client, gen)
    assert rows[0] == "x,y,label" and len(rows) == 501
    first = d["train"]["points"][0] + [d["train"]["labels"][0]]
    assert [float(v) for v in rows[1].split(",")] == first


def test_points_are_added_and_removed_while_the_network_trains_on(client: TestClient) -> None:
    sid = new_session(client, seed=3, learning_rate=0.1)["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 5})
    before = data(client, sid)
    weights = client.get(f"/api/sessions/{sid}/model").json()["weights"]
    r = client.post(
        f"/api/sessions/{sid}/points", json={"points": [[1, 2], [-1, -2]], "labels": [1, -1]}
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["config"]["dataset"] == "custom" and s["epoch"] == 5 and s["data_size"] == 502
    assert client.get(f"/api/sessions/{sid}/model").json()["weights"] == weights
    custom = data(client, sid)["custom"]
    assert custom["points"][:500] == before["train"]["points"] + before["test"]["points"]
    assert custom["points"][500:] == [[1.0, 2.0], [-1.0, -2.0]]
    r = client.request("DELETE", f"/api/sessions/{sid}/points", json={"indices": [0, 501]})
    assert r.status_code == 200 and r.json()["data_size"] == 500 and r.json()["epoch"] == 5
    after = data(client, sid)["custom"]
    assert after["points"] == custom["points"][1:501]
    for bad, message in (
        ({"indices": [500]}, "500"),
        ({"indices": []}, ""),
        ({"indices": [-1]}, ""),
    ):
        assert_rejected_changes_nothing(client, sid, "DELETE", "/points", json=bad, message=message)
    s = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}).json()
    assert s["epoch"] == 7 and s["status"] == "ready"


def test_custom_data_survive_changes_that_keep_data(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    points, labels = three_classes(30)
    put_data(client, sid, points, labels)
    for change in ({"noise": 20}, {"train_ratio": 70}, {"seed": 99}, {"hidden_layers": [3]},
                   {"classes": 4}):  # fmt: skip
        r = client.patch(f"/api/sessions/{sid}", json=change)
        assert r.status_code == 200 and r.json()["config"]["dataset"] == "custom", change
        assert data(client, sid)["custom"] == {"points": points, "labels": labels}, change
    assert len(data(client, sid)["train"]["labels"]) == 21  # floor(30 · 70 %)
    split = data(client, sid)["train"]
    client.post(f"/api/sessions/{sid}/regenerate")
    assert data(client, sid)["custom"]["points"] == points and data(client, sid)["train"] != split
    # Fewer classes than the data have: refused, nothing changes.
    put_data(client, sid, [[0, 0]], [3])
    assert_rejected_changes_nothing(client, sid, "PATCH", json={"classes": 3}, message="class 3")
    # Replaced only when asked: another dataset, or another problem.
    r = client.patch(f"/api/sessions/{sid}", json={"dataset": "sectors"})
    assert r.json()["config"]["dataset"] == "sectors" and data(client, sid)["custom"] is None
    assert_rejected_changes_nothing(
        client, sid, "PATCH", json={"dataset": "custom"}, message="own points"
    )
    put_data(client, sid, [[0, 0]], [1])
    r = client.patch(f"/api/sessions/{sid}", json={"problem": "classification"})
    assert r.json()["config"]["dataset"] == "circle" and data(client, sid)["custom"] is None


def test_clearing_leaves_an_empty_dataset_that_trains(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    s = put_data(client, sid, [], [])
    assert s["data_size"] == 0 and s["train_loss"] == 0 and s["test_accuracy"] is None
    s = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3, "frame": True}).json()
    assert s["status"] == "ready" and s["epoch"] == 3
    assert client.get(f"/api/sessions/{sid}/data.csv").text.strip() == "x,y,label"
    s = client.post(f"/api/sessions/{sid}/points", json={"points": [[1, 1]], "labels": [2]}).json()
    assert s["data_size"] == 1


def test_custom_data_travel_in_the_model(client: TestClient) -> None:
    sid = new_session(client, **MC)["id"]
    points, labels = three_classes(24)
    put_data(client, sid, points, labels)
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    model = client.get(f"/api/sessions/{sid}/model").json()
    assert model["data"] == {"points": points, "labels": labels}
    copy = client.post("/api/sessions", json={"model": model})
    assert copy.status_code == 201, copy.text
    cid = copy.json()["id"]
    assert data(client, cid) == data(client, sid)
    grid = [[x, y] for x in (-4, 0, 4) for y in (-4, 0, 4)]
    pa, pb = (
        client.post(f"/api/sessions/{i}/predict", json={"points": grid}).json() for i in (sid, cid)
    )
    assert pa == pb
    bad = {**model, "data": {"points": points, "labels": [7.0] * len(points)}}
    r = client.post("/api/sessions", json={"model": bad})
    assert r.status_code == 422 and "class" in r.json()["detail"]
    no_data = {k: v for k, v in model.items() if k != "data"}
    r = client.post("/api/sessions", json={"model": no_data})
    assert r.status_code == 422 and "own points" in r.json()["detail"]


def test_shared_datasets_for_links(client: TestClient) -> None:
    points, labels = three_classes(2000, seed=3)
    r = client.post(
        "/api/datasets",
        json={"problem": "multiclass", "classes": 3, "points": points, "labels": labels},
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["size"] == 2000 and out["problem"] == "multiclass" and len(out["id"]) >= 20
    got = strict_json(client.get(f"/api/datasets/{out['id']}"))
    assert got["points"] == points and got["labels"] == labels and got["classes"] == 3
    r = client.get("/api/datasets/unknownid0123456789")
    assert r.status_code == 404 and "no longer" in r.json()["detail"]
    r = client.post(
        "/api/datasets", json={"problem": "classification", "points": [[0, 0]], "labels": [0]}
    )
    assert r.status_code == 422
    r = client.post(
        "/api/datasets", json={"problem": "multiclass", "classes": 9, "points": [], "labels": []}
    )
    assert r.status_code == 422


def test_a_room_with_the_dataset_locked_refuses_drawing(client: TestClient) -> None:
    room = client.post("/api/rooms", json={"title": "Draw"}).json()
    headers = {"Authorization": f"Bearer {room['teacher_token']}"}
    code = room["code"]
    r = client.put(
        f"/api/rooms/{code}/activity",
        json={"config": MC, "locked": ["dataset"]},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    joined = client.post(f"/api/rooms/{code}/students", json={"name": "Ada"}).json()
    sid = joined["session"]["id"]
    assert_rejected_changes_nothing(
        client, sid, "POST", "/points", json={"points": [[0, 0]], "labels": [0]}, status=403
    )
    assert_rejected_changes_nothing(
        client, sid, "PUT", "/data.csv", content="1,1,0\n", headers=CSV, status=403
    )


def test_largest_multiclass_frame_fits_the_64_kb_gzip_budget(client: TestClient) -> None:
    big = {**BIG, "problem": "multiclass", "dataset": "spirals", "classes": 5, "seed": 4}
    sid = new_session(client, **big)["id"]
    body = client.post(
        f"/api/sessions/{sid}/step", json={"epochs": 100, "frame": True, "neuron": [6, 7]}
    ).json()
    assert len(body["frame"]["classes"]) == 5
    assert len(gzip.compress(json.dumps(body["frame"]).encode())) <= 64 * 1024


def test_a_teacher_pushes_drawn_data_and_shares_a_students(client: TestClient) -> None:
    room = client.post("/api/rooms", json={"title": "Own data"}).json()
    headers = {"Authorization": f"Bearer {room['teacher_token']}"}
    code = room["code"]
    mine = new_session(client, **MC)["id"]
    points, labels = three_classes(12)
    put_data(client, mine, points, labels)
    model = client.get(f"/api/sessions/{mine}/model").json()
    r = client.put(f"/api/rooms/{code}/activity", json={"model": model}, headers=headers)
    assert r.status_code == 200, r.text
    joined = client.post(f"/api/rooms/{code}/students", json={"name": "Ada"}).json()
    ada = joined["session"]["id"]
    assert data(client, ada)["custom"] == {"points": points, "labels": labels}
    # Ada draws more; the teacher shares her network: everyone gets her data too.
    client.post(f"/api/sessions/{ada}/points", json={"points": [[5, 5]], "labels": [1]})
    later = client.post(f"/api/rooms/{code}/students", json={"name": "Bo"}).json()
    share = client.post(
        f"/api/rooms/{code}/students/{joined['student']['id']}/share", headers=headers
    )
    assert share.status_code == 200, share.text
    bo = later["session"]["id"]
    assert data(client, bo)["custom"]["points"] == [*points, [5.0, 5.0]]


def test_drawing_on_noisy_generated_data_keeps_them_loadable(client: TestClient) -> None:
    # Gauss at noise 50 spills points beyond ±6; the custom data put them on the edge, so
    # the model, the CSV and a shared copy of them load again.
    sid = new_session(client, dataset="gauss", noise=50, seed=6)["id"]
    generated = data(client, sid)
    assert np.abs(np.array(generated["train"]["points"] + generated["test"]["points"])).max() > 6
    client.post(f"/api/sessions/{sid}/points", json={"points": [[0, 0]], "labels": [1]})
    custom = data(client, sid)["custom"]
    assert np.abs(np.array(custom["points"])).max() == 6
    model = client.get(f"/api/sessions/{sid}/model").json()
    assert client.post("/api/sessions", json={"model": model}).status_code == 201
    csv = client.get(f"/api/sessions/{sid}/data.csv").text
    assert client.put(f"/api/sessions/{sid}/data.csv", content=csv, headers=CSV).status_code == 200
    shared = {"problem": "classification", **custom}
    assert client.post("/api/datasets", json=shared).status_code == 201


def test_a_locked_custom_dataset_cannot_be_drawn_on(client: TestClient) -> None:
    room = client.post("/api/rooms", json={"title": "Locked"}).json()
    headers = {"Authorization": f"Bearer {room['teacher_token']}"}
    mine = new_session(client, **MC)["id"]
    put_data(client, mine, *three_classes(9))
    model = client.get(f"/api/sessions/{mine}/model").json()
    activity = {"model": model, "locked": ["dataset"]}
    r = client.put(f"/api/rooms/{room['code']}/activity", json=activity, headers=headers)
    assert r.status_code == 200, r.text
    sid = client.post(f"/api/rooms/{room['code']}/students", json={"name": "Ada"}).json()
    sid = sid["session"]["id"]
    for method, route, body in (
        ("POST", "/points", {"points": [[0, 0]], "labels": [0]}),
        ("PUT", "/data", {"points": [], "labels": []}),
        ("DELETE", "/points", {"indices": [0]}),
    ):
        assert_rejected_changes_nothing(client, sid, method, route, json=body, status=403)


def test_settings_that_cannot_change_the_data_keep_the_network(client: TestClient) -> None:
    binary = new_session(client, seed=7)["id"]
    client.post(f"/api/sessions/{binary}/step", json={"epochs": 3})
    r = client.patch(f"/api/sessions/{binary}", json={"classes": 5}).json()
    assert r["epoch"] == 3 and r["config"]["classes"] == 5  # binary: no classes to change
    sid = new_session(client, **MC)["id"]
    put_data(client, sid, *three_classes(30))
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    r = client.patch(f"/api/sessions/{sid}", json={"noise": 30}).json()
    assert r["epoch"] == 3  # noise does not apply to drawn data
    assert client.patch(f"/api/sessions/{sid}", json={"train_ratio": 70}).json()["epoch"] == 0


def test_probabilities_that_are_not_numbers_are_null() -> None:
    values = np.array([[np.nan, np.nan, np.nan], [0.2, 0.3, 0.5], [np.inf, 0.0, 0.0]])
    assert serialize.predictions(values) == {
        "outputs": [None, 2.0, None],
        "probabilities": [None, [0.2, 0.3, 0.5], None],
    }


def test_a_shared_dataset_reaches_every_process_with_redis(redis_url: str) -> None:
    settings = Settings(redis_url=redis_url)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        body = {"problem": "multiclass", "points": [[1, 2]], "labels": [2]}
        shared = one.post("/api/datasets", json=body).json()["id"]
        assert two.get(f"/api/datasets/{shared}").json()["points"] == [[1.0, 2.0]]
