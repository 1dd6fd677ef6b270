"""Column mapping (English/Portuguese headers → lead fields), row mapping and value parsing."""

from __future__ import annotations

from datetime import date

import pytest

from snapleads_app.domain.imports.mapping import (
    auto_map,
    detect_platform_from_values,
    map_row,
    validate_mapping,
)
from snapleads_app.domain.imports.values import parse_bool, parse_date, parse_number


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("First Name", "first_name"),
        ("Nome", "first_name"),
        ("Primeiro nome", "first_name"),
        ("Sobrenome", "last_name"),
        ("Last name", "last_name"),
        ("Nome completo", "full_name"),
        ("Full name", "full_name"),
        ("Name", "full_name"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Endereço de e-mail", "email"),
        ("E-MAIL DO CONTATO", "email"),
        ("Telefone", "phone"),
        ("Celular", "phone"),
        ("WhatsApp", "phone"),
        ("Phone", "phone"),
        ("Mobile", "phone"),
        ("Telefone comercial", "phone"),
        ("Empresa", "company"),
        ("Company", "company"),
        ("Organização", "company"),
        ("Nome da empresa", "company"),
        ("Cargo", "headline"),
        ("Job title", "headline"),
        ("Título", "headline"),
        ("Headline", "headline"),
        ("Instagram", "instagram"),
        ("@ do instagram", "instagram"),
        ("Instagram URL", "instagram"),
        ("LinkedIn URL", "linkedin"),
        ("Perfil LinkedIn", "linkedin"),
        ("Facebook", "facebook"),
        ("Profile URL", "profile_url"),
        ("URL do perfil", "profile_url"),
        ("Link do perfil", "profile_url"),
        ("Foto de perfil", "avatar_url"),
        ("Seguidores", "followers"),
        ("Followers", "followers"),
        ("Seguindo", "following"),
        ("Following", "following"),
        ("Publicações", "posts"),
        ("Posts", "posts"),
        ("Cidade", "location"),
        ("City", "location"),
        ("Localização", "location"),
        ("Location", "location"),
        ("Site", "website"),
        ("Website", "website"),
        ("Tags", "tags"),
        ("Etiquetas", "tags"),
        ("Marcadores", "tags"),
        ("Bio", "bio"),
        ("Biografia", "bio"),
        ("Descrição", "bio"),
        ("Observações", "notes"),
        ("Notas", "notes"),
        ("Notes", "notes"),
        ("Verificado", "verified"),
        ("Verified", "verified"),
        ("Username", "username"),
        ("Usuário", "username"),
        ("Nome de usuário", "username"),
        ("@", "username"),
        ("Plataforma", "platform"),
        ("Rede social", "platform"),
        ("Platform", "platform"),
        ("  EMAIL  ", "email"),
        ("Data de Nascimento", "custom:data_de_nascimento"),
        ("Score", "custom:score"),
    ],
)
def test_auto_map_single_header(header: str, target: str):
    assert auto_map([header]) == {header: target}


def test_auto_map_never_doubles_a_single_valued_target():
    mapping = auto_map(["Email", "E-mail 2", "Tags", "Etiquetas", "Nome", "Obs", "Notas"])
    assert mapping == {
        "Email": "email",
        "E-mail 2": "custom:e_mail_2",
        "Tags": "tags",
        "Etiquetas": "tags",
        "Nome": "first_name",
        "Obs": "notes",
        "Notas": "notes",
    }


def test_auto_map_city_and_location_both_kept():
    assert auto_map(["Cidade", "Localização"]) == {"Cidade": "city", "Localização": "location"}
    assert auto_map(["Unknown", "unknown!"]) == {"Unknown": "custom:unknown", "unknown!": "custom:unknown_2"}


def test_validate_mapping():
    assert validate_mapping({"a": "email", "b": "tags", "c": "tags", "d": "ignore", "e": "custom:x"}) == []
    problems = validate_mapping({"a": "email", "b": "email", "c": "nope"})
    assert len(problems) == 2


def test_mapping_problems_name_each_faulty_column():
    from snapleads_app.domain.imports.mapping import mapping_problems

    mapping = {
        "a": "email",
        "b": "email",
        "c": "nope",
        "d": "custom:",
        "e": "tags",
        "f": "tags",
        "g": "phone",
    }
    assert mapping_problems(mapping) == {
        "b": "duplicate_target",
        "c": "unknown_target",
        "d": "empty_custom_name",
    }
    assert mapping_problems({"a": "email", "ghost": "phone"}, ["a"]) == {"ghost": "unknown_column"}
    assert mapping_problems({"a": "email", "b": "ignore", "c": "ignore"}, ["a", "b", "c"]) == {}


