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
