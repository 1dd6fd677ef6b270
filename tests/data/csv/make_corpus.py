"""Writes the CSV corpus (awkward files people really upload) and expected.json next to this script.

Deterministic: `python tests/data/csv/make_corpus.py` rewrites identical bytes. The expectations are
written by hand here, next to the bytes they describe — never computed by the reader under test.
Expected keys: error (code) | encoding, separator, headers, rows (good data rows), bad_rows (data
row numbers), mapping (header → target, for the key headers), first_row (optional, header → value).
"""

from __future__ import annotations

import json
import random
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES: list[tuple[str, bytes, dict[str, Any]]] = []


def case(name: str, data: bytes, **expected: Any) -> None:
    CASES.append((name, data, expected))


# 1. pt-BR Excel export: ';', cp1252 (with an en dash 0x96 and “quotes”), decimal commas, dd/mm/yyyy.
case(
    "ptbr_excel_cp1252.csv",
    (
        "Nome;E-mail;Telefone;Empresa;Seguidores;Data de cadastro;Ticket médio\r\n"
        "João da Silva;joao@exemplo.com.br;(11) 98765-4321;Padaria São Jorge – Matriz;1.234;05/03/2024;1.234,56\r\n"
        "Maria “Mari” Conceição;maria@exemplo.com;11 3456-7890;Açaí & Cia;12,5 mil;31/12/2023;99,90\r\n"
        "Zé Ninguém;;;;;;\r\n"
    ).encode("cp1252"),
    encoding="cp1252",
    separator=";",
    headers=["Nome", "E-mail", "Telefone", "Empresa", "Seguidores", "Data de cadastro", "Ticket médio"],
    rows=3,
    bad_rows=[],
    mapping={
        "Nome": "first_name",
        "E-mail": "email",
        "Telefone": "phone",
        "Empresa": "company",
        "Seguidores": "followers",
        "Data de cadastro": "custom:data_de_cadastro",
    },
    first_row={"Empresa": "Padaria São Jorge – Matriz", "Ticket médio": "1.234,56"},
)

# 2. UTF-8 with BOM, comma separated.
case(
    "utf8_bom.csv",
    "\ufeffFull Name,Email Address,Company\nAna Souza,ana@x.com,Acme\nBruno Lima,bruno@y.com,Beta\n".encode(),
    encoding="utf-8-sig",
    separator=",",
    headers=["Full Name", "Email Address", "Company"],
    rows=2,
    bad_rows=[],
    mapping={"Full Name": "full_name", "Email Address": "email", "Company": "company"},
    first_row={"Full Name": "Ana Souza"},
)

# 3. Excel "Unicode text": UTF-16 LE with BOM, tab separated.
case(
    "utf16le_bom_tab.csv",
    b"\xff\xfe"
    + "Nome\tCelular\tCidade\r\nLuíza\t+55 21 99999-0000\tRio de Janeiro\r\nOtávio\t21988887777\tNiterói\r\n".encode(
        "utf-16-le"
    ),
    encoding="utf-16",
    separator="\t",
    headers=["Nome", "Celular", "Cidade"],
    rows=2,
    bad_rows=[],
    mapping={"Nome": "first_name", "Celular": "phone", "Cidade": "location"},
    first_row={"Nome": "Luíza", "Cidade": "Rio de Janeiro"},
)

# 4. UTF-16 BE with BOM, comma separated.
case(
    "utf16be_bom.csv",
    b"\xfe\xff" + "name,city\nÉrica,São Paulo\n".encode("utf-16-be"),
    encoding="utf-16",
    separator=",",
    headers=["name", "city"],
    rows=1,
    bad_rows=[],
    mapping={"name": "full_name", "city": "location"},
    first_row={"name": "Érica", "city": "São Paulo"},
)

# 5. BOM-less UTF-16 LE (detected by the NUL pattern).
case(
    "utf16le_nobom.csv",
    "Email;Nome\nana@x.com;Ana\nbia@x.com;Bia\n".encode("utf-16-le"),
    encoding="utf-16-le",
    separator=";",
    headers=["Email", "Nome"],
    rows=2,
    bad_rows=[],
    mapping={"Email": "email", "Nome": "first_name"},
)

# 6. latin-1 (no 0x80-0x9F bytes).
case(
    "latin1.csv",
    "Nome,Observações\nJosé,Ação não concluída\nInês,Ótimo\n".encode("latin-1"),
    encoding="latin-1",
    separator=",",
    headers=["Nome", "Observações"],
    rows=2,
    bad_rows=[],
    mapping={"Nome": "first_name", "Observações": "notes"},
    first_row={"Observações": "Ação não concluída"},
)

