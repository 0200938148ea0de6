"""The DCAT-AP catalogue record (JSON-LD) of the dumps, for European data portals to harvest.

One ``dcat:Catalog`` with one ``dcat:Dataset`` (the case studies) and a ``dcat:Distribution`` per dump
format, each with its media type, licence, size and the time of the last export. Languages and
licences are named by the EU Vocabularies' URIs where DCAT-AP asks for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opendata.services.dumps import FORMATS, JSON, dump_file
from opendata.services.records import dataset

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_THEME_GOVERNMENT = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
# ISO 639-1 -> the EU Languages table's code (ISO 639-3); other languages are named by the Library of
# Congress' ISO 639-1 URIs.
EU_LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA", "et": "EST",
    "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA", "lt": "LIT", "lv": "LAV",
    "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON", "sk": "SLK", "sl": "SLV", "sv": "SWE",
    "ru": "RUS", "uk": "UKR", "no": "NOR", "is": "ISL", "sq": "SQI", "sr": "SRP", "mk": "MKD", "tr": "TUR",
}  # fmt: skip
FILE_TYPES = {"cases.json": "JSON", "cases.csv": "CSV", "cases.geojson": "GEOJSON"}


def language_uri(code: str) -> str:
    base = code.split("-")[0]
    if base in EU_LANGUAGES:
        return EU_LANGUAGE + EU_LANGUAGES[base]
    return f"http://id.loc.gov/vocabulary/iso639-1/{base}"


def _id(url: str) -> dict[str, str]:
    return {"@id": url}


def catalogue(absolute: Callable[[str], str]) -> dict[str, Any]:
    """The catalogue record; ``absolute`` gives the full URL of a file under /api/v1/export/ or of a
    reader path (``"data"`` -> the data page)."""
    about = dataset()
    languages = [_id(language_uri(code)) for code in about.languages]
    licence = _id(about.licence_url)
    publisher = {"@id": about.publisher_url, "@type": "foaf:Agent", "foaf:name": about.publisher}
    newest = dump_file(JSON.name)
    distributions = []
    for item in FORMATS:
        found = dump_file(item.name)
        url = absolute(item.name)
        distribution: dict[str, Any] = {
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": item.title,
            "dcat:accessURL": _id(url),
            "dcat:downloadURL": _id(url),
            "dcat:mediaType": _id(IANA_MEDIA_TYPE + item.media_type),
            "dct:format": _id(EU_FILE_TYPE + FILE_TYPES[item.name]),
            "dct:license": licence,
            "dct:conformsTo": _id(absolute("cases.schema.json")),
        }
        if found is not None:
            distribution["dct:modified"] = {"@value": found.modified.isoformat(), "@type": "xsd:dateTime"}
            distribution["dcat:byteSize"] = {"@value": str(found.size), "@type": "xsd:nonNegativeInteger"}
        distributions.append(distribution)
    data_set: dict[str, Any] = {
        "@id": absolute("catalog.jsonld") + "#cases",
        "@type": "dcat:Dataset",
        "dct:identifier": absolute("catalog.jsonld") + "#cases",
        "dct:title": {"@value": about.title, "@language": "en"},
        "dct:description": {
            "@value": "Case studies of eParticipation initiatives in European cities and regions, in every "
            "language of the manual: where, when, how, with what results; classified by topic, tool, "
            "participation level, government level and policy-cycle stage.",
            "@language": "en",
        },
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": languages,
        "dcat:theme": _id(EU_THEME_GOVERNMENT),
        "dcat:keyword": ["eParticipation", "participatory democracy", "case studies", "civic technology"],
        "dcat:landingPage": _id(absolute("data")),
        "foaf:page": [_id(absolute("codebook.csv")), _id(absolute("cases.schema.json"))],
        "dcat:distribution": distributions,
    }
    if newest is not None:
        data_set["dct:modified"] = {"@value": newest.modified.isoformat(), "@type": "xsd:dateTime"}
    return {
        "@context": CONTEXT,
        "@id": absolute("catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": {"@value": f"Open data of the {about.publisher}", "@language": "en"},
        "dct:description": {"@value": "The datasets of the manual, for reuse under their licence.", "@language": "en"},
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": languages,
        "foaf:homepage": _id(absolute("data")),
        "dcat:dataset": [data_set],
    }
