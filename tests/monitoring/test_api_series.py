"""Chart series: the resolution follows the span, values come from the right table, thresholds come along."""

from __future__ import annotations

import datetime

import pytest

from yingji.monitoring import series
from yingji.monitoring.models import Reading, ReadingHour, ReadingMinute

T0 = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("span", "resolution"),
    [
        (datetime.timedelta(minutes=1), "raw"),
        (datetime.timedelta(hours=2), "raw"),
        (datetime.timedelta(hours=2, seconds=1), "minute"),
        (datetime.timedelta(days=3), "minute"),
        (datetime.timedelta(days=3, seconds=1), "hour"),
        (datetime.timedelta(days=365), "hour"),
    ],
)
def test_resolution_by_span(span, resolution):
    assert series.resolution_for(T0, T0 + span) == resolution


@pytest.fixture
def history(level_point):
    Reading.objects.bulk_create(
        [
            Reading(point=level_point, ts=T0 + datetime.timedelta(seconds=10 * i), value=5 + i / 10)
            for i in range(12)
        ]
    )
    ReadingMinute.objects.bulk_create(
        [
            ReadingMinute(point=level_point, bucket=T0, vmin=5.0, vmax=5.5, vsum=31.5, count=6),
            ReadingMinute(
                point=level_point,
                bucket=T0 + datetime.timedelta(minutes=1),
                vmin=5.6,
                vmax=6.1,
                vsum=35.1,
                count=6,
            ),
        ]
    )
    ReadingHour.objects.bulk_create(
        [
            ReadingHour(point=level_point, bucket=T0, vmin=4.0, vmax=9.0, vsum=600.0, count=100),
            ReadingHour(
                point=level_point,
                bucket=T0 - datetime.timedelta(days=30),
                vmin=1.0,
                vmax=2.0,
                vsum=3.0,
                count=2,
            ),
        ]
    )
    return level_point


def test_raw_window(history):
    result = series.point_series(history, start=T0, end=T0 + datetime.timedelta(seconds=30))
    assert result["resolution"] == "raw"
    assert [row[1] for row in result["data"]] == [5.0, 5.1, 5.2, 5.3]
    assert all(row[1] == row[2] == row[3] for row in result["data"])
    assert result["data"][0][0] == int(T0.timestamp() * 1000)


def test_minute_window_includes_the_bucket_that_starts_before(history):
    result = series.point_series(
        history, start=T0 + datetime.timedelta(seconds=30), end=T0 + datetime.timedelta(hours=6)
    )
    assert result["resolution"] == "minute"
    assert [row[1:] for row in result["data"]] == [[5.0, 5.25, 5.5], [5.6, pytest.approx(5.85), 6.1]]


def test_hour_window_and_thresholds(history):
    result = series.point_series(
        history, start=T0 - datetime.timedelta(days=365), end=T0 + datetime.timedelta(hours=1)
    )
    assert result["resolution"] == "hour"
    assert [row[1:] for row in result["data"]] == [[1.0, 1.5, 2.0], [4.0, 6.0, 9.0]]
    assert {t["name"]: (t["value"], t["severity"]) for t in result["thresholds"]} == {
        "high1": (9.5, 1),
        "high2": (10.5, 2),
        "low1": (1.0, 1),
        "low2": (0.5, 2),
    }
    assert result["range"] == [0, 12]


def test_series_endpoint(client_for, staff_user, town_b_official, history):
    client = client_for(staff_user)
    url = f"/api/v1/monitoring/points/{history.pk}/series"
    body = client.get(
        url, {"start": T0.isoformat(), "end": (T0 + datetime.timedelta(minutes=1)).isoformat()}
    ).json()
    assert body["resolution"] == "raw" and len(body["data"]) == 7
    body = client.get(
        url, {"start": (T0 - datetime.timedelta(days=300)).isoformat(), "end": T0.isoformat()}
    ).json()
    assert body["resolution"] == "hour"
    bad = client.get(url, {"start": T0.isoformat(), "end": (T0 - datetime.timedelta(hours=1)).isoformat()})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_window"
    bad = client.get(url, {"start": "yesterday"})
    assert bad.status_code == 400 and "start" in bad.json()["fields"]
    assert client.get("/api/v1/monitoring/points/999999/series").status_code == 404
    assert client_for(town_b_official).get(url).status_code == 404