# 7. Pipe separated.
case(
    "pipe.csv",
    b"username|followers|bio\nana.silva|1,234|Loves | pipes? no\nbeto|12|hi\n",
    encoding="utf-8",
    separator="|",
    headers=["username", "followers", "bio"],
    rows=1,
    bad_rows=[1],  # "Loves | pipes? no" unquoted: one field too many
    mapping={"username": "username", "followers": "followers", "bio": "bio"},
)

# 8. Tab separated with commas inside values.
case(
    "tab.tsv.csv",
    b"Name\tLocation\tTags\nAna\tSao Paulo, SP\tvip, cliente\nBia\tCuritiba, PR\tlead\n",
    encoding="utf-8",
    separator="\t",
    headers=["Name", "Location", "Tags"],
    rows=2,
    bad_rows=[],
    mapping={"Name": "full_name", "Location": "location", "Tags": "tags"},
    first_row={"Location": "Sao Paulo, SP", "Tags": "vip, cliente"},
)

# 9. Quoted newlines (and a quoted separator on the same row): records ≠ lines.
case(
    "quoted_newlines.csv",
    b'name,bio,email\n"Ana","Line one\nLine two, with comma\nLine three",ana@x.com\nBia,"one\r\ntwo",bia@x.com\n'
    b"Caio,plain,caio@x.com\n",
    encoding="utf-8",
    separator=",",
    headers=["name", "bio", "email"],
    rows=3,
    bad_rows=[],
    mapping={"bio": "bio", "email": "email"},
    first_row={"bio": "Line one\nLine two, with comma\nLine three"},
)

# 10. Quoted separators: semicolon file whose quoted values hold many semicolons and commas.
case(
    "quoted_separators.csv",
    b'Nome;Bio;Tags\n"Ana";"a;b;c;d;e;f";"x,y"\n"Bia";"1;2";"z"\nCaio;sem;aspas\n',
    encoding="utf-8",
    separator=";",
    headers=["Nome", "Bio", "Tags"],
    rows=3,
    bad_rows=[],
    mapping={"Nome": "first_name", "Bio": "bio", "Tags": "tags"},
    first_row={"Bio": "a;b;c;d;e;f", "Tags": "x,y"},
)

# 11. Doubled quotes inside quoted fields.
case(
    "doubled_quotes.csv",
    b'name,headline\n"Ana ""Aninha"" Souza","CEO at ""Acme"", Inc."\n',
    encoding="utf-8",
    separator=",",
    headers=["name", "headline"],
    rows=1,
    bad_rows=[],
    mapping={"name": "full_name", "headline": "headline"},
    first_row={"name": 'Ana "Aninha" Souza', "headline": 'CEO at "Acme", Inc.'},
)

# 12. Duplicate headers (case-insensitive) → name, name_2, ...
case(
    "duplicate_headers.csv",
    b"Email,email,Telefone,Telefone,Telefone\na@x.com,b@x.com,1,2,3\n",
    encoding="utf-8",
    separator=",",
    headers=["Email", "email_2", "Telefone", "Telefone_2", "Telefone_3"],
    rows=1,
    bad_rows=[],
    mapping={
        "Email": "email",
        "email_2": "custom:email_2",
        "Telefone": "phone",
        "Telefone_2": "custom:telefone_2",
    },
)

# 13. Blank headers in the middle → column_<n>; whitespace in headers collapsed.
case(
    "blank_headers.csv",
    b"  First   Name ,,Last Name, \nAna,x,Souza,y\n",
    encoding="utf-8",
    separator=",",
    headers=["First Name", "column_2", "Last Name", "column_4"],
    rows=1,
    bad_rows=[],
    mapping={"First Name": "first_name", "Last Name": "last_name", "column_2": "custom:column_2"},
)

# 14. Trailing empty columns (Excel residue ";;;") are dropped.
case(
    "trailing_empty_columns.csv",
    b"Nome;Email;;;\r\nAna;ana@x.com;;;\r\nBia;bia@x.com;;;\r\n",
    encoding="utf-8",
    separator=";",
    headers=["Nome", "Email"],
    rows=2,
    bad_rows=[],
    mapping={"Nome": "first_name", "Email": "email"},
)

# 15. Only the header row: valid, zero rows.
case(
    "only_headers.csv",
    b"Nome;E-mail;Telefone\r\n",
    encoding="utf-8",
    separator=";",
    headers=["Nome", "E-mail", "Telefone"],
    rows=0,
    bad_rows=[],
    mapping={"E-mail": "email"},
)

