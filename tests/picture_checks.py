"""Checks of PNG and APNG files written independently of src.pictures: struct and zlib only.

``decode_independently(data)`` parses the chunks, checks every CRC, the APNG
frame count and the sequence numbers of fcTL/fdAT chunks, and rebuilds every
frame (filters None, Sub and Up, RGB, grey or palette), so a test can compare
what the project's reader returns with what the file holds.
"""

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks_of(data):
    """[(type, body)] of PNG bytes, every CRC checked."""
    assert data[:8] == SIGNATURE, "not a PNG signature"
    chunks, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def _unfilter(raw, width, height, bpp):
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, 1 + width * bpp)
    out = np.zeros((height, width * bpp), dtype=np.uint8)
    for r in range(height):
        kind, line = rows[r, 0], rows[r, 1:].astype(np.int64)
        if kind == 0:
            out[r] = line
        elif kind == 1:
            out[r] = (np.cumsum(line.reshape(-1, bpp), axis=0).reshape(-1)) % 256
        elif kind == 2:
            out[r] = (line + (out[r - 1] if r else 0)) % 256
        else:
            raise AssertionError(f"filter {kind} is not one this writer uses")
    return out


def decode_independently(data):
    """``{"frames": [...], "sequence": [...], "announced": n or None, "colour_type": t}``."""
    chunks = chunks_of(data)
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0 and colour_type in (0, 2, 3)
    bpp = 3 if colour_type == 2 else 1
    palette = None
    for kind, body in chunks:
        if kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
    announced = None
    pieces, sequence = [], []
    for kind, body in chunks:
        if kind == b"acTL":
            announced = struct.unpack(">II", body)[0]
        elif kind == b"fcTL":
            fields = struct.unpack(">IIIIIHHBB", body)
            sequence.append(fields[0])
            pieces.append([fields, b""])
        elif kind == b"fdAT":
            sequence.append(struct.unpack(">I", body[:4])[0])
            pieces[-1][1] += body[4:]
        elif kind == b"IDAT":
            if pieces:
                pieces[-1][1] += body
            else:
                pieces.append([(0, width, height, 0, 0, 0, 0, 0, 0), body])
    frames = []
    canvas = np.zeros((height, width, 3 if colour_type in (2, 3) else 1), dtype=np.uint8)
    for fields, compressed in pieces:
        _, w, h, x, y = fields[:5]
        assert fields[7] == 0, "this writer never disposes frames"
        pixels = _unfilter(zlib.decompress(compressed), w, h, bpp).reshape(h, w, bpp)
        if palette is not None:
            pixels = palette[pixels[:, :, 0]]
        canvas[y:y + h, x:x + w] = pixels
        frames.append(canvas[:, :, 0].copy() if canvas.shape[2] == 1 else canvas.copy())
    return {"frames": frames, "sequence": sequence, "announced": announced,
            "colour_type": colour_type}


def check_apng(path, expected_frames=None):
    """Assert ``path`` is a well-formed APNG (frame count, sequence numbers); return its frames."""
    info = decode_independently(path.read_bytes())
    assert info["announced"] == len(info["frames"]), "acTL frame count differs from the frames"
    if expected_frames is not None:
        assert info["announced"] == expected_frames
    assert info["sequence"] == list(range(len(info["sequence"]))), "sequence numbers out of order"
    return info["frames"]


def glyph_mask(text, scale=1):
    """Where ``draw_text`` puts pixels for ``text`` at (0, 0): boolean (h, w)."""
    from src.pictures.font import draw_text, text_size

    width, height = text_size(text, scale)
    return draw_text(np.zeros((height, width), dtype=np.uint8), 0, 0, text, 1, scale) > 0


def find_text(image, text, colour, scale=1):
    """Whether ``text`` is drawn in ``colour`` somewhere in ``image`` (H, W, 3), exactly."""
    mask = glyph_mask(text, scale)
    rows, cols = np.nonzero(mask)
    first_row, first_col = rows[0], cols[0]
    hits = np.argwhere(np.all(image == colour, axis=2))
    for r, c in hits:
        top, left = r - first_row, c - first_col
        if top < 0 or left < 0 or top + mask.shape[0] > image.shape[0] \
                or left + mask.shape[1] > image.shape[1]:
            continue
        window = image[top:top + mask.shape[0], left:left + mask.shape[1]]
        if np.all(window[mask] == colour) and not np.any(np.all(window[~mask] == colour, axis=1)):
            return True
    return False


def assert_text_is_clear(canvas):
    """No two texts of ``canvas`` overlap, each lies inside it, and nothing else is drawn over one.

    Inside every text's box each pixel is the background (white) or the text's own colour.
    """
    from itertools import combinations

    height, width = canvas.pixels.shape[:2]
    for box in canvas.texts:
        assert 0 <= box.left and box.right <= width and 0 <= box.top and box.bottom <= height, \
            f"{box.text!r} ({box.left}, {box.top}, {box.right}, {box.bottom}) leaves the picture"
        area = canvas.pixels[box.top:box.bottom, box.left:box.right].reshape(-1, 3)
        allowed = np.all(area == 255, axis=1) | np.all(area == np.array(box.colour), axis=1)
        assert allowed.all(), f"something is drawn over {box.text!r}"
    for a, b in combinations(canvas.texts, 2):
        assert not a.overlaps(b), f"{a.text!r} overlaps {b.text!r}"
