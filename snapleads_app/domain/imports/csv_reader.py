"""Reading the CSV files people actually upload (Brazilian Excel first), streaming and pure.

`sniff` looks at the first megabyte only and decides encoding, separator and headers; `iter_chunks`
streams the whole file in bounded chunks (pandas' C engine, with the stdlib `csv` module taking over
from the first malformed record); `preview` is the first chunk as dicts. Nothing here touches the
database; every failure is an `ImportFileError` with a stable `code` the UI translates.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from snapleads_app.domain.imports.mapping import known_header

MAX_FILE_BYTES = 200 * 1024 * 1024
SAMPLE_BYTES = 1024 * 1024  # what sniff reads: enough for encoding + a row-length estimate
SEPARATORS = (",", ";", "\t", "|")
_SNIFF_RECORDS = 200  # records used to score separator candidates

ERROR_CODES = ("empty_file", "file_too_large", "binary_file", "undecodable_text", "not_csv", "no_columns")

# Row-level rejection codes (BadRow.code).
BAD_ROW_SHAPE = "bad_row_shape"  # more fields than the header, and the extra ones are not blank
UNTERMINATED_QUOTE = "unterminated_quote"  # a quote opened and never closed: the rest is unreliable


class ImportFileError(ValueError):
    """The file as a whole cannot be imported. `code` is one of ERROR_CODES (stable, translated by
    the UI); `detail` is an English explanation for logs and the API."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CsvLayout:
    encoding: str  # a Python codec name: utf-8, utf-8-sig, utf-16, utf-16-le, utf-16-be, cp1252, latin-1
    separator: str
    headers: list[str]  # cleaned, unique; the DataFrame columns
    raw_headers: list[str]  # the first record as written (also when it is data, has_header_row=False)
    has_header_row: bool
    estimated_rows: int  # exact when the whole file fitted in the sample
    size_bytes: int
    field_count: int = 0  # fields per record in the file, including dropped trailing empty columns
    kept_columns: tuple[int, ...] = ()  # positions (in a record) of the columns behind `headers`
    skip_lines: int = 0  # an Excel "sep=;" line and/or leading blank lines before the header


class BadRow(NamedTuple):
    row: int  # 1-based data row number (records after the header, blank ones counted)
    raw: str  # the record re-serialised with the file's separator (truncated to 2,000 chars)
    code: str = BAD_ROW_SHAPE


@dataclass(slots=True)
class Chunk:
    """`frame` holds only the good, non-blank rows; its index is their data row numbers, so an error
    found later can still name the row the user sees (data row n = spreadsheet line n + 1)."""

    start_row: int  # data row number of the first record read into this chunk
    frame: pd.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    end_row: int = 0  # data row number of the last record read (progress: end_row / estimated_rows)

    @property
    def row_numbers(self) -> list[int]:
        return [int(i) for i in self.frame.index]


# ------------------------------------------------------------------------------------------- sniff

# Signatures of files people rename to .csv (or export by mistake).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel .xlsx workbook or a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Excel .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")  # \x1a: old DOS end-of-file marker, allowed
_DATA_LIKE = re.compile(
    r"^(\S+@\S+\.\S+|https?://\S+|www\.\S+|[+(]?\d[\d\s().,/-]{2,}|\d+)$",
    re.IGNORECASE,
)


