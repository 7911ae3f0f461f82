"""Tests of the PNG writer and reader, the atomic byte writer and the bitmap font."""

import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import src.fileio as fileio
from src.fileio import atomic_write_bytes
from src.png import (PNG_SIGNATURE, draw_text, encode_png, read_png,
                     text_size, write_png)


def split_chunks(data):
    """The (type, body, stored crc) triples of PNG bytes, parsed independently of src.png."""
    chunks = []
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        chunks.append((kind, body, crc))
        position += 12 + length
    return chunks


def test_written_file_has_signature_valid_chunks_and_crcs(tmp_path):
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    path = tmp_path / "picture.png"
    write_png(path, image)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" == PNG_SIGNATURE
    chunks = split_chunks(data)
    assert [kind for kind, _, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    for kind, body, crc in chunks:
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (5, 4, 8, 2, 0, 0, 0)
    raw = zlib.decompress(chunks[1][1])
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(4, 1 + 5 * 3)
    assert np.all(rows[:, 0] == 0)
    assert np.array_equal(rows[:, 1:].reshape(4, 5, 3), image)


def test_grey_image_uses_colour_type_0(tmp_path):
    image = np.array([[0, 128, 255]], dtype=np.uint8)
    path = tmp_path / "grey.png"
    write_png(path, image)
    header = split_chunks(path.read_bytes())[0][1]
    assert struct.unpack(">IIBBBBB", header) == (3, 1, 8, 0, 0, 0, 0)
    assert np.array_equal(read_png(path), image)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_read_png_inverts_write_png(tmp_path_factory, data):
    grey = data.draw(st.booleans())
    height = data.draw(st.integers(1, 12))
    width = data.draw(st.integers(1, 12))
    shape = (height, width) if grey else (height, width, 3)
    image = data.draw(arrays(np.uint8, shape))
    path = tmp_path_factory.mktemp("roundtrip") / "image.png"
    write_png(path, image)
    back = read_png(path)
    assert back.dtype == np.uint8
    assert back.shape == image.shape
    assert np.array_equal(back, image)


def filtered_png(image, filter_type):
    """PNG bytes of an RGB ``image`` with every row stored with ``filter_type`` (1-4)."""
    height, width, _ = image.shape
    pixels = image.astype(int).reshape(height, width * 3)
    lines = []
    previous = np.zeros(width * 3, dtype=int)
    for row in pixels:
        out = []
        for i, value in enumerate(row):
            left = row[i - 3] if i >= 3 else 0
            up = previous[i]
            up_left = previous[i - 3] if i >= 3 else 0
            if filter_type == 1:
                predictor = left
            elif filter_type == 2:
                predictor = up
            elif filter_type == 3:
                predictor = (left + up) // 2
            else:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
            out.append((value - predictor) % 256)
        lines.append(bytes([filter_type]) + bytes(out))
        previous = row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    return (PNG_SIGNATURE + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(lines))) + chunk(b"IEND", b""))


@pytest.mark.parametrize("filter_type", [1, 2, 3, 4])
def test_read_png_undoes_every_filter(tmp_path, filter_type):
    image = np.random.default_rng(filter_type).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    path = tmp_path / "filtered.png"
    path.write_bytes(filtered_png(image, filter_type))
    assert np.array_equal(read_png(path), image)


@pytest.mark.parametrize("bad", [
    np.zeros((4, 4, 3), dtype=np.float64),
    np.zeros((4, 4, 3), dtype=np.int32),
    np.zeros((4, 4, 4), dtype=np.uint8),
    np.zeros((4,), dtype=np.uint8),
    np.zeros((2, 2, 2, 3), dtype=np.uint8),
    np.zeros((0, 4, 3), dtype=np.uint8),
    np.zeros((4, 0), dtype=np.uint8),
    [[0, 1], [2, 3]],
])
def test_bad_image_is_a_value_error(tmp_path, bad):
    path = tmp_path / "bad.png"
    with pytest.raises(ValueError):
        write_png(path, bad)
    assert not path.exists()


def test_read_png_rejects_corrupt_files(tmp_path):
    path = tmp_path / "image.png"
    good = encode_png(np.zeros((3, 3, 3), dtype=np.uint8))
    path.write_bytes(b"not a png at all")
    with pytest.raises(ValueError, match="signature"):
        read_png(path)
    broken = bytearray(good)
    broken[20] ^= 0xFF
    path.write_bytes(bytes(broken))
    with pytest.raises(ValueError, match="CRC"):
        read_png(path)
    path.write_bytes(good[:-20])
    with pytest.raises(ValueError):
        read_png(path)


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "out.png"
    write_png(path, np.zeros((2, 2, 3), dtype=np.uint8))
    write_png(path, np.full((2, 2, 3), 7, dtype=np.uint8))
    assert os.listdir(tmp_path) == ["out.png"]
    assert np.all(read_png(path) == 7)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"
    atomic_write_bytes(path, b"old contents")

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new contents")
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_invalid_image_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.png"
    write_png(path, np.zeros((2, 2, 3), dtype=np.uint8))
    before = path.read_bytes()
    with pytest.raises(ValueError):
        write_png(path, np.zeros((2, 2, 3), dtype=np.float32))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["out.png"]


def test_draw_text_marks_pixels_inside_its_box_only():
    image = np.zeros((20, 40, 3), dtype=np.uint8)
    draw_text(image, 2, 3, "1.5%", (255, 0, 0))
    width, height = text_size("1.5%")
    assert (width, height) == (4 * 6 - 1, 7)
    painted = np.argwhere(image.any(axis=2))
    assert len(painted) > 0
    assert painted[:, 0].min() >= 3 and painted[:, 0].max() < 3 + height
    assert painted[:, 1].min() >= 2 and painted[:, 1].max() < 2 + width
    assert np.all(image[image.any(axis=2)] == [255, 0, 0])


def test_draw_text_scales_clips_and_handles_unknown_characters():
    small = draw_text(np.zeros((10, 10), dtype=np.uint8), 0, 0, "8", 255)
    big = draw_text(np.zeros((20, 20), dtype=np.uint8), 0, 0, "8", 255, scale=2)
    assert np.array_equal(big[::2, ::2][:7, :5], small[:7, :5])
    assert big.sum() == 4 * small.sum()
    edge = draw_text(np.zeros((5, 5), dtype=np.uint8), 3, 2, "W", 255)
    assert edge.any()
    question = draw_text(np.zeros((8, 6), dtype=np.uint8), 0, 0, "?", 255)
    unknown = draw_text(np.zeros((8, 6), dtype=np.uint8), 0, 0, "\u00e9", 255)
    assert np.array_equal(question, unknown)


def test_digits_have_distinct_glyphs():
    glyphs = {draw_text(np.zeros((7, 5), dtype=np.uint8), 0, 0, char, 1).tobytes()
              for char in "0123456789.-% abcXYZ"}
    assert len(glyphs) == 20
