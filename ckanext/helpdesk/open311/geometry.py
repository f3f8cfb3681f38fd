"""Where a dataset is, as one point: the centroid of its spatial extent.

ckanext-spatial keeps a dataset's extent as a GeoJSON geometry in the
dataset extra ``spatial``; Open311 clients want a request's ``lat`` and
``long`` (some skip requests without them). Plain Python, not shapely:
the areal centroid of GeoJSON's few geometry types is a few lines of the
shoelace formula, and shapely would bring GEOS, a compiled library, to
every portal for it. Coordinates are taken as planar longitude/latitude,
which is precise enough for a pin on a dataset's area (extents crossing
the antimeridian are not handled).
"""
from __future__ import annotations

import json

DECIMALS = 6  # about 10 cm


def centroid(spatial: str | None) -> tuple[float, float] | None:
    """(lat, long) of the centroid of a GeoJSON geometry (or Feature)
    given as text; None when there is none or it cannot be read."""
    if not spatial:
        return None
    try:
        geometry = json.loads(spatial)
        if geometry.get("type") == "Feature":
            geometry = geometry["geometry"]
        _dimension, weight, x, y = _weighted(geometry)
        lat, lon = round(y / weight, DECIMALS), round(x / weight, DECIMALS)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            RecursionError, ZeroDivisionError, OverflowError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _weighted(geometry):
    """(dimension, weight, weight * x, weight * y): surfaces (2) weigh
    their area; points and lines (0), and polygons without area, their
    vertices, one each. Parts of a lower dimension than the highest among
    a geometry's parts do not count (a point beside an area)."""
    kind, coordinates = geometry["type"], geometry.get("coordinates")
    if kind == "Point":
        return _points([coordinates])
    if kind in ("MultiPoint", "LineString"):
        return _points(coordinates)
    if kind == "MultiLineString":
        return _points([point for line in coordinates for point in line])
    if kind == "Polygon":
        return _polygon(coordinates)
    if kind == "MultiPolygon":
        return _sum([_polygon(polygon) for polygon in coordinates])
    if kind == "GeometryCollection":
        return _sum([_weighted(part) for part in geometry["geometries"]])
    raise ValueError(kind)


def _sum(parts):
    top = max(dimension for dimension, *_ in parts)
    counted = [part[1:] for part in parts if part[0] == top]
    return (top, *(sum(values) for values in zip(*counted)))


def _points(points):
    points = [(float(p[0]), float(p[1])) for p in points]
    return (0, len(points), sum(x for x, _ in points),
            sum(y for _, y in points))


def _polygon(rings):
    """The outer ring's area and moments less its holes'; its vertices
    when it has no area."""
    weight = x = y = 0.0
    for index, ring in enumerate(rings):
        area, moment_x, moment_y = _ring(ring)
        sign = 1 if index == 0 else -1
        weight += sign * area
        x += sign * moment_x
        y += sign * moment_y
    if weight <= 0:
        return _points(rings[0])
    return 2, weight, x, y


def _ring(ring):
    """|area| and first moments of a closed ring (shoelace formula),
    oriented so the area is positive."""
    points = [(float(p[0]), float(p[1])) for p in ring]
    twice_area = moment_x = moment_y = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        moment_x += (x0 + x1) * cross
        moment_y += (y0 + y1) * cross
    sign = 1 if twice_area >= 0 else -1
    return sign * twice_area / 2, sign * moment_x / 6, sign * moment_y / 6