# 16-19. Not importable.
case("empty.csv", b"", error="empty_file")
case("blank_lines_only.csv", b"\xef\xbb\xbf\r\n\r\n  \r\n", error="empty_file")
case(
    "png_renamed.csv",
    b"\x89PNG\r\n\x1a\n" + bytes(random.Random(7).randrange(256) for _ in range(300)),
    error="binary_file",
)
_xlsx = BytesIO()
with zipfile.ZipFile(_xlsx, "w") as _zip:
    _zip.writestr(zipfile.ZipInfo("[Content_Types].xml", (2024, 1, 1, 0, 0, 0)), "<Types/>")
    _zip.writestr(zipfile.ZipInfo("xl/workbook.xml", (2024, 1, 1, 0, 0, 0)), "<workbook/>")
case("xlsx_renamed.csv", _xlsx.getvalue(), error="binary_file")
case(
    "nul_bytes.csv",
    b"name,email\nana\x00\x00\x01\x02,\x00\x00x\x00\x00\x00\x00\x03\n" * 3,
    error="binary_file",
)
case("html_page.csv", b"<!DOCTYPE html><html><body>Login</body></html>\n", error="not_csv")

# 21. Formula-looking cells pass through untouched (escaping is for files we write).
case(
    "formulas.csv",
    b'name,notes,score\nAna,"=HYPERLINK(""http://evil"",""x"")",-1\nBia,+cmd|\' /C calc\'!A0,@SUM(1+1)\n',
    encoding="utf-8",
    separator=",",
    headers=["name", "notes", "score"],
    rows=2,
    bad_rows=[],
    mapping={"notes": "notes", "score": "custom:score"},
    first_row={"notes": '=HYPERLINK("http://evil","x")', "score": "-1"},
)

# 22. 10,000-character cells.
_long = "".join(random.Random(3).choice("abcdefghij áé;,") for _ in range(10_000)).strip()
case(
    "long_cells.csv",
    ('bio;name\n"' + _long + '";Ana\n"' + _long[::-1].strip() + '";Bia\n').encode(),
    encoding="utf-8",
    separator=";",
    headers=["bio", "name"],
    rows=2,
    bad_rows=[],
    mapping={"bio": "bio"},
    first_row={"bio": _long, "name": "Ana"},
)

# 23. Duplicate rows within the file: the reader keeps both (dedup is the service's job).
case(
    "duplicate_rows.csv",
    b"email,name\nana@x.com,Ana\nana@x.com,Ana\nANA@X.COM,Ana\n",
    encoding="utf-8",
    separator=",",
    headers=["email", "name"],
    rows=3,
    bad_rows=[],
    mapping={"email": "email"},
)

# 24. Ragged rows: too many fields (rows 2 and 5) → bad rows; too few → padded; trailing blank
# extra fields (row 4) are not an error; a blank line (row 3) is counted but skipped.
case(
    "ragged_rows.csv",
    b"a,b,c\n1,2,3\n4,5,6,7\n\n8,9,,\n10,11,12,13,14\n15\n16,17,18\n",
    encoding="utf-8",
    separator=",",
    headers=["a", "b", "c"],
    rows=4,
    bad_rows=[2, 5],
    mapping={},
    first_row={"a": "1", "b": "2", "c": "3"},
)

# 25. Mixed line endings \r\n, \n, \r.
case(
    "mixed_line_endings.csv",
    b"name,email\r\nAna,ana@x.com\nBia,bia@x.com\rCaio,caio@x.com\r\nDora,dora@x.com",
    encoding="utf-8",
    separator=",",
    headers=["name", "email"],
    rows=4,
    bad_rows=[],
    mapping={"email": "email"},
)

# 26. Emoji and accents (UTF-8, no BOM).
case(
    "emoji_accents.csv",
    "Nome completo,Biografia,Localização\nJoão 🚀 Gonçalves,Café ☕ e código 👩🏽‍💻,Brasília\nÅsa Ñúñez,“smart” — quotes,Düsseldorf\n".encode(),
    encoding="utf-8",
    separator=",",
    headers=["Nome completo", "Biografia", "Localização"],
    rows=2,
    bad_rows=[],
    mapping={"Nome completo": "full_name", "Biografia": "bio", "Localização": "location"},
    first_row={"Nome completo": "João 🚀 Gonçalves", "Biografia": "Café ☕ e código 👩🏽‍💻"},
)

# 27. Numbers with thousands separators, quoted in a comma file.
case(
    "thousands.csv",
    b'Followers,Following,Posts,Revenue\n"1,234","12,345",1.234,"1,234,567.89"\n"12.345.678",0,7,"1.234,56"\n',
    encoding="utf-8",
    separator=",",
    headers=["Followers", "Following", "Posts", "Revenue"],
    rows=2,
    bad_rows=[],
    mapping={
        "Followers": "followers",
        "Following": "following",
        "Posts": "posts",
        "Revenue": "custom:revenue",
    },
    first_row={"Followers": "1,234", "Revenue": "1,234,567.89"},
)

