"""Uploads read as they stream: CSV records exactly as the csv module reads the whole file, whatever pieces
the bytes arrive in, each with the physical line it starts on."""

import csv
import io
import random

from fairpath.vetting.uploads import csv_records


async def pieces(data: bytes, size: int):
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def read(text: str, size: int) -> list:
    return [r async for r in csv_records(pieces(text.encode(), size))]


def blank(fields: list[str] | None) -> bool:
    """A record of one blank field: a blank line (left out when reading), or as good as one."""
    return fields is not None and len(fields) <= 1 and not "".join(fields).strip()


def as_the_csv_module_reads(text: str) -> list[tuple[int, list[str]]]:
    """(line the record starts on, fields) for each record, blank ones left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, line = [], 1
    for row in reader:
        if not blank(row):
            out.append((line, row))
        line = reader.line_num + 1
    return out


async def test_records_are_read_as_the_csv_module_reads_them_in_any_pieces():
    rng = random.Random(4180)
    alphabet = ["a", "b", "é", ",", '"', '""', "\n", "\r\n", " "]
    checked = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if '"' in text and text.rstrip("\r\n").count('"') % 2:
            text += '"'  # mostly closed quotes; the odd ones left open are checked below
        got = await read(text, rng.randint(1, 9))
        try:
            expected = as_the_csv_module_reads(text)
        except csv.Error:  # a bare carriage return: the csv module refuses the file, we the record
            assert any(r.error for r in got)
            continue
        if got and got[-1].error and "not closed" in got[-1].error:
            continue  # the csv module reads an open quoted field to the end of the file as a value
        assert [(r.line, r.fields) for r in got if not blank(r.fields)] == expected, text
        checked += 1
    assert checked > 2000


async def test_a_record_spanning_lines_is_reported_where_it_starts_and_reading_goes_on():
    text = 'h1,h2\n"a\nb",1\nx,"y\r\nz"\n\n\xff\n"open,2\nlast,3\n'
    data = text.encode().replace("\xff".encode(), b"\xff")
    got = [r async for r in csv_records(pieces(data, 3))]
    assert [(r.line, r.lines, r.fields, r.error) for r in got] == [
        (1, 1, ["h1", "h2"], None),
        (2, 2, ["a\nb", "1"], None),
        (4, 2, ["x", "y\r\nz"], None),
        (7, 1, None, "not UTF-8 text"),
        (8, 2, None, "a quoted field is not closed by the end of the file"),
    ]
