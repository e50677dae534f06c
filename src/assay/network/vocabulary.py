"""The controlled words of an inventory: network types and site classes, with their aliases."""

import difflib

from assay.network.model import SiteClass

CUSTOM_PREFIX = "x-"

KNOWN_NETWORK_TYPES: tuple[str, ...] = ("5G", "4G", "3G", "2G", "full-fibre", "fixed", "wifi")

_NETWORK_TYPE_ALIASES: dict[str, str] = {
    "5g": "5G",
    "nr": "5G",
    "5gnr": "5G",
    "5gsa": "5G",
    "5gnsa": "5G",
    "4g": "4G",
    "lte": "4G",
    "4glte": "4G",
    "3g": "3G",
    "umts": "3G",
    "wcdma": "3G",
    "hspa": "3G",
    "2g": "2G",
    "gsm": "2G",
    "gprs": "2G",
    "edge": "2G",
    "fullfibre": "full-fibre",
    "fullfiber": "full-fibre",
    "fttp": "full-fibre",
    "ftth": "full-fibre",
    "gigabit": "full-fibre",
    "fixed": "fixed",
    "fttc": "fixed",
    "dsl": "fixed",
    "copper": "fixed",
    "cable": "fixed",
    "docsis": "fixed",
    "wifi": "wifi",
    "wlan": "wifi",
}

_SITE_CLASS_ALIASES: dict[str, SiteClass] = {
    "": SiteClass.NONE,
    "none": SiteClass.NONE,
    "ordinary": SiteClass.NONE,
    "normal": SiteClass.NONE,
    "nuclear": SiteClass.NUCLEAR,
    "military": SiteClass.MILITARY,
    "defence": SiteClass.MILITARY,
    "defense": SiteClass.MILITARY,
    "nationalsecurity": SiteClass.NATIONAL_SECURITY,
    "natsec": SiteClass.NATIONAL_SECURITY,
    "cnisafety": SiteClass.CNI_SAFETY,
    "cni": SiteClass.CNI_SAFETY,
    "safety": SiteClass.CNI_SAFETY,
    "safetycritical": SiteClass.CNI_SAFETY,
}

_SEPARATORS = str.maketrans("", "", " -_/.")


def _key(text: str) -> str:
    return text.casefold().translate(_SEPARATORS)


def _did_you_mean(key: str, choices: dict[str, str]) -> str:
    matches = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {choices[matches[0]]}?)" if matches else ""


def normalise_network_type(text: str) -> str:
    """The canonical network type for `text` ('LTE' → '4G', 'FTTP' → 'full-fibre'); a type of
    the user's own is kept as written when it starts with 'x-'. Raises ValueError otherwise."""
    value = text.strip()
    if value.casefold().startswith(CUSTOM_PREFIX):
        return value
    canonical = _NETWORK_TYPE_ALIASES.get(_key(value))
    if canonical is None:
        known = ", ".join(KNOWN_NETWORK_TYPES)
        hint = _did_you_mean(_key(value), _NETWORK_TYPE_ALIASES)
        raise ValueError(f"unknown network type '{value}'{hint}; known: {known} (or x-<own>)")
    return canonical


def normalise_site_class(text: str) -> SiteClass:
    """The site class for `text` ('' and 'none' → none, 'defence' → military, 'CNI' →
    cni-safety). Raises ValueError for an unknown class."""
    site_class = _SITE_CLASS_ALIASES.get(_key(text))
    if site_class is None:
        known = ", ".join(c.value for c in SiteClass)
        names = {key: value.value for key, value in _SITE_CLASS_ALIASES.items() if key}
        hint = _did_you_mean(_key(text), names)
        raise ValueError(f"unknown site class '{text.strip()}'{hint}; known: {known}")
    return site_class
