"""Normalisation of lead fields, table-driven (pure functions, no I/O)."""

from __future__ import annotations

import pytest

from snapleads_app.domain.leads.normalise import (
    FieldProblem,
    canonical_profile,
    normalise_count,
    normalise_email,
    normalise_phone,
    normalise_url,
    platform_of_url,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Ana.Silva@Example.COM ", "ana.silva@example.com"),
        ("mailto:joao@empresa.com.br", "joao@empresa.com.br"),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_email(raw, expected):
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["not-an-email", "a@b", "@example.com", "ana@", "ana silva@example.com"])
def test_bad_email(raw):
    with pytest.raises(FieldProblem) as err:
        normalise_email(raw)
    assert (err.value.field, err.value.code) == ("email", "invalid_email")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(11) 98765-4321", "+5511987654321"),
        ("11 98765 4321", "+5511987654321"),
        ("+55 11 98765-4321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("011 98765-4321", "+5511987654321"),
        ("0055 11 98765 4321", "+5511987654321"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+351 912 345 678", "+351912345678"),
        ("", None),
    ],
)
def test_phone(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "123", "+55 11 1234", "99999999999999999999"])
def test_bad_phone(raw):
    with pytest.raises(FieldProblem):
        normalise_phone(raw)


@pytest.mark.parametrize(
    ("platform", "url", "username", "canonical", "key"),
    [
        (
            "instagram",
            "https://www.instagram.com/Ana.Silva/?igshid=abc",
            None,
            "https://www.instagram.com/ana.silva/",
            "ana.silva",
        ),
        ("instagram", "instagram.com/ana.silva", None, "https://www.instagram.com/ana.silva/", "ana.silva"),
        (
            "instagram",
            "http://m.instagram.com/ana.silva#x",
            None,
            "https://www.instagram.com/ana.silva/",
            "ana.silva",
        ),
        ("instagram", None, "@Ana.Silva", "https://www.instagram.com/ana.silva/", "ana.silva"),
        ("instagram", "ana.silva", None, "https://www.instagram.com/ana.silva/", "ana.silva"),
        (
            "facebook",
            "https://m.facebook.com/profile.php?id=100012345&ref=bookmarks",
            None,
            "https://www.facebook.com/profile.php?id=100012345",
            "100012345",
        ),
        (
            "facebook",
            "https://www.facebook.com/groups/987/user/555/",
            None,
            "https://www.facebook.com/profile.php?id=555",
            "555",
        ),
        (
            "facebook",
            "https://facebook.com/Joao.Silva/?fref=nf",
            None,
            "https://www.facebook.com/joao.silva",
            "joao.silva",
        ),
        (
            "linkedin",
            "https://br.linkedin.com/in/Maria-Souza-12ab/?originalSubdomain=br",
            None,
            "https://www.linkedin.com/in/maria-souza-12ab/",
            "maria-souza-12ab",
        ),
        (
            "linkedin",
            "linkedin.com/in/jos%C3%A9-lima",
            None,
            "https://www.linkedin.com/in/jos%C3%A9-lima/",
            "josé-lima",
        ),
        (
            "linkedin",
            "https://www.linkedin.com/company/acme-inc/about/",
            None,
            "https://www.linkedin.com/company/acme-inc/",
            "company/acme-inc",
        ),
        ("twitter", "https://twitter.com/Jack?s=20", None, "https://x.com/jack", "jack"),
        (
            "tiktok",
            "https://www.tiktok.com/@Some.One?lang=pt-BR",
            None,
            "https://www.tiktok.com/@some.one",
            "some.one",
        ),
        ("whatsapp", "https://wa.me/5511987654321", None, "https://wa.me/5511987654321", "5511987654321"),
        (
            "other",
            "HTTPS://Example.com/a/?utm_source=x&b=2#frag",
            None,
            "https://example.com/a?b=2",
            "https://example.com/a?b=2",
        ),
        ("instagram", None, None, None, None),
    ],
)
def test_canonical_profile(platform, url, username, canonical, key):
    profile = canonical_profile(platform, url, username)
    assert (profile.url, profile.key) == (canonical, key)


