import gzip

import pytest

from journal.platform.compression import MIN_SIZE, accepts, compress, worth_compressing


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        (None, False),
    ],
)
def test_accepts_gzip_reads_the_header_and_its_weights(header, expected):
    assert accepts(header, "gzip") is expected


@pytest.mark.parametrize(
    ("mimetype", "status", "size", "encoded", "expected"),
    [
        ("text/html", 200, MIN_SIZE, False, True),
        ("text/javascript", 200, 50_000, False, True),
        ("application/manifest+json", 200, 900, False, True),
        ("text/html", 422, 5_000, False, True),
        ("text/html", 404, 5_000, False, True),
        ("text/html", 200, MIN_SIZE - 1, False, False),
        ("image/png", 200, 14_000, False, False),
        ("text/css", 206, 5_000, False, False),
        ("text/css", 304, 0, False, False),
        ("text/css", 200, 5_000, True, False),
    ],
)
def test_only_text_answers_big_enough_are_compressed(mimetype, status, size, encoded, expected):
    assert worth_compressing(mimetype, status, size, encoded) is expected


def test_compress_round_trips_and_gives_the_same_bytes_each_time():
    body = ("How are you feeling today? " * 100).encode()
    packed = compress(body)
    assert gzip.decompress(packed) == body
    assert compress(body) == packed
    assert len(packed) < len(body) / 10


def test_compress_writes_a_plain_gzip_header_with_no_timestamp():
    packed = compress(b"<p>Waiting for results</p>" * 40)
    # Magic, deflate, no flags, a zero timestamp: any browser's gzip reads it.
    assert packed[:8] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00"


def test_compress_packs_a_page_as_small_as_zlib_level_5_within_two_percent():
    rows = "".join(
        f'<li class="entry"><a href="/entries/{n}">Entry {n}</a> distress {n % 11}'
        f" <span>{['Worried', 'Hopeful', 'Tired', 'Calm'][n % 4]}</span></li>\n"
        for n in range(600))
    body = f"<!doctype html><ul>{rows}</ul>".encode()
    ours, zlibs = len(compress(body)), len(gzip.compress(body, compresslevel=5, mtime=0))
    assert gzip.decompress(compress(body)) == body
    assert ours <= zlibs * 1.02
