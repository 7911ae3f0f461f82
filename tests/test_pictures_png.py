"""Tests of the PNG and APNG writers and readers, and the atomic byte writer."""

import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import src.fileio as fileio
from picture_checks import check_apng, chunks_of, decode_independently
from src.fileio import atomic_write_bytes
from src.pictures.png import (PNG_SIGNATURE, encode_apng, encode_png, read_apng, read_png,
                              write_apng, write_png)


def many_colours(height, width, seed=0):
    """An RGB image with (almost surely) more than 256 colours: stored as RGB, not a palette."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_written_file_has_signature_valid_chunks_and_crcs(tmp_path):
    image = many_colours(20, 30)
    path = tmp_path / "picture.png"
    write_png(path, image)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" == PNG_SIGNATURE
    chunks = chunks_of(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (30, 20, 8, 2, 0, 0, 0)
    info = decode_independently(data)
    assert info["colour_type"] == 2 and np.array_equal(info["frames"][0], image)


def test_few_colours_are_stored_as_a_palette(tmp_path):
    image = np.zeros((40, 50, 3), dtype=np.uint8)
    image[:, 25:] = (214, 64, 47)
    image[10:20] = (255, 255, 255)
    path = tmp_path / "flat.png"
    write_png(path, image)
    chunks = chunks_of(path.read_bytes())
    assert [kind for kind, _ in chunks] == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1])[3] == 3
    assert len(chunks[1][1]) == 3 * 3
    assert np.array_equal(decode_independently(path.read_bytes())["frames"][0], image)
    assert np.array_equal(read_png(path), image)
    assert len(path.read_bytes()) < len(encode_png(many_colours(40, 50)))


def test_grey_image_uses_colour_type_0(tmp_path):
    image = np.array([[0, 128, 255]], dtype=np.uint8)
    path = tmp_path / "grey.png"
    write_png(path, image)
    header = chunks_of(path.read_bytes())[0][1]
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
    assert np.array_equal(decode_independently(path.read_bytes())["frames"][0], image)


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


def frames_of(count, shape=(30, 40, 3), seed=1):
    """``count`` frames: a square moving over a still background, and a counter in one corner."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 256, shape, dtype=np.uint8)
    frames = []
    for index in range(count):
        frame = background.copy()
        frame[5:12, index % 30:index % 30 + 7] = (0, 0, 0)
        frame[0, 0] = index
        frames.append(frame)
    return frames


@pytest.mark.parametrize("palette", [False, True])
def test_apng_chunks_frames_and_sequence_numbers(tmp_path, palette):
    frames = frames_of(33)
    if palette:
        frames = [(frame // 64) * 64 for frame in frames]  # at most 64 colours
    path = tmp_path / "animation.png"
    write_apng(path, frames, [500] + [100] * 31 + [2000], loops=0)
    chunks = chunks_of(path.read_bytes())
    kinds = [kind for kind, _ in chunks]
    assert kinds.count(b"acTL") == 1 and kinds.index(b"acTL") < kinds.index(b"IDAT")
    assert kinds.count(b"fcTL") == 33 and kinds.count(b"fdAT") == 32 and kinds.count(b"IDAT") == 1
    assert kinds.index(b"fcTL") < kinds.index(b"IDAT") < kinds.index(b"fdAT")
    assert struct.unpack(">II", dict(chunks)[b"acTL"]) == (33, 0)
    independent = check_apng(path, expected_frames=33)
    assert all(np.array_equal(a, b) for a, b in zip(independent, frames))
    back, delays, loops = read_apng(path)
    assert len(back) == 33 and all(np.array_equal(a, b) for a, b in zip(back, frames))
    assert delays == [500.0] + [100.0] * 31 + [2000.0] and loops == 0
    assert np.array_equal(read_png(path), frames[0])


def test_apng_stores_only_what_changed(tmp_path):
    frames = frames_of(10)
    size = len(encode_apng(frames, 100))
    whole = sum(len(encode_png(frame)) for frame in frames)
    assert size < 0.3 * whole
    controls = [struct.unpack(">IIIIIHHBB", body) for kind, body in chunks_of(
        encode_apng(frames, 100)) if kind == b"fcTL"]
    assert controls[0][1:5] == (40, 30, 0, 0)
    assert all(c[1] < 40 or c[2] < 30 for c in controls[1:])


def test_apng_of_identical_frames_and_of_one_frame(tmp_path):
    path = tmp_path / "still.png"
    frame = many_colours(6, 7)
    write_apng(path, [frame, frame.copy(), frame.copy()], 50)
    back, _, _ = read_apng(path)
    assert len(back) == 3 and all(np.array_equal(f, frame) for f in back)
    assert len(check_apng(path, expected_frames=3)) == 3
    write_apng(path, [frame], 50)
    assert len(read_apng(path)[0]) == 1


def test_read_apng_of_a_plain_png_is_one_frame(tmp_path):
    path = tmp_path / "plain.png"
    image = many_colours(4, 5)
    write_png(path, image)
    frames, delays, _ = read_apng(path)
    assert len(frames) == 1 and np.array_equal(frames[0], image) and delays == [0.0]


def rechunk(chunks):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    return PNG_SIGNATURE + b"".join(chunk(kind, body) for kind, body in chunks)


def test_read_apng_rejects_bad_sequence_numbers_and_frame_counts(tmp_path):
    chunks = chunks_of(encode_apng(frames_of(4), 100))
    path = tmp_path / "bad.png"
    swapped = [(kind, struct.pack(">I", 7) + body[4:]) if kind == b"fdAT" else (kind, body)
               for kind, body in chunks]
    path.write_bytes(rechunk(swapped))
    with pytest.raises(ValueError, match="sequence"):
        read_apng(path)
    miscounted = [(kind, struct.pack(">II", 5, 0)) if kind == b"acTL" else (kind, body)
                  for kind, body in chunks]
    path.write_bytes(rechunk(miscounted))
    with pytest.raises(ValueError, match="announces 5 frames"):
        read_apng(path)


@pytest.mark.parametrize("frames,delays,message", [
    ([], 100, "at least one frame"),
    ([np.zeros((2, 2, 3), np.uint8), np.zeros((3, 2, 3), np.uint8)], 100, "shape"),
    ([np.zeros((2, 2, 3), np.uint8)], 0, "delays"),
    ([np.zeros((2, 2, 3), np.uint8)], 1.5, "delays"),
    ([np.zeros((2, 2, 3), np.uint8)] * 2, [100], "2 frames"),
    ([np.zeros((2, 2, 3), np.float32)], 100, "uint8"),
])
def test_bad_animations_are_value_errors(tmp_path, frames, delays, message):
    with pytest.raises(ValueError, match=message):
        write_apng(tmp_path / "bad.png", frames, delays)
    assert not (tmp_path / "bad.png").exists()
