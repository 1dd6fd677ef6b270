"""CSV reading: the corpus in tests/data/csv (table-driven from expected.json), plus the streaming
and memory guarantees. Pure: files only, no database."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from snapleads_app.domain.imports.csv_reader import (
    BAD_ROW_SHAPE,
    MAX_FILE_BYTES,
    UNTERMINATED_QUOTE,
    ImportFileError,
    clean_headers,
    escape_formula,
    iter_chunks,
    preview,
    sniff,
    with_header_row,
)
from snapleads_app.domain.imports.mapping import auto_map

CORPUS = Path(__file__).resolve().parents[1] / "data" / "csv"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _read_all(path: Path, layout, engine: str = "auto", chunk_rows: int = 10_000):
    frames, bad = [], []
    for chunk in iter_chunks(path, layout, chunk_rows=chunk_rows, engine=engine):
        frames.append(chunk.frame)
        bad.extend(chunk.bad_rows)
    frame = pd.concat(frames) if frames else pd.DataFrame(columns=layout.headers)
    return frame, bad


def test_corpus_is_big_enough_and_small():
    assert len(EXPECTED) >= 25
    for name in EXPECTED:
        assert (CORPUS / name).stat().st_size < 50_000, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str):
    exp = EXPECTED[name]
    path = CORPUS / name
    if "error" in exp:
        with pytest.raises(ImportFileError) as info:
            sniff(path)
        assert info.value.code == exp["error"]
        return
    layout = sniff(path)
    assert layout.encoding == exp["encoding"]
    assert layout.separator == exp["separator"]
    assert layout.headers == exp["headers"]
    assert layout.has_header_row == exp.get("has_header_row", True)
    frame, bad = _read_all(path, layout)
    assert list(frame.columns) == exp["headers"]
    assert len(frame) == exp["rows"]
    assert [b.row for b in bad] == exp["bad_rows"]
    # Every value is a stripped non-empty string or None; the index holds the data row numbers.
    for value in frame.to_numpy().ravel():
        assert value is None or (isinstance(value, str) and value == value.strip() and value)
    assert frame.index.is_unique and not set(frame.index) & {b.row for b in bad}
    if exp.get("first_row"):
        first = frame.iloc[0].to_dict()
        assert {k: first[k] for k in exp["first_row"]} == exp["first_row"]
    mapping = auto_map(layout.headers)
    assert {h: mapping[h] for h in exp["mapping"]} == exp["mapping"]
    # Whole-file samples give exact counts.
    assert layout.estimated_rows == exp["rows"] + len(exp["bad_rows"])


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "error" not in e))
def test_pandas_and_stdlib_paths_agree(name: str):
    """The C-engine fast path and the stdlib fallback must read every corpus file identically (the
    fallback takes over mid-file at the first malformed record, so they must count records alike)."""
    path = CORPUS / name
    layout = sniff(path)
    for chunk_rows in (1, 2, 10_000):
        fast, fast_bad = _read_all(path, layout, "auto", chunk_rows)
        slow, slow_bad = _read_all(path, layout, "python", chunk_rows)
        assert fast.to_dict("index") == slow.to_dict("index"), chunk_rows
        assert [(b.row, b.code) for b in fast_bad] == [(b.row, b.code) for b in slow_bad]


def test_bad_rows_carry_raw_text_and_code():
    layout = sniff(CORPUS / "ragged_rows.csv")
    _, bad = _read_all(CORPUS / "ragged_rows.csv", layout)
    assert [(b.row, b.raw, b.code) for b in bad] == [
        (2, "4,5,6,7", BAD_ROW_SHAPE),
        (5, "10,11,12,13,14", BAD_ROW_SHAPE),
    ]
    layout = sniff(CORPUS / "unterminated_quote.csv")
    _, bad = _read_all(CORPUS / "unterminated_quote.csv", layout)
    assert bad[0].code == UNTERMINATED_QUOTE and bad[0].raw.startswith("Bia,")


def test_row_numbers_count_records_not_lines():
    path = CORPUS / "quoted_newlines.csv"
    frame, _ = _read_all(path, sniff(path), chunk_rows=2)
    assert list(frame.index) == [1, 2, 3]
    path = CORPUS / "ragged_rows.csv"
    frame, _ = _read_all(path, sniff(path), chunk_rows=2)
    assert list(frame.index) == [1, 4, 6, 7]  # 3 is blank, 2 and 5 rejected
    assert frame.loc[6].to_dict() == {"a": "15", "b": None, "c": None}


def test_chunks_are_bounded_and_numbered(tmp_path: Path):
    path = tmp_path / "n.csv"
    path.write_text("n;v\n" + "".join(f"{i};x\n" for i in range(1, 2501)), encoding="utf-8")
    layout = sniff(path)
    chunks = list(iter_chunks(path, layout, chunk_rows=1000))
    assert [(c.start_row, c.end_row, len(c.frame)) for c in chunks] == [
        (1, 1000, 1000),
        (1001, 2000, 1000),
        (2001, 2500, 500),
    ]
    assert chunks[1].frame.iloc[0]["n"] == "1001" and chunks[1].row_numbers[0] == 1001
    assert all(dtype.kind == "O" for dtype in chunks[0].frame.dtypes)


def test_preview():
    path = CORPUS / "linkedin_sales_nav.csv"
    rows = preview(path, sniff(path), rows=1)
    assert rows == [
        {
            "First Name": "Carla",
            "Last Name": "Mendes",
            "Title": "Head of Growth",
            "Company": "Fintech SA",
            "LinkedIn URL": "https://www.linkedin.com/in/carla-mendes/",
            "Location": "São Paulo, Brazil",
            "Email": None,
        }
    ]


def test_header_toggle():
    path = CORPUS / "no_header.csv"
    layout = sniff(path)
    assert layout.raw_headers == ["ana@x.com", "11987654321", "Ana"]
    forced = with_header_row(layout, True)
    assert forced.headers == ["ana@x.com", "11987654321", "Ana"]
    frame, _ = _read_all(path, forced)
    assert len(frame) == 1 and list(frame.index) == [1]


def test_clean_headers():
    assert clean_headers([" a  b ", "", "A B", "column_2", "\ufeffx"]) == [
        "a b",
        "column_2",
        "A B_2",
        "column_2_2",
        "x",
    ]


def test_escape_formula():
    assert [escape_formula(v) for v in ["=1+1", "+cmd", "-1", "@SUM(A1)", "ok", None, ""]] == [
        "'=1+1",
        "'+cmd",
        "'-1",
        "'@SUM(A1)",
        "ok",
        None,
        "",
    ]


def test_file_too_large(tmp_path: Path):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.write(b"a,b\n")
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ImportFileError) as info:
        sniff(path)
    assert info.value.code == "file_too_large"


def test_estimated_rows_for_a_file_bigger_than_the_sample(tmp_path: Path):
    path = tmp_path / "est.csv"
    path.write_text(
        "email,name\n" + "".join(f"user{i:06d}@example.com,Name {i:06d}\n" for i in range(60_000))
    )
    layout = sniff(path)
    assert 57_000 <= layout.estimated_rows <= 63_000


def test_streaming_memory_is_bounded(tmp_path: Path):
    """~30 MB in, chunks of 10,000 rows: Python allocations stay far below the file size."""
    path = tmp_path / "stream.csv"
    line = "Ana Souza {i};ana{i}@exemplo.com.br;(11) 98765-4321;Empresa Ltda;12,5 mil;Bio com acentuação e texto\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Nome;E-mail;Telefone;Empresa;Seguidores;Bio\n")
        for start in range(0, 300_000, 10_000):
            fh.write("".join(line.format(i=i) for i in range(start, start + 10_000)))
    size = path.stat().st_size
    assert size > 25_000_000
    layout = sniff(path)
    tracemalloc.start()
    try:
        rows = 0
        for chunk in iter_chunks(path, layout):
            rows += len(chunk.frame)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 300_000
    assert peak < size / 3, (peak, size)


def test_domain_imports_stay_framework_free():
    code = (
        "import sys; import snapleads_app.domain.imports.csv_reader, snapleads_app.domain.imports.mapping, "
        "snapleads_app.domain.imports.values; "
        "print(sorted(m for m in ('reflex', 'fastapi', 'dramatiq', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"
