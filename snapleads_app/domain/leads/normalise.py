"""Normalisation of lead fields — the one place every entry point (UI, API, CSV, extension) uses.

Pure functions. Each either returns the normalised value (None for empty input) or raises
`FieldProblem(field, code)`, which callers turn into a per-field error or a rejected CSV row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PLATFORMS = ("instagram", "facebook", "linkedin", "twitter", "tiktok", "whatsapp", "other")
DEFAULT_PHONE_REGION = "BR"


class FieldProblem(ValueError):
    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def clean_text(value: object, *, max_length: int | None = None) -> str | None:
    """Strip, collapse inner whitespace runs of control characters, empty → None."""
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


# The common case (plain ASCII address) is checked by a strict pattern in ~1 µs; anything else — IDN,
# quoted local parts, or a likely error — goes to email-validator (~170 µs), which decides and explains.
_PLAIN_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)"
    r"@(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def normalise_email(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = text.removeprefix("mailto:").strip()
    lowered = text.lower()
    if _PLAIN_EMAIL.match(lowered) and not lowered.endswith((".local", ".localhost", ".test", ".invalid")):
        return lowered
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise FieldProblem("email", "invalid_email") from exc
    return result.normalized.lower()


# Fast path for the overwhelmingly common Brazilian shapes ("(11) 98765-4321", "+55 11 …", "11987654321",
# "5511…"): the national number checked against libphonenumber's own BR mobile/fixed-line patterns gives
# the same answer as parse + is_valid_number at ~1/30 of the cost (imports normalise millions of phones;
# tests compare both paths on thousands of numbers). Anything else takes the full path below.
def _br_national_pattern() -> re.Pattern[str]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("BR")
    descs = (metadata.mobile, metadata.fixed_line) if metadata is not None else ()
    patterns = [
        f"(?:{d.national_number_pattern})" for d in descs if d is not None and d.national_number_pattern
    ]
    return re.compile("|".join(patterns) or r"(?!)")  # no metadata: never the fast path


_BR_NATIONAL = _br_national_pattern()
_PLAIN_PHONE = re.compile(r"^\+?[\d\s().-]+$")


def _plain_br_phone(text: str, digits: str) -> str | None:
    if not _PLAIN_PHONE.match(text):
        return None
    if text.startswith("+") or len(digits) > 11:
        if not digits.startswith("55"):
            return None
        national = digits[2:]
    else:
        national = digits
    if len(national) in (10, 11) and _BR_NATIONAL.fullmatch(national):
        return "+55" + national
    return None


def normalise_phone(value: object, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """E.164 (`+5511987654321`); numbers without a country code are read in `region` (BR)."""
    text = clean_text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    if region == "BR" and (fast := _plain_br_phone(text, digits)) is not None:
        return fast
    if text.startswith("00") and not text.startswith("+"):
        text = "+" + digits[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise FieldProblem("phone", "invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        # A Brazilian number written with its country code but no "+" (5511987654321).
        try:
            retry = phonenumbers.parse("+" + digits, region)
        except phonenumbers.NumberParseException:
            retry = None
        if retry is None or not phonenumbers.is_valid_number(retry):
            raise FieldProblem("phone", "invalid_phone")
        number = retry
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|igshid|igsh|mc_[a-z]+|ref|ref_src|refsrc|si|trk|trkInfo|"
    r"originalSubdomain|original_referer|__cft__.*|__tn__|hc_ref|fref|_rdc|_rdr|s|t|lipi|"
    r"midToken|midSig|trackingId|feature|hl)$",
    re.IGNORECASE,
)


def normalise_url(value: object) -> str | None:
    """Any web address: https scheme when missing, lower-case host, no tracking parameters,
    no fragment, no trailing slash on the path."""
    text = clean_text(value, max_length=2048)
    if text is None:
        return None
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "https://" + text.lstrip("/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise FieldProblem("website", "invalid_url")
    host = parts.hostname.lower().rstrip(".")
    netloc = host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


@dataclass(frozen=True, slots=True)
class Profile:
    """A social profile in canonical form: `key` is what makes a lead unique within a platform."""

    platform: str
    url: str | None
    username: str | None
    key: str | None


_HOSTS = {
    "instagram": ("instagram.com", "instagr.am"),
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "linkedin": ("linkedin.com",),
    "twitter": ("twitter.com", "x.com"),
    "tiktok": ("tiktok.com",),
    "whatsapp": ("wa.me", "whatsapp.com"),
}
_IG_RESERVED = {"p", "reel", "reels", "explore", "stories", "accounts", "direct", "tv", "about", "legal"}
_FB_RESERVED = {
    "groups",
    "events",
    "watch",
    "marketplace",
    "login",
    "photo",
    "photo.php",
    "story.php",
    "permalink.php",
    "sharer",
    "share",
    "hashtag",
    "gaming",
}
_HANDLE = re.compile(r"^@?([A-Za-z0-9._-]{1,100})$")


def platform_of_url(url: str) -> str | None:
    host = (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
    for platform, hosts in _HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return platform
    return None


def _split(value: str) -> tuple[str, list[str], dict[str, str]]:
    text = value if re.match(r"^[a-z]+://", value, re.IGNORECASE) else "https://" + value.lstrip("/")
    parts = urlsplit(text)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    return (parts.hostname or "").lower(), segments, dict(parse_qsl(parts.query))


def canonical_profile(platform: str, profile_url: object = None, username: object = None) -> Profile:
    """Canonical URL, username and uniqueness key for a profile given by URL and/or handle.

    Raises FieldProblem when a URL is given that is not a profile of `platform`.
    """
    if platform not in PLATFORMS:
        raise FieldProblem("platform", "invalid_platform")
    url_text = clean_text(profile_url, max_length=2048)
    handle_text = clean_text(username, max_length=100)
    handle = None
    if handle_text:
        match = _HANDLE.match(handle_text)
        handle = match.group(1) if match else None
        if handle is None and not url_text and "/" in handle_text:
            url_text = handle_text  # a URL pasted into the username column
    bare = _HANDLE.match(url_text) if url_text and "/" not in url_text else None
    if bare and platform != "other" and platform_of_url(url_text or "") is None:
        handle = handle or bare.group(1)  # a handle typed where the URL goes ("ana.silva", "@ana")
        url_text = None
    builder = _BUILDERS.get(platform)
    if builder is None:
        url = normalise_url(url_text) if url_text else None
        name = handle.lower() if handle else None
        return Profile(platform, url, name, url or name)
    if url_text:
        if platform_of_url(url_text) != platform:
            raise FieldProblem("profile_url", "not_a_profile_of_platform")
        built = builder(url_text)
        if built is None:
            raise FieldProblem("profile_url", "not_a_profile_url")
        return Profile(platform, *built)
    if handle:
        return Profile(platform, *_from_handle(platform, handle))
    return Profile(platform, None, None, None)


def _from_handle(platform: str, handle: str) -> tuple[str, str, str]:
    templates = {
        "instagram": "https://www.instagram.com/{}/",
        "facebook": "https://www.facebook.com/{}",
        "linkedin": "https://www.linkedin.com/in/{}/",
        "twitter": "https://x.com/{}",
        "tiktok": "https://www.tiktok.com/@{}",
        "whatsapp": "https://wa.me/{}",
    }
    name = handle.lower()
    if platform == "whatsapp":
        name = re.sub(r"\D", "", name)
    return templates[platform].format(name), name, name


def _instagram(url: str) -> tuple[str, str, str] | None:
    _, segments, _ = _split(url)
    if not segments or segments[0].lower() in _IG_RESERVED or not _HANDLE.match(segments[0]):
        return None
    return _from_handle("instagram", segments[0])


def _facebook(url: str) -> tuple[str, str, str] | None:
    _, segments, query = _split(url)
    if segments and segments[0] == "profile.php" and query.get("id", "").isdigit():
        profile_id = query["id"]
        return f"https://www.facebook.com/profile.php?id={profile_id}", profile_id, profile_id
    if len(segments) >= 2 and segments[0] == "people" and segments[-1].isdigit():
        return f"https://www.facebook.com/profile.php?id={segments[-1]}", segments[-1], segments[-1]
    if len(segments) >= 3 and segments[0] == "pages" and segments[-1].isdigit():
        return f"https://www.facebook.com/{segments[-1]}", segments[-1], segments[-1]
    if len(segments) >= 4 and segments[0] == "groups" and segments[2] == "user" and segments[3].isdigit():
        return f"https://www.facebook.com/profile.php?id={segments[3]}", segments[3], segments[3]
    if not segments or segments[0].lower() in _FB_RESERVED or not _HANDLE.match(segments[0]):
        return None
    return _from_handle("facebook", segments[0])


def _linkedin(url: str) -> tuple[str, str, str] | None:
    _, segments, _ = _split(url)
    if len(segments) >= 2 and segments[0] in ("in", "pub"):
        slug = segments[1].lower()
        return f"https://www.linkedin.com/in/{quote(slug)}/", slug, slug
    if len(segments) >= 2 and segments[0] in ("company", "school"):
        slug = segments[1].lower()
        return f"https://www.linkedin.com/{segments[0]}/{quote(slug)}/", slug, f"{segments[0]}/{slug}"
    return None


def _twitter(url: str) -> tuple[str, str, str] | None:
    _, segments, _ = _split(url)
    if not segments or segments[0].lower() in {"i", "home", "search", "intent", "share", "hashtag"}:
        return None
    return _from_handle("twitter", segments[0].lstrip("@")) if _HANDLE.match(segments[0]) else None


def _tiktok(url: str) -> tuple[str, str, str] | None:
    _, segments, _ = _split(url)
    if not segments or not segments[0].startswith("@"):
        return None
    return _from_handle("tiktok", segments[0][1:]) if _HANDLE.match(segments[0]) else None


def _whatsapp(url: str) -> tuple[str, str, str] | None:
    _, segments, query = _split(url)
    number = segments[0] if segments else query.get("phone", "")
    digits = re.sub(r"\D", "", number)
    return _from_handle("whatsapp", digits) if digits else None


_BUILDERS = {
    "instagram": _instagram,
    "facebook": _facebook,
    "linkedin": _linkedin,
    "twitter": _twitter,
    "tiktok": _tiktok,
    "whatsapp": _whatsapp,
}


def normalise_count(value: object, field: str) -> int | None:
    """Follower-style counts as people write them: 1234, "1.234", "1,234", "12,5 mil", "1.2k", "3M"."""
    if value is None or (isinstance(value, float) and value != value):  # NaN from pandas
        return None
    if isinstance(value, bool):
        raise FieldProblem(field, "invalid_number")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().lower().replace("\u00a0", " ")
        if not text:
            return None
        match = re.match(r"^([0-9][0-9.,\s]*)\s*(k|mil|m|mi|mm|b|bi)?\.?$", text)
        if not match:
            raise FieldProblem(field, "invalid_number")
        digits, suffix = match.group(1).replace(" ", ""), match.group(2)
        multiplier = {
            None: 1,
            "k": 1_000,
            "mil": 1_000,
            "m": 1_000_000,
            "mi": 1_000_000,
            "mm": 1_000_000,
            "b": 1_000_000_000,
            "bi": 1_000_000_000,
        }[suffix]
        number = _parse_grouped_number(
            digits, allow_decimal=multiplier > 1, field=field, multiplier=multiplier
        )
    if number < 0 or number > 10_000_000_000:
        raise FieldProblem(field, "number_out_of_range")
    return number


def _parse_grouped_number(digits: str, *, allow_decimal: bool, field: str, multiplier: int) -> int:
    # "1.234" / "1,234" / "1.234.567" are thousands; "12,5" / "1.2" before a suffix are decimals.
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) and not (
        allow_decimal and re.fullmatch(r"\d+[.,]\d{1,2}", digits)
    ):
        return int(re.sub(r"[.,]", "", digits)) * multiplier
    if re.fullmatch(r"\d+", digits):
        return int(digits) * multiplier
    if allow_decimal and re.fullmatch(r"\d+[.,]\d+", digits):
        return round(float(digits.replace(",", ".")) * multiplier)
    raise FieldProblem(field, "invalid_number")


def search_text(*parts: str | None) -> str:
    """What free-text search looks in: name, username, company, e-mail (lower-case, one string)."""
    return " ".join(p.lower() for p in parts if p)[:1000]


def identity_key(profile_key: str | None, email: str | None, phone: str | None) -> str | None:
    """What makes a lead unique within (workspace, platform): the profile, else the e-mail, else the phone.

    Without a fallback, re-importing a CSV of names and e-mails (no profiles) would duplicate every row.
    """
    if profile_key:
        return profile_key
    if email:
        return f"email:{email}"
    if phone:
        return f"phone:{phone}"
    return None


def is_derived_key(key: str | None) -> bool:
    return key is None or key.startswith(("email:", "phone:"))


_TEXT_FIELDS = {
    "full_name": 200,
    "avatar_url": 2048,
    "bio": 5000,
    "location": 200,
    "company": 200,
    "headline": 300,
    "notes": 20000,
    "source_url": 2048,
}


def normalise_fields(platform: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise the lead fields present in `data` → (fields, per-field error codes).

    Used by every entry point: the leads service (UI/API) and the import pipeline (CSV, extension).
    """
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def attempt(field: str, fn: Any) -> None:
        try:
            out[field] = fn()
        except FieldProblem as problem:
            errors[field] = problem.code

    if "email" in data:
        attempt("email", lambda: normalise_email(data["email"]))
    if "phone" in data:
        attempt("phone", lambda: normalise_phone(data["phone"]))
    if "website" in data:
        attempt("website", lambda: normalise_url(data["website"]))
    if "profile_url" in data or "username" in data:
        try:
            profile = canonical_profile(platform, data.get("profile_url"), data.get("username"))
            out.update(profile_url=profile.url, username=profile.username, profile_key=profile.key)
        except FieldProblem as problem:
            errors[problem.field] = problem.code
    for field, limit in _TEXT_FIELDS.items():
        if field in data:
            out[field] = clean_text(data[field], max_length=limit)
    for field in ("followers", "following", "posts"):
        if field in data:
            attempt(field, lambda f=field: normalise_count(data[f], f))
    if "verified" in data:
        out["verified"] = bool(data["verified"])
    if "custom_fields" in data:
        out["custom_fields"] = dict(data["custom_fields"] or {})
    return out, errors
