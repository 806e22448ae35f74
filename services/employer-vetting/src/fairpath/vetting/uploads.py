"""Reading an upload as it streams in, with flat memory: its physical lines, or its CSV records.

A CSV record (RFC 4180, as Python's `csv` module reads it) may span lines: a quoted field can hold a line
break. Records are therefore read by the `csv` module, never by splitting at line breaks; each keeps the
number of the physical line it starts on, so a bad record is reported where a person opening the file
finds it. The bytes are cut at line feeds (a line feed never occurs inside a UTF-8 sequence) and decoded
line by line, so nothing holds more than one record at a time and a line that is not UTF-8 costs only
its record.
"""

import csv
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

MAX_LINE_BYTES = 1 << 20
MAX_RECORD_BYTES = 1 << 20

# One field as the csv module reads it (default dialect, not strict): quoted, with "" for a quote and
# whatever follows the closing quote up to the next comma; or unquoted, quotes in it taken literally;
# or empty. Possessive quantifiers make "" always an escaped quote, as the csv module reads it.
_FIELD = r'(?:"(?:[^"]|"")*+"(?:[^,"][^,]*+)?|[^,"][^,]*+|)'
# A line that ends its record, read from the start of a record, or from inside a quoted field.
_ENDS_FROM_START = re.compile(_FIELD + r"(?:," + _FIELD + r")*+")
_ENDS_FROM_QUOTED = re.compile(r'(?:[^"]|"")*+"(?:[^,"][^,]*+)?(?:,' + _FIELD + r")*+")


async def physical_lines(
    chunks: AsyncIterator[bytes], max_line_bytes: int = MAX_LINE_BYTES
) -> AsyncIterator[tuple[int, bytes | None, int]]:
    """Physical lines (without their line feed) with their numbers (from 1) and the bytes read so far,
    chunk by chunk; None for a line too long to hold (it is read to its end, but not kept)."""
    buffer = b""
    number = read = 0
    overlong = False
    async for chunk in chunks:
        read += len(chunk)
        buffer += chunk
        # Lines are cut at offsets: slicing what is left after each line would copy the chunk once a line.
        start = 0
        while True:
            cut = buffer.find(b"\n", start)
            if cut < 0:
                break
            number += 1
            yield number, (None if overlong else buffer[start:cut]), read
            overlong = False
            start = cut + 1
        buffer = buffer[start:]
        if len(buffer) > max_line_bytes:
            buffer, overlong = b"", True
    if buffer or overlong:
        yield number + 1, (None if overlong else buffer), read


def ends_record(line: str, *, in_quotes: bool) -> bool:
    """Whether a record ends with this physical line: it does unless the line leaves a quoted field open.
    `in_quotes`: the line starts inside a quoted field the lines before it opened."""
    if '"' not in line:
        return not in_quotes
    return (_ENDS_FROM_QUOTED if in_quotes else _ENDS_FROM_START).fullmatch(line) is not None


@dataclass(frozen=True)
class CsvRecord:
    """A record of the upload: its fields, or why it cannot be read (then `fields` is None)."""

    line: int  # the physical line it starts on, from 1
    lines: int  # the physical lines it spans
    fields: list[str] | None
    error: str | None
    bytes_read: int


async def csv_records(
    chunks: AsyncIterator[bytes], max_record_bytes: int = MAX_RECORD_BYTES
) -> AsyncIterator[CsvRecord]:
    """The records of a CSV upload as they arrive, blank lines left out. A record that cannot be read comes
    with its reason and the line it starts on (the reading goes on at the next line): a line that is not
    UTF-8, a record over `max_record_bytes`, a quoted field still open at the end of the upload, or what
    the csv module refuses."""
    pending: list[str] = []
    start = size = read = 0
    in_quotes = False

    def reset() -> None:
        nonlocal size, in_quotes
        pending.clear()
        size, in_quotes = 0, False

    async for number, raw, read in physical_lines(chunks, max_record_bytes):
        first = number if not pending else start
        spans = number - first + 1
        if raw is None:
            reset()
            yield CsvRecord(first, spans, None, f"record longer than {max_record_bytes} bytes", read)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            reset()
            yield CsvRecord(first, spans, None, "not UTF-8 text", read)
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        start = first
        size += len(raw) + 1
        pending.append(text)
        in_quotes = not ends_record(text, in_quotes=in_quotes)
        if in_quotes:
            if size > max_record_bytes:
                reset()
                yield CsvRecord(first, spans, None, f"record longer than {max_record_bytes} bytes", read)
            continue
        record = "\n".join(pending)
        reset()
        if not record.strip():
            continue
        yield _parsed(record, first, spans, read)
    if pending:
        yield CsvRecord(start, len(pending), None, "a quoted field is not closed by the end of the file", read)


def _parsed(record: str, line: int, spans: int, read: int) -> CsvRecord:
    try:
        rows = list(csv.reader([record + "\n"]))
    except csv.Error as exc:
        return CsvRecord(line, spans, None, f"not a CSV record: {exc}", read)
    if len(rows) != 1:  # never expected: the lines were cut where the csv module ends a record
        return CsvRecord(line, spans, None, "not one CSV record", read)
    return CsvRecord(line, spans, rows[0], None, read)