def sniff(path: Path) -> CsvLayout:
    """Encoding, separator and headers of `path`, from its first megabyte. Raises ImportFileError."""
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError("empty_file", "The file is empty.")
    if size > MAX_FILE_BYTES:
        raise ImportFileError("file_too_large", f"The file has {size} bytes; the limit is {MAX_FILE_BYTES}.")
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    whole = len(head) >= size
    encoding = _detect_encoding(head)
    text = _decode_sample(head, encoding, final=whole)
    if not text.strip():
        raise ImportFileError("empty_file", "The file holds no text (only blanks or a byte-order mark).")
    if len(_CONTROL.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise ImportFileError("binary_file", "The file holds binary data, not text.")
    lead = text.lstrip().lower()
    if lead.startswith(("<?xml", "<html", "<!doctype", "<table", '{"', "[{")):
        raise ImportFileError("not_csv", "The file is HTML, XML or JSON, not CSV.")

    text = text.lstrip("\ufeff")  # a second BOM, or one the codec kept
    skip_lines, forced_sep, text = _skip_preamble(text)
    separator = forced_sep or _detect_separator(text, whole)
    records = _parse_sample(text, separator, whole)
    if not records:
        raise ImportFileError("empty_file", "The file holds no records.")
    first = records[0]
    data = [r for r in records[1:] if any(v.strip() for v in r)]
    has_header = _looks_like_header(first)
    if has_header:
        field_count = len(first)
        body = data
    else:
        body = [first, *data]
        field_count = Counter(len(r) for r in body).most_common(1)[0][0]
    raw_headers = list(first)
    names = raw_headers if has_header else [""] * field_count
    names = (names + [""] * field_count)[:field_count]

    # Trailing columns with no header and no value in the sample are Excel's residue ("a;b;;;").
    kept = list(range(field_count))
    while kept and not names[kept[-1]].strip() and not any(_cell(r, kept[-1]) for r in body):
        kept.pop()
    if not kept:
        raise ImportFileError("no_columns", "The file has no named column and no values.")
    headers = clean_headers([names[i] for i in kept])

    if whole:
        estimated = len(body)
    else:
        # Cheap: bytes per record in the sample, applied to the file size.
        sample_records = max(1, len(records))
        estimated = round((size / len(head)) * sample_records) - (1 if has_header else 0)
    return CsvLayout(
        encoding=encoding,
        separator=separator,
        headers=headers,
        raw_headers=raw_headers,
        has_header_row=has_header,
        estimated_rows=max(0, estimated),
        size_bytes=size,
        field_count=field_count,
        kept_columns=tuple(kept),
        skip_lines=skip_lines,
    )


def with_header_row(layout: CsvLayout, has_header_row: bool) -> CsvLayout:
    """The same layout with the user's answer to "is the first line a header?" (the preview toggle)."""
    if has_header_row == layout.has_header_row:
        return layout
    count = layout.field_count
    kept = layout.kept_columns
    if has_header_row:
        names = (layout.raw_headers + [""] * count)[:count]
        headers = clean_headers([names[i] for i in kept])
        estimated = max(0, layout.estimated_rows - 1)
    else:
        headers = clean_headers([""] * len(kept))
        estimated = layout.estimated_rows + 1
    return replace(layout, has_header_row=has_header_row, headers=headers, estimated_rows=estimated)


def _detect_encoding(head: bytes) -> str:
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise ImportFileError("binary_file", f"The file is {what}, not CSV. Save it as CSV and retry.")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and drops it
    if b"\x00" in head:
        # BOM-less UTF-16: mostly-ASCII text has a NUL in every other byte, on one side only.
        probe = head[:8192]
        even, odd = probe[0::2].count(0), probe[1::2].count(0)
        pairs = max(1, len(probe) // 2)
        if odd > pairs * 0.3 and even < pairs * 0.05:
            return "utf-16-le"
        if even > pairs * 0.3 and odd < pairs * 0.05:
            return "utf-16-be"
        raise ImportFileError("binary_file", "The file holds NUL bytes: it is binary, not text.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows Excel in Brazil writes cp1252; latin-1 differs only in 0x80-0x9F, where cp1252 has
    # punctuation (“ ” – € …) and latin-1 has invisible control codes.
    if re.search(rb"[\x80-\x9f]", head):
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return "latin-1"


def _decode_sample(head: bytes, encoding: str, *, final: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        return decoder.decode(head, final=final)
    except UnicodeDecodeError as exc:
        raise ImportFileError("undecodable_text", f"The file is not valid {encoding} text: {exc}") from exc


def _skip_preamble(text: str) -> tuple[int, str | None, str]:
    """Excel's "sep=;" hint line and leading blank lines come before the header."""
    skipped, forced = 0, None
    while True:
        line, nl, rest = _split_first_line(text)
        if not nl:
            return skipped, forced, text
        if skipped == 0 and forced is None and re.fullmatch(r'"?sep=(.)"?', line.strip(), re.IGNORECASE):
            forced = line.strip().strip('"')[4]
        elif not line.strip():
            pass
        else:
            return skipped, forced, text
        skipped += 1
        text = rest


def _split_first_line(text: str) -> tuple[str, str, str]:
    match = re.search(r"\r\n|\n|\r", text)
    if not match:
        return text, "", ""
    return text[: match.start()], match.group(), text[match.end() :]


def _parse_sample(text: str, separator: str, whole: bool, limit: int | None = None) -> list[list[str]]:
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"'):
            records.append(record)
            if limit is not None and len(records) > limit:
                break
    except csv.Error:
        pass  # a runaway quote or a giant field in the sample: judge by what was read before it
    else:
        if not whole and (limit is None or len(records) <= limit) and records:
            records.pop()  # the sample cut the last record short
    return records


def _detect_separator(text: str, whole: bool) -> str:
    """The candidate that splits the header into the most columns with the data rows agreeing.

    Counted with a quote-aware parser, so "a;b" inside quotes or a quoted newline cannot vote; the
    header matters most because Brazilian decimal commas (12,5) live in data rows, not in headers.
    """
    sample = text[:65536]
    best: tuple[float, int, int] = (0.0, 1, 0)
    chosen = ","
    for order, sep in enumerate(SEPARATORS):
        if sep not in sample:
            continue
        records = [r for r in _parse_sample(sample, sep, whole or len(text) <= 65536, _SNIFF_RECORDS) if r]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = records[1:_SNIFF_RECORDS] or records[:1]
        agree = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (agree, width, -order)
        if score > best:
            best, chosen = score, sep
    return chosen


def _looks_like_header(first: list[str]) -> bool:
    cells = [c.strip() for c in first if c.strip()]
    if not cells:
        return True  # a blank first record: treated as a header of blank names (column_<n>)
    if any(known_header(c) for c in cells):
        return True
    return not any(_DATA_LIKE.match(c) for c in cells)


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def clean_headers(raw: list[str]) -> list[str]:
    """Strip, collapse whitespace, `column_<n>` for blanks, `name_2`, `name_3` for repeats (the
    repeat check ignores case, since "Email" and "email" would collide in most consumers)."""
    out: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(raw, start=1):
        text = unicodedata.normalize("NFC", name).replace("\ufeff", "")
        text = re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()
        base = text or f"column_{position}"
        candidate, n = base, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


# ------------------------------------------------------------------------------------------ chunks


def preview(path: Path, layout: CsvLayout, rows: int = 20) -> list[dict[str, str | None]]:
    """The first `rows` good rows as dicts (header → value or None)."""
    out: list[dict[str, str | None]] = []
    for chunk in iter_chunks(path, layout, chunk_rows=max(1, rows)):
        out.extend(_frame_dicts(chunk.frame))
        if len(out) >= rows:
            break
    return out[:rows]


def _frame_dicts(frame: pd.DataFrame) -> list[dict[str, str | None]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def iter_chunks(
    path: Path, layout: CsvLayout, chunk_rows: int = 10_000, *, engine: str = "auto"
) -> Iterator[Chunk]:
    """Stream the file as chunks of at most `chunk_rows` records (memory bounded by the chunk).

    Values are stripped strings or None. Blank records are skipped (but counted, so row numbers
    match the spreadsheet). A record with more fields than the header is a BadRow unless the extra
    fields are blank (a trailing separator); a record with fewer fields is padded with None.

    engine: "auto" (pandas C engine, handing over to the stdlib parser at the first malformed
    record), "python" (stdlib only; used by the tests to prove both paths agree).
    """
    if engine not in ("auto", "python"):
        raise ValueError(f"unknown engine {engine!r}")
    consumed = 0  # data records handed out so far (blank ones included)
    if engine == "auto" and not _first_rows_too_wide(path, layout):
        fast = _iter_pandas(path, layout, chunk_rows)
        try:
            for chunk in fast:
                consumed = chunk.end_row
                yield chunk
            return
        except pd.errors.ParserError:
            # Why not on_bad_lines="warn": warnings are process-global (not thread-safe in a worker)
            # and carry no raw text. The stdlib parser resumes after the last chunk handed out.
            pass
        finally:
            fast.close()
    yield from _iter_stdlib(path, layout, chunk_rows, skip_data=consumed)


def _first_rows_too_wide(path: Path, layout: CsvLayout) -> bool:
    """pandas silently drops the extra fields of the FIRST data row (it takes them for an index),
    so a file whose first rows are too wide goes straight to the stdlib parser."""
    with path.open(encoding=layout.encoding, errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=layout.separator, quotechar='"')
        try:
            for _ in range(layout.skip_lines + (1 if layout.has_header_row else 0)):
                next(reader)
            for _ in range(5):
                if len(next(reader)) > layout.field_count:
                    return True
        except (StopIteration, csv.Error):
            pass
    return False


def _iter_pandas(path: Path, layout: CsvLayout, chunk_rows: int) -> Generator[Chunk, None, None]:
    names = [f"_c{i}" for i in range(layout.field_count)]
    kept = [names[i] for i in layout.kept_columns]
    reader = pd.read_csv(
        path,
        sep=layout.separator,
        encoding=layout.encoding,
        encoding_errors="replace",  # a stray byte deep in a 200 MB file must not abort the import
        engine="c",
        header=0 if layout.has_header_row else None,
        names=names,
        index_col=False,
        skiprows=layout.skip_lines,
        dtype=object,
        keep_default_na=False,
        na_values=[],
        quotechar='"',
        doublequote=True,
        skip_blank_lines=False,  # blank records keep their number; dropped below
        on_bad_lines="error",
        chunksize=chunk_rows,
    )
    done = 0
    with reader:
        for raw in reader:
            count = len(raw)
            frame = raw[kept]
            frame = frame.set_axis(list(layout.headers), axis=1)
            frame.index = pd.RangeIndex(done + 1, done + count + 1)
            frame = _clean_frame(frame)
            start = done + 1
            done += count
            yield Chunk(start_row=start, frame=frame, end_row=done)


def _clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    cleaned: dict[str, Any] = {}
    for column in frame.columns:
        values = frame[column].str.strip()
        cleaned[column] = values.where(values.notna() & (values != ""), None).astype(object)
    out = pd.DataFrame(cleaned, index=frame.index, dtype=object)
    out = out.where(out.notna(), None)  # the row-padding NaN of short records → None
    return out.loc[out.notna().any(axis=1)]


class _LineTap:
    """Feeds csv.reader line by line and keeps the lines of the current record: the exact raw text
    of a rejected row, and a way to see a quote still open at the end of the file."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def pop_record(self) -> str:
        text = "".join(self.taken)
        self.taken = []
        return text


def _iter_stdlib(path: Path, layout: CsvLayout, chunk_rows: int, *, skip_data: int) -> Iterator[Chunk]:
    width = layout.field_count
    kept = layout.kept_columns
    with path.open(encoding=layout.encoding, errors="replace", newline="") as fh:
        tap = _LineTap(iter(fh))
        reader = csv.reader(tap, delimiter=layout.separator, quotechar='"', doublequote=True)
        try:
            for _ in range(layout.skip_lines + (1 if layout.has_header_row else 0) + skip_data):
                next(reader)
        except StopIteration:
            return
        tap.pop_record()
        row_number = skip_data
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        bad: list[BadRow] = []
        start = row_number + 1
        records = _records(reader, tap)
        upcoming = next(records, None)
        while upcoming is not None:
            (record, raw), upcoming = upcoming, next(records, None)
            row_number += 1
            if record is None or (upcoming is None and _open_quote(raw)):
                bad.append(BadRow(row_number, raw.rstrip("\r\n")[:2000], UNTERMINATED_QUOTE))
                break
            if len(record) > width and any(v.strip() for v in record[width:]):
                bad.append(BadRow(row_number, raw.rstrip("\r\n")[:2000], BAD_ROW_SHAPE))
            else:
                values = [(record[i].strip() or None) if i < len(record) else None for i in kept]
                if any(v is not None for v in values):
                    rows.append(values)
                    numbers.append(row_number)
            if row_number - start + 1 >= chunk_rows:
                yield _chunk(layout, start, row_number, rows, numbers, bad)
                rows, numbers, bad = [], [], []
                start = row_number + 1
        if rows or bad or row_number >= start:
            yield _chunk(layout, start, row_number, rows, numbers, bad)


def _records(reader: Iterator[list[str]], tap: _LineTap) -> Iterator[tuple[list[str] | None, str]]:
    """(fields, raw text) per record; (None, raw) once and stop when the parser gives up (a field
    over the stdlib's 128 KiB limit: a quote that never closed)."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None, tap.pop_record()
            return
        yield record, tap.pop_record()


def _open_quote(raw: str) -> bool:
    """The last record spans several lines and holds an odd number of quotes: a quote opened and
    the file ended (the parser swallowed the rest of the file into one field)."""
    return raw.count('"') % 2 == 1 and len(raw.rstrip("\r\n").splitlines()) > 1


def _chunk(
    layout: CsvLayout,
    start: int,
    end: int,
    rows: list[list[str | None]],
    numbers: list[int],
    bad: list[BadRow],
) -> Chunk:
    frame = pd.DataFrame(
        rows, columns=list(layout.headers), index=pd.Index(numbers, dtype="int64"), dtype=object
    )
    return Chunk(start_row=start, frame=frame, bad_rows=bad, end_row=end)


# ----------------------------------------------------------------------------------------- export


def escape_formula(value: str | None) -> str | None:
    """For CSV files we write back (rejected rows): a cell starting with = + - @ or a tab/CR is run
    as a formula by Excel/Sheets ("CSV injection"); a leading apostrophe makes it text."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
