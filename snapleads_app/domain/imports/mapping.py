"""Column mapping: which lead field each CSV column feeds, proposed from header names (English and
Portuguese), and the mapping of one row into the lead-field dict the import service normalises.

Pure functions. Targets are LEAD_FIELDS, `custom:<slug>` (kept in `custom_fields`) or `ignore`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from snapleads_app.domain.leads.normalise import platform_of_url

LEAD_FIELDS = (
    "platform",
    "username",
    "full_name",
    "first_name",
    "last_name",
    "profile_url",
    "avatar_url",
    "bio",
    "email",
    "phone",
    "website",
    "location",
    "city",
    "company",
    "headline",
    "followers",
    "following",
    "posts",
    "verified",
    "notes",
    "tags",
    "source_url",
    "status",
    "instagram",
    "linkedin",
    "facebook",
)
IGNORE = "ignore"
CUSTOM_PREFIX = "custom:"
MULTI_VALUED = frozenset({"tags", "notes"})  # several columns may feed these; they are merged
SOCIAL_COLUMNS = ("instagram", "linkedin", "facebook")


def _key(text: str) -> str:
    """Accents, case, spaces and punctuation removed: "Endereço de E-mail" → "enderecodeemail"."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def slug(text: str) -> str:
    """ "Data de Nascimento" → "data_de_nascimento" (custom field keys)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:60] or "field"


# Exact header names (after _key) in English and Portuguese. Checked before the keyword rules.
_ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("platform", "plataforma", "redesocial", "rede", "socialnetwork", "network", "canal"),
    "username": (
        "username",
        "user",
        "usuario",
        "nomedeusuario",
        "login",
        "handle",
        "arroba",
        "userhandle",
        "screenname",
    ),
    "full_name": (
        "name",
        "fullname",
        "nomecompleto",
        "nomeinteiro",
        "contactname",
        "contato",
        "contact",
        "lead",
        "nomedocontato",
        "nomedolead",
        "cliente",
        "displayname",
    ),
    "first_name": ("firstname", "nome", "primeironome", "givenname", "prenome", "first"),
    "last_name": ("lastname", "sobrenome", "ultimonome", "surname", "familyname", "last"),
    "profile_url": (
        "profileurl",
        "profilelink",
        "urldoperfil",
        "linkdoperfil",
        "url",
        "link",
        "perfilurl",
        "profile",
        "urlperfil",
        "linkperfil",
        "perfil",
    ),
    "avatar_url": (
        "avatar",
        "avatarurl",
        "photo",
        "photourl",
        "foto",
        "fotodoperfil",
        "fotodeperfil",
        "profilepicture",
        "profilepic",
        "profilepicurl",
        "picture",
        "imagem",
        "image",
    ),
    "bio": (
        "bio",
        "biografia",
        "biography",
        "descricao",
        "description",
        "about",
        "sobre",
        "summary",
        "resumo",
    ),
    "email": (
        "email",
        "emailaddress",
        "enderecodeemail",
        "enderecoemail",
        "correioeletronico",
        "mail",
        "emailprincipal",
        "workemail",
        "emailcomercial",
    ),
    "phone": (
        "phone",
        "telefone",
        "celular",
        "whatsapp",
        "mobile",
        "mobilephone",
        "phonenumber",
        "tel",
        "fone",
        "numerodetelefone",
        "cel",
        "zap",
        "wpp",
    ),
    "website": ("website", "site", "web", "homepage", "pagina", "sitio", "urldosite", "sitedaempresa"),
    "location": ("location", "localizacao", "local", "localidade", "endereco", "address", "regiao"),
    "city": ("city", "cidade", "municipio", "town"),
    "company": (
        "company",
        "empresa",
        "organizacao",
        "organization",
        "organisation",
        "companyname",
        "nomedaempresa",
        "employer",
        "negocio",
        "business",
    ),
    "headline": (
        "headline",
        "title",
        "jobtitle",
        "cargo",
        "titulo",
        "position",
        "funcao",
        "role",
        "ocupacao",
    ),
    "followers": ("followers", "seguidores", "followerscount", "numerodeseguidores", "nseguidores"),
    "following": ("following", "seguindo", "followingcount"),
    "posts": ("posts", "publicacoes", "postscount", "mediacount", "postagens"),
    "verified": ("verified", "verificado", "isverified", "verificada", "contaverificada"),
    "notes": (
        "notes",
        "note",
        "notas",
        "nota",
        "observacoes",
        "observacao",
        "obs",
        "comments",
        "comentarios",
    ),
    "tags": ("tags", "tag", "etiquetas", "etiqueta", "marcadores", "marcador", "labels", "label", "rotulos"),
    "source_url": ("sourceurl", "origem", "urldeorigem", "fonte", "sourcelink"),
    "status": ("status", "situacao", "estagio", "leadstatus", "etapa"),
    "instagram": (
        "instagram",
        "instagramurl",
        "doinstagram",
        "arrobadoinstagram",
        "instagramhandle",
        "perfilinstagram",
        "perfildoinstagram",
        "ig",
        "insta",
    ),
    "linkedin": (
        "linkedin",
        "linkedinurl",
        "perfillinkedin",
        "perfildolinkedin",
        "linkedinprofile",
        "linkedinprofileurl",
    ),
    "facebook": ("facebook", "facebookurl", "perfilfacebook", "perfildofacebook", "fb", "facebookprofile"),
}
_EXACT: dict[str, str] = {_key(alias): target for target, aliases in _ALIASES.items() for alias in aliases}

# Keyword rules for the headers no alias matches ("E-mail do lead", "Telefone comercial"): the first
# rule whose keywords appear in the key wins, so the specific ones come first.
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("instagram",), "instagram"),
    (("linkedin",), "linkedin"),
    (("facebook",), "facebook"),
    (("avatar", "foto", "photo", "picture"), "avatar_url"),
    (("email", "mail"), "email"),
    (("telefone", "celular", "whatsapp", "phone", "mobile", "fone"), "phone"),
    (("usuario", "username"), "username"),
    (("seguidores", "followers"), "followers"),
    (("seguindo", "following"), "following"),
    (("publicacoes", "postagens"), "posts"),
    (("empresa", "company", "organizacao", "organization"), "company"),
    (("cargo", "jobtitle"), "headline"),
    (("sobrenome", "lastname"), "last_name"),
    (("firstname", "primeironome"), "first_name"),
    (("nomecompleto", "fullname"), "full_name"),
    (("website", "site"), "website"),
    (("cidade", "city"), "city"),
    (("localizacao", "location"), "location"),
    (("observa", "notas", "notes"), "notes"),
    (("biografia", "biography"), "bio"),
    (("perfil", "profile"), "profile_url"),
)


def target_for_header(header: str) -> str | None:
    """The lead field a header names, or None. Pure look-up, no collision handling."""
    stripped = header.strip()
    key = _key(stripped)
    if not key:
        return "username" if "@" in stripped else None  # a column titled "@"
    if key in _EXACT:
        return _EXACT[key]
    for keywords, target in _RULES:
        if any(k in key for k in keywords):
            return target
    return None


def known_header(cell: str) -> bool:
    """True when a cell is a header name we recognise (helps decide if line 1 is a header)."""
    return target_for_header(cell) is not None


def auto_map(headers: Iterable[str]) -> dict[str, str]:
    """Proposed target per header: a lead field, or `custom:<slug>` for the unknown ones.

    A single-valued field is given to the first header that asks for it; later ones become custom
    fields (nothing is lost). A "City" column feeds `location` unless a real location column exists.
    """
    headers = list(headers)
    wanted = {h: target_for_header(h) for h in headers}
    has_location = any(t == "location" for t in wanted.values())
    taken: set[str] = set()
    used_slugs: set[str] = set()
    mapping: dict[str, str] = {}
    for header in headers:
        target = wanted[header]
        if target == "city" and not has_location and "location" not in taken:
            target = "location"
        if target is not None and (target in MULTI_VALUED or target not in taken):
            taken.add(target)
            mapping[header] = target
            continue
        base = slug(header)
        name, n = base, 1
        while name in used_slugs:
            n += 1
            name = f"{base}_{n}"
        used_slugs.add(name)
        mapping[header] = CUSTOM_PREFIX + name
    return mapping


MAPPING_PROBLEMS = {
    "empty_custom_name": "empty custom field name",
    "unknown_target": "unknown target",
    "duplicate_target": "field already fed by another column",
    "unknown_column": "no such column in the file",
}


def mapping_problems(mapping: Mapping[str, str], headers: Sequence[str] | None = None) -> dict[str, str]:
    """Per column: what is wrong with a user-edited mapping, as a code of MAPPING_PROBLEMS (empty when fine).
    The second column feeding a single-valued field is the one flagged."""
    problems: dict[str, str] = {}
    seen: dict[str, str] = {}
    known = set(headers) if headers is not None else None
    for header, target in mapping.items():
        if known is not None and header not in known:
            problems[header] = "unknown_column"
            continue
        if target == IGNORE:
            continue
        if target.startswith(CUSTOM_PREFIX):
            if not slug(target[len(CUSTOM_PREFIX) :]) or target[len(CUSTOM_PREFIX) :].strip() == "":
                problems[header] = "empty_custom_name"
            continue
        if target not in LEAD_FIELDS:
            problems[header] = "unknown_target"
        elif target not in MULTI_VALUED and target in seen:
            problems[header] = "duplicate_target"
        seen.setdefault(target, header)
    return problems


def apply_preset(
    preset: Mapping[str, str], headers: Sequence[str], auto: Mapping[str, str]
) -> dict[str, str]:
    """A saved mapping on a new file: each column takes the preset's target when the preset knows it (same
    header, or the same header up to case/accents/punctuation), else keeps its auto-mapping."""
    by_slug = {slug(header): target for header, target in preset.items()}
    out: dict[str, str] = {}
    for header in headers:
        target = preset.get(header) or by_slug.get(slug(header))
        out[header] = target if target else auto.get(header, IGNORE)
    # A preset must not make two columns feed one single-valued field: the later column is ignored.
    problems = mapping_problems(out)
    return {h: (IGNORE if problems.get(h) == "duplicate_target" else t) for h, t in out.items()}


def validate_mapping(mapping: Mapping[str, str]) -> list[str]:
    """Problems with a user-edited mapping as sentences (empty list when fine)."""
    seen: dict[str, str] = {}
    for header, target in mapping.items():
        seen.setdefault(target, header)
    sentences = []
    for header, code in mapping_problems(mapping).items():
        target = mapping[header]
        if code == "duplicate_target":
            sentences.append(f"{header}: {target!r} is already fed by {seen[target]!r}")
        elif code == "unknown_target":
            sentences.append(f"{header}: unknown target {target!r}")
        else:
            sentences.append(f"{header}: {MAPPING_PROBLEMS[code]}")
    return sentences


_PLATFORM_WORDS = {
    "instagram": "instagram",
    "ig": "instagram",
    "insta": "instagram",
    "facebook": "facebook",
    "fb": "facebook",
    "linkedin": "linkedin",
    "li": "linkedin",
    "twitter": "twitter",
    "x": "twitter",
    "tiktok": "tiktok",
    "whatsapp": "whatsapp",
    "wpp": "whatsapp",
    "zap": "whatsapp",
    "outro": "other",
    "outra": "other",
    "other": "other",
}


def platform_from_text(text: str | None) -> str | None:
    """ "Instagram", "IG", "LinkedIn", "linkedin.com/in/x" → the platform slug, else None."""
    if not text:
        return None
    word = _PLATFORM_WORDS.get(_key(text))
    if word:
        return word
    return platform_of_url(text) if "." in text else None


def detect_platform_from_values(sample_values: Iterable[str | None]) -> str | None:
    """The platform most sample URLs (or platform names) point to, when at least half agree."""
    votes: dict[str, int] = {}
    total = 0
    for value in sample_values:
        if not value:
            continue
        total += 1
        platform = platform_from_text(value.strip())
        if platform:
            votes[platform] = votes.get(platform, 0) + 1
    if not votes:
        return None
    best = max(votes, key=lambda p: votes[p])
    return best if votes[best] * 2 >= total else None


def _looks_like_url(value: str) -> bool:
    return "/" in value or bool(re.search(r"\.(com|br|me|net|org)\b", value, re.IGNORECASE))


def split_tags(value: str | None) -> list[str]:
    if not value:
        return []
    return [t.strip() for t in re.split(r"[,;|]", value) if t.strip()]


def map_row(row: Mapping[str, str | None], mapping: Mapping[str, str]) -> dict[str, object]:
    """One CSV row (header → stripped value or None) → the lead-field dict the service normalises.

    Values stay raw strings (the service validates and reports per-field problems), except:
    `tags` is a list; `custom_fields` a dict; first/last name are joined into `full_name`; city
    joins `location`; and the instagram/linkedin/facebook columns decide the platform when the row
    names none (the first such column with a value, in column order) and give the profile URL or
    username; the other social columns are kept in custom_fields so nothing is lost.
    """
    out: dict[str, object] = {}
    tags: list[str] = []
    notes: list[str] = []
    custom: dict[str, str] = {}
    social: list[tuple[str, str]] = []
    first = last = city = None
    for header, target in mapping.items():
        value = row.get(header)
        if value is None or target == IGNORE:
            continue
        value = value.strip() if isinstance(value, str) else value
        if not value:
            continue
        if target.startswith(CUSTOM_PREFIX):
            custom[target[len(CUSTOM_PREFIX) :]] = value
        elif target == "tags":
            tags.extend(t for t in split_tags(value) if t not in tags)
        elif target == "notes":
            notes.append(value)
        elif target == "first_name":
            first = value
        elif target == "last_name":
            last = value
        elif target == "city":
            city = value
        elif target in SOCIAL_COLUMNS:
            social.append((target, value))
        elif target in LEAD_FIELDS:
            out.setdefault(target, value)

    if "full_name" not in out and (first or last):
        out["full_name"] = " ".join(p for p in (first, last) if p)
    if city:
        location = out.get("location")
        out["location"] = city if not location or city in str(location) else f"{city}, {location}"

    platform = platform_from_text(str(out["platform"])) if out.get("platform") else None
    if out.get("platform") and platform is None:
        platform = str(out["platform"]).strip().lower()  # unknown: the service rejects it clearly
    if platform is None and out.get("profile_url"):
        platform = platform_of_url(str(out["profile_url"]))
    for column, value in social:
        if platform is None:
            platform = column
        if column == platform and "profile_url" not in out and "username" not in out:
            if _looks_like_url(value):
                out["profile_url"] = value
            else:
                out["username"] = value.lstrip("@")
        else:
            custom.setdefault(column, value)
    if platform is not None:
        out["platform"] = platform
    if tags:
        out["tags"] = tags
    if notes:
        out["notes"] = "\n".join(notes)
    if custom:
        out["custom_fields"] = custom
    return out