# 28. Instagram-export-like (scraper tools).
case(
    "instagram_export.csv",
    (
        "username,full_name,profile url,followers,following,is_verified,biography\n"
        'ana.silva,Ana Silva,https://www.instagram.com/ana.silva/,"12,5 mil",300,sim,Confeitaria 🍰\n'
        "beto_fit,Beto,https://instagram.com/beto_fit,1.2k,1000,não,Personal trainer\n"
    ).encode(),
    encoding="utf-8",
    separator=",",
    headers=["username", "full_name", "profile url", "followers", "following", "is_verified", "biography"],
    rows=2,
    bad_rows=[],
    mapping={
        "username": "username",
        "full_name": "full_name",
        "profile url": "profile_url",
        "followers": "followers",
        "following": "following",
        "is_verified": "verified",
        "biography": "bio",
    },
    first_row={"followers": "12,5 mil"},
)

# 29. LinkedIn Sales Navigator-like export.
case(
    "linkedin_sales_nav.csv",
    (
        "First Name,Last Name,Title,Company,LinkedIn URL,Location,Email\n"
        "Carla,Mendes,Head of Growth,Fintech SA,https://www.linkedin.com/in/carla-mendes/,"
        '"São Paulo, Brazil",\n'
        "Diego,Ramos,CTO,DevCo,linkedin.com/in/diegoramos,Remote,diego@devco.io\n"
    ).encode(),
    encoding="utf-8",
    separator=",",
    headers=["First Name", "Last Name", "Title", "Company", "LinkedIn URL", "Location", "Email"],
    rows=2,
    bad_rows=[],
    mapping={
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "headline",
        "Company": "company",
        "LinkedIn URL": "linkedin",
        "Location": "location",
        "Email": "email",
    },
)

# 30. A file with only one column (no separator at all).
case(
    "one_column.csv",
    b"E-mail\nana@x.com\nbia@x.com\n\ncaio@x.com\n",
    encoding="utf-8",
    separator=",",
    headers=["E-mail"],
    rows=3,
    bad_rows=[],
    mapping={"E-mail": "email"},
)

# 31. Excel's "sep=;" hint line before the header.
case(
    "excel_sep_hint.csv",
    b"sep=;\r\nNome;Cidade\r\nAna;Recife\r\n",
    encoding="utf-8",
    separator=";",
    headers=["Nome", "Cidade"],
    rows=1,
    bad_rows=[],
    mapping={"Nome": "first_name", "Cidade": "location"},
    first_row={"Nome": "Ana", "Cidade": "Recife"},
)

# 32. No header row: line 1 is already data (e-mails, phones).
case(
    "no_header.csv",
    b"ana@x.com;11987654321;Ana\nbia@x.com;11912345678;Bia\n",
    encoding="utf-8",
    separator=";",
    headers=["column_1", "column_2", "column_3"],
    rows=2,
    bad_rows=[],
    mapping={"column_1": "custom:column_1"},
    has_header_row=False,
)

# 33. A quote that never closes: rows before it are kept, the rest is one rejected row.
case(
    "unterminated_quote.csv",
    b'name,bio\nAna,ok\nBia,"starts here\nCaio,never ends\nDora,x\n',
    encoding="utf-8",
    separator=",",
    headers=["name", "bio"],
    rows=1,
    bad_rows=[2],
    mapping={"bio": "bio"},
)

# 34. Mostly-Portuguese CRM export with social columns and tags.
case(
    "ptbr_social_columns.csv",
    (
        "Nome completo;@ do instagram;Perfil LinkedIn;Facebook;Etiquetas;Verificado;Rede social;Publicações\n"
        'Ana Lima;@ana.lima;;;"vip;cliente|sp";sim;;42\n'
        "Bruno Reis;;linkedin.com/in/bruno-reis;;;não;;7\n"
    ).encode(),
    encoding="utf-8",
    separator=";",
    headers=[
        "Nome completo",
        "@ do instagram",
        "Perfil LinkedIn",
        "Facebook",
        "Etiquetas",
        "Verificado",
        "Rede social",
        "Publicações",
    ],
    rows=2,
    bad_rows=[],
    mapping={
        "Nome completo": "full_name",
        "@ do instagram": "instagram",
        "Perfil LinkedIn": "linkedin",
        "Facebook": "facebook",
        "Etiquetas": "tags",
        "Verificado": "verified",
        "Rede social": "platform",
        "Publicações": "posts",
    },
)


def main() -> None:
    expected: dict[str, dict[str, Any]] = {}
    names = {name for name, _, _ in CASES}
    for stale in HERE.glob("*.csv"):
        if stale.name not in names:
            stale.unlink()
    for name, data, exp in CASES:
        assert len(data) < 50_000, name
        (HERE / name).write_bytes(data)
        expected[name] = exp
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(CASES)} files to {HERE}")


if __name__ == "__main__":
    main()