def test_map_row_names_location_tags_custom():
    mapping = auto_map(["First Name", "Last Name", "Cidade", "Localização", "Tags", "Idade", "Email"])
    row = {
        "First Name": "Ana",
        "Last Name": "Souza",
        "Cidade": "Recife",
        "Localização": "PE, Brasil",
        "Tags": "vip; cliente,vip | sp",
        "Idade": "31",
        "Email": None,
    }
    assert map_row(row, mapping) == {
        "full_name": "Ana Souza",
        "location": "Recife, PE, Brasil",
        "tags": ["vip", "cliente", "sp"],
        "custom_fields": {"idade": "31"},
    }


def test_map_row_social_columns_choose_platform():
    mapping = auto_map(["Nome completo", "LinkedIn URL", "@ do instagram", "Facebook"])
    row = {
        "Nome completo": "Ana",
        "LinkedIn URL": None,
        "@ do instagram": "@ana.lima",
        "Facebook": "facebook.com/ana",
    }
    assert map_row(row, mapping) == {
        "full_name": "Ana",
        "platform": "instagram",
        "username": "ana.lima",
        "custom_fields": {"facebook": "facebook.com/ana"},
    }
    row["LinkedIn URL"] = "https://www.linkedin.com/in/ana/"
    out = map_row(row, mapping)
    assert out["platform"] == "linkedin" and out["profile_url"] == "https://www.linkedin.com/in/ana/"
    assert out["custom_fields"] == {"instagram": "@ana.lima", "facebook": "facebook.com/ana"}


def test_map_row_explicit_platform_and_url_detection():
    mapping = auto_map(["Rede social", "Instagram", "Profile URL"])
    assert map_row({"Rede social": "IG", "Instagram": "ana", "Profile URL": None}, mapping) == {
        "platform": "instagram",
        "username": "ana",
    }
    assert map_row({"Rede social": None, "Instagram": None, "Profile URL": "https://x.com/ana"}, mapping) == {
        "platform": "twitter",
        "profile_url": "https://x.com/ana",
    }
    assert map_row({"Rede social": "Orkut", "Instagram": None, "Profile URL": None}, mapping) == {
        "platform": "orkut"  # unknown: kept for the service to reject with a clear message
    }


def test_detect_platform_from_values():
    values = ["https://www.instagram.com/a/", "instagram.com/b", None, "https://linkedin.com/in/c"]
    assert detect_platform_from_values(values) == "instagram"
    assert detect_platform_from_values(["ana", "bia"]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234", 1234),
        ("1,234", 1234),
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("12,5", 12.5),
        ("1.5", 1.5),
        ("0,123", 0.123),
        ("1.234.567", 1234567),
        ("-1.234,5", -1234.5),
        ("R$ 1.234,56", 1234.56),
        ("12,5%", 12.5),
        ("42", 42),
        ("", None),
        (None, None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_parse_number_decimal_hint_and_errors():
    assert parse_number("1,234", decimal=",") == 1.234
    assert parse_number("1.234", decimal=".") == 1.234
    for bad in ("abc", "1.2.3", "1,2345,6", "12,", "1.234,5.6"):
        with pytest.raises(ValueError):
            parse_number(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sim", True), ("Não", False), ("nao", False), ("yes", True), ("NO", False), ("true", True)]
    + [("False", False), ("1", True), ("0", False), ("x", True), ("✓", True), ("", None), (None, None)],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_bool_rejects_garbage():
    with pytest.raises(ValueError):
        parse_bool("talvez")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2024", date(2024, 3, 5)),
        ("5/3/24", date(2024, 3, 5)),
        ("31/12/99", date(1999, 12, 31)),
        ("05-03-2024", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T14:30:00Z", date(2024, 3, 5)),
        ("2024-03-05 14:30", date(2024, 3, 5)),
        ("05/03/2024 14:30:59", date(2024, 3, 5)),
        ("12/25/2024", date(2024, 12, 25)),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("bad", ["31/02/2024", "2024/13/01", "ontem", "32/01/2024"])
def test_parse_date_rejects(bad):
    with pytest.raises(ValueError):
        parse_date(bad)
