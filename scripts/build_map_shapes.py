"""Build manual/data/country_shapes.json, the country shapes the reader's map draws (docs/reader.md).

Usage: scripts/build-map-shapes.sh (fetches world-atlas with ``npm pack`` and runs this script), or
``python scripts/build_map_shapes.py path/to/countries-50m.json manual/data/country_shapes.json``.

The source is world-atlas (npm, ISC licence), Natural Earth's 1:50m admin-0 countries (public
domain) as TopoJSON. The script decodes its quantised, delta-encoded arcs into lines of
longitude/latitude, simplifies each arc (Douglas-Peucker within ``TOLERANCE``: about two pixels at
the map's size), joins them into rings, rounds the points to ``GRID`` degrees, drops points the
rounding made repeated and rings that shrank below three points, and keys each country by its
ISO 3166-1 alpha-2 code (from the numeric ``id``, through django-countries, the code cases store).
Crimea is drawn as part of Ukraine (``MOVED``). Shapes without an ISO code (Kosovo, Northern
Cyprus, ...) are kept without a code: they are drawn, never shaded. Coordinates are stored as
integers in units of ``GRID`` to keep the file small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GRID = 0.05  # degrees
TOLERANCE = 0.1  # degrees a simplified arc may stray from the source's line (Douglas-Peucker)
SOURCE = "world-atlas 2.0.2 countries-50m.json (https://github.com/topojson/world-atlas)"
LICENCE = (
    "Shapes from Natural Earth (public domain, https://www.naturalearthdata.com/) through world-atlas "
    "(ISC licence, Copyright 2013-2019 Michael Bostock)."
)


def alpha2(numeric: str | None) -> str | None:
    # django-countries names the codes cases store; it needs settings only to exist.
    from django.conf import settings  # noqa: PLC0415 - a build script, run outside the service

    if not settings.configured:
        settings.configure()
    from django_countries import countries  # noqa: PLC0415 - needs the settings configured above

    if not numeric or not numeric.isdigit():
        return None
    return countries.alpha2(int(numeric)) or None


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (scale_x, scale_y), (translate_x, translate_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + translate_x, y * scale_y + translate_y))
        # Arc by arc, so that neighbours keep sharing the same simplified border.
        arcs.append(simplified(points))
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return unwrapped(points)


def unwrapped(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous across the antimeridian (Chukotka at 190 rather than -170).

    A flat projection would otherwise draw the step from 180 to -180 as a line across the world.
    """
    shifted: list[tuple[float, float]] = []
    offset = 0.0
    for lon, lat in points:
        if shifted:
            step = lon + offset - shifted[-1][0]
            if step > 180:
                offset -= 360
            elif step < -180:
                offset += 360
        shifted.append((lon + offset, lat))
    return shifted


def simplified(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Douglas-Peucker: the points that keep the line within ``TOLERANCE`` of the source's."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            x, y = points[index]
            if length:
                away = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                away = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if away > distance:
                farthest, distance = index, away
        if distance > TOLERANCE:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def on_grid(points: list[tuple[float, float]]) -> list[int]:
    flat: list[int] = []
    last = None
    for lon, lat in points:
        cell = (round(lon / GRID), round(lat / GRID))
        if cell != last:
            flat.extend(cell)
            last = cell
    return flat if len(flat) >= 6 else []  # fewer than three distinct points: below the grid


# Natural Earth's default shapes draw Crimea as part of Russia (its "de facto" view). The manual
# follows the Council of Europe and the UN General Assembly (resolution 68/262): Crimea is Ukraine's.
# The ring inside this box (west, south, east, north) moves from RU to UA.
CRIMEA = (32.4, 44.3, 36.7, 46.3)
MOVED = {"RU": ("UA", CRIMEA)}


def inside(ring_points: list[int], box: tuple[float, float, float, float]) -> bool:
    lons, lats = ring_points[0::2], ring_points[1::2]
    west, south, east, north = box
    return all(west <= lon * GRID <= east for lon in lons) and all(south <= lat * GRID <= north for lat in lats)


def moved(shapes: list[dict[str, Any]]) -> None:
    by_code = {shape["code"]: shape for shape in shapes if shape["code"]}
    for source, (target, box) in MOVED.items():
        leaving = [item for item in by_code[source]["rings"] if inside(item, box)]
        if len(leaving) != 1:
            raise SystemExit(f"expected one ring of {source} inside {box}, found {len(leaving)}")
        by_code[source]["rings"].remove(leaving[0])
        by_code[target]["rings"].append(leaving[0])


def build(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [on_grid(ring(arcs, indexes)) for polygon in polygons for indexes in polygon]
        rings = [item for item in rings if item]
        if rings:
            shapes.append({"code": alpha2(geometry.get("id")), "name": geometry["properties"]["name"], "rings": rings})
    moved(shapes)
    shapes.sort(key=lambda shape: (shape["code"] or "~", shape["name"]))
    return {"source": SOURCE, "licence": LICENCE, "grid": GRID, "shapes": shapes}


def main(source: str, target: str) -> None:
    data = build(json.loads(Path(source).read_text(encoding="utf-8")))
    Path(target).write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target}: {len(data['shapes'])} shapes, {Path(target).stat().st_size} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
