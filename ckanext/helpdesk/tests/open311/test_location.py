"""A dataset's spatial extent (ckanext-spatial's `spatial` extra) gives
its requests a lat/long: the centroid of the GeoJSON geometry."""
import json

import pytest

from ckanext.helpdesk.open311.geometry import centroid
from ckanext.helpdesk.tests import factories

BBOX = {"type": "Polygon", "coordinates": [
    [[4.0, 50.0], [6.0, 50.0], [6.0, 51.0], [4.0, 51.0], [4.0, 50.0]]]}


@pytest.mark.parametrize("geometry, expected", [
    ({"type": "Point", "coordinates": [4.35, 50.85]}, (50.85, 4.35)),
    (BBOX, (50.5, 5.0)),
    # The same box drawn clockwise.
    ({"type": "Polygon", "coordinates": [
        [[4, 50], [4, 51], [6, 51], [6, 50], [4, 50]]]}, (50.5, 5.0)),
    # Areas weigh: 1 square degree at x 0.5, 3 at x 11.5.
    ({"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
        [[[10, 0], [13, 0], [13, 1], [10, 1], [10, 0]]]]}, (0.5, 8.75)),
    # A hole moves the centroid away from it.
    ({"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}, (2.333333, 2.333333)),
    ({"type": "Feature", "properties": {}, "geometry": BBOX}, (50.5, 5.0)),
    ({"type": "LineString", "coordinates": [[0, 0], [2, 4]]}, (2.0, 1.0)),
    # An area outweighs a point beside it, however small the area.
    ({"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [100, 10]},
        {"type": "Polygon", "coordinates": [
            [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1], [0, 0]]]}]},
     (0.05, 0.05)),
])
def test_the_centroid_of_each_geojson_geometry(geometry, expected):
    assert centroid(json.dumps(geometry)) == expected


@pytest.mark.parametrize("text", [
    None, "", "not json", "[1, 2]", '{"type": "Point"}',
    '{"type": "Point", "coordinates": ["a", "b"]}',
    '{"type": "Point", "coordinates": [1e400, 0]}',
    '{"type": "Point", "coordinates": [500, 100]}',
    '{"type": "MultiPolygon", "coordinates": []}',
    '{"type": "Circle", "coordinates": [0, 0]}'])
def test_what_is_no_readable_location_gives_none(text):
    assert centroid(text) is None


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_requests_on_a_dataset_with_an_extent_carry_its_centroid(
        open311_client, desk):
    mapped = factories.Dataset(
        name="parks", owner_org=desk["org"]["id"],
        extras=[{"key": "spatial", "value": json.dumps(BBOX)}])
    on_map = factories.Issue(user="reporter", dataset_id=mapped["id"])
    unmapped = factories.Issue(user="reporter",
                               dataset_id=desk["public"]["id"])
    requests = {request["service_request_id"]: request
                for request in open311_client.both("requests")}
    assert (requests[on_map["id"]]["lat"],
            requests[on_map["id"]]["long"]) == (50.5, 5.0)
    assert (requests[unmapped["id"]]["lat"],
            requests[unmapped["id"]]["long"]) == (None, None)
