"""Reads the site file the harness (or an operator) provides: see CONTRACT.md for its fields."""

import json

from . import paths


class SiteError(Exception):
    pass


def load(path=paths.SITE_FILE):
    try:
        with open(path, encoding="utf-8") as handle:
            site = json.load(handle)
    except FileNotFoundError as error:
        raise SiteError(f"site file {path} not found: the harness writes it before boot") from error
    except json.JSONDecodeError as error:
        raise SiteError(f"site file {path} is not valid JSON: {error}") from error
    if site.get("version") != 1:
        raise SiteError(f"site file {path} has version {site.get('version')!r}, this stack reads 1")
    for field in ("host", "zone", "domesticCidrs", "tpm", "store"):
        if field not in site:
            raise SiteError(f"site file {path} lacks the field {field!r}")
    return site