@pytest.mark.parametrize(
    ("platform", "url", "code"),
    [
        ("instagram", "https://www.facebook.com/ana", "not_a_profile_of_platform"),
        ("instagram", "https://www.instagram.com/p/Cxyz123/", "not_a_profile_url"),
        ("instagram", "https://www.instagram.com/", "not_a_profile_url"),
        ("linkedin", "https://www.linkedin.com/feed/", "not_a_profile_url"),
        ("facebook", "https://www.facebook.com/groups/123/", "not_a_profile_url"),
    ],
)
def test_urls_that_are_not_profiles(platform, url, code):
    with pytest.raises(FieldProblem) as err:
        canonical_profile(platform, url)
    assert err.value.code == code


def test_unknown_platform():
    with pytest.raises(FieldProblem):
        canonical_profile("myspace", "https://myspace.com/x")


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.instagram.com/x/", "instagram"),
        ("instagr.am/x", "instagram"),
        ("https://fb.com/x", "facebook"),
        ("https://pt.linkedin.com/in/x", "linkedin"),
        ("https://x.com/a", "twitter"),
        ("https://example.com", None),
        ("https://notinstagram.com/x", None),
    ],
)
def test_platform_of_url(url, platform):
    assert platform_of_url(url) == platform


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Example.com:443/Path/?utm_medium=a&q=1", "https://example.com/Path?q=1"),
        ("example.com.br", "https://example.com.br"),
        ("http://example.com:8080/", "http://example.com:8080"),
    ],
)
def test_url(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    "raw", ["javascript:alert(1)", "ftp://example.com", "not a url", "https://localhost"]
)
def test_bad_url(raw):
    with pytest.raises(FieldProblem):
        normalise_url(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1234, 1234),
        ("1234", 1234),
        ("1.234", 1234),
        ("1,234", 1234),
        ("1.234.567", 1234567),
        ("12,5 mil", 12500),
        ("1.2k", 1200),
        ("3M", 3_000_000),
        ("2,5 mi", 2_500_000),
        (" 42 ", 42),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_counts(raw, expected):
    assert normalise_count(raw, "followers") == expected


@pytest.mark.parametrize("raw", ["-5", "abc", "1,5", True, "12 apples", -1])
def test_bad_counts(raw):
    with pytest.raises(FieldProblem):
        normalise_count(raw, "followers")


@pytest.mark.parametrize(
    "address",
    [
        "ana@example.com",
        "first.last+tag@sub.example.com.br",
        "o'brien@example.ie",
        "x_y-z@ex-ample.co",
        "a1!#$%&*/=?^`{|}~@example.org",
        "UPPER@EXAMPLE.COM",
    ],
)
def test_fast_email_path_accepts_only_what_email_validator_accepts(address):
    from email_validator import validate_email

    from snapleads_app.domain.leads.normalise import _PLAIN_EMAIL

    assert _PLAIN_EMAIL.match(address.lower())
    assert validate_email(address, check_deliverability=False).normalized.lower() == normalise_email(address)


def _full_path_phone(text: str) -> str | None:
    """libphonenumber alone (normalise_phone before its fast path, step by step), for comparison."""
    import re

    import phonenumbers

    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        text = "+" + digits[2:]
    try:
        number = phonenumbers.parse(text, "BR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        try:
            number = phonenumbers.parse("+" + digits, "BR")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_phone_fast_path_agrees_with_libphonenumber_on_thousands_of_numbers():
    import random

    rng = random.Random(20261125)
    shapes = []
    for _ in range(6000):
        dd = rng.randint(10, 99)
        sub = rng.choice(
            [
                f"9{rng.randint(0, 99999999):08d}",
                f"{rng.randint(0, 99999999):08d}",
                f"7{rng.randint(0, 9999999):07d}",
            ]
        )
        national = f"{dd}{sub}"
        shapes.append(
            rng.choice(
                [
                    f"({dd}) {sub[:-4]}-{sub[-4:]}",
                    f"+55 {dd} {sub}",
                    national,
                    "55" + national,
                    "+55" + national,
                    "0" + national,
                    f"+1 {national}",
                    f"+{national}",
                    f"55 {dd} {sub}",
                    national[: rng.randint(5, 12)],
                    f"{national} ramal 12",
                ]
            )
        )
    fast_hits = 0
    for text in shapes:
        expected = _full_path_phone(text)
        try:
            got = normalise_phone(text)
        except FieldProblem:
            got = None
        assert got == expected, text
        fast_hits += got is not None
    assert fast_hits > 1000  # the comparison covered the fast path, not only rejections
