"""PNG and animated PNG (APNG) files, with NumPy and the standard library only.

The project draws its pictures into plain ``uint8`` arrays and saves them
without matplotlib or PIL. PNG is a small format: an 8-byte signature and a
list of chunks (length, type, data, CRC-32). ``encode_png`` stores 8-bit RGB
or grey images, as palette indices when the image has at most 256 colours
(most figures here: flat fills, a few tints, text), the scanlines deflated
by ``zlib``.

An APNG is a PNG whose first frame is the ordinary image (what a viewer that
does not animate shows), plus an ``acTL`` chunk giving the number of frames
and, per frame, an ``fcTL`` chunk (size, offset, delay) followed by the
frame's data (``IDAT`` for the first, ``fdAT`` for the others). ``fcTL`` and
``fdAT`` chunks share one sequence number that counts up from 0. Each frame
after the first stores only the rectangle that changed. Browsers and GitHub
play APNG files.

``read_png`` and ``read_apng`` read such files back (every scanline filter,
palettes, frame offsets, disposal) so the writers can be tested without
outside tools. Files are written atomically, like the model files. Not
supported: transparency, bit depths other than 8, interlacing.
"""

import struct
import zlib
from pathlib import Path

import numpy as np

from src.fileio import atomic_write_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DELAY_MS = 65535


def _chunk(kind, data):
    """One PNG chunk: length, type, data and the CRC-32 of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _check_image(image, what="image"):
    """``image`` as a contiguous (H, W, 3) or (H, W) uint8 array, or a ValueError."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{what} must be a NumPy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{what} must have dtype uint8, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"{what} must have shape (H, W, 3) or (H, W), got {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"{what} must be at least 1 x 1 pixels, got {image.shape}")
    if max(image.shape[:2]) >= 2 ** 31:
        raise ValueError(f"{what} is too large for PNG: {image.shape}")
    return np.ascontiguousarray(image)


def _palette(frames):
    """``(palette (p, 3), index images)`` when ``frames`` (RGB) use at most 256 colours, else None."""
    if frames[0].ndim != 3:
        return None
    packed = [(frame[:, :, 0].astype(np.uint32) << 16) | (frame[:, :, 1].astype(np.uint32) << 8)
              | frame[:, :, 2] for frame in frames]
    colours = np.unique(packed[0])
    for image in packed[1:]:
        if len(colours) > 256:
            return None
        colours = np.union1d(colours, np.unique(image))
    if len(colours) > 256:
        return None
    palette = np.stack([colours >> 16, (colours >> 8) & 255, colours & 255], axis=1)
    return palette.astype(np.uint8), [np.searchsorted(colours, image).astype(np.uint8)
                                      for image in packed]


def _deflated(image, indexed):
    """The deflated scanlines of ``image``, each with its filter type byte in front.

    Palette indices are stored unfiltered (as the PNG specification advises);
    other scanlines get whichever of None, Sub and Up leaves the smallest
    bytes (the usual heuristic: least sum of absolute values).
    """
    height = image.shape[0]
    rows = image.reshape(height, -1)
    if indexed:
        choice, chosen = np.zeros(height, dtype=np.uint8), rows
    else:
        bpp = 3 if image.ndim == 3 else 1
        left = np.zeros_like(rows)
        left[:, bpp:] = rows[:, :-bpp]
        up = np.zeros_like(rows)
        up[1:] = rows[:-1]
        candidates = np.stack([rows, rows - left, rows - up])  # uint8 differences wrap mod 256
        cost = np.abs(candidates.view(np.int8).astype(np.int32)).sum(axis=2)
        choice = np.argmin(cost, axis=0).astype(np.uint8)
        chosen = candidates[choice, np.arange(height)]
    return zlib.compress(np.concatenate([choice[:, None], chosen], axis=1).tobytes(), 9)


def _encode(frames, delays=None, loops=0):
    """PNG bytes of one image (``delays`` None) or an animation of ``frames``.

    Frames that use at most 256 colours between them are stored as palette
    indices (one byte a pixel instead of three). Each frame after the first
    stores only the rectangle where it differs from the one before.
    """
    shape = frames[0].shape
    height, width = shape[:2]
    indexed = _palette(frames)
    if indexed is not None:
        palette, images = indexed
        colour_type = 3
    else:
        images = frames
        colour_type = 2 if len(shape) == 3 else 0
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    parts = [PNG_SIGNATURE, _chunk(b"IHDR", header)]
    if delays is not None:
        parts.append(_chunk(b"acTL", struct.pack(">II", len(frames), loops)))
    if indexed is not None:
        parts.append(_chunk(b"PLTE", palette.tobytes()))
    if delays is None:
        parts.append(_chunk(b"IDAT", _deflated(images[0], indexed is not None)))
        return b"".join(parts + [_chunk(b"IEND", b"")])

    sequence = 0
    for index, (image, delay) in enumerate(zip(images, delays)):
        top, left, bottom, right = 0, 0, height, width
        if index:
            changed = image != images[index - 1]
            changed = changed.any(axis=2) if changed.ndim == 3 else changed
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size:
                top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            else:
                top, left, bottom, right = 0, 0, 1, 1
        control = struct.pack(">IIIIIHHBB", sequence, right - left, bottom - top, left, top,
                              int(delay), 1000, 0, 0)
        parts.append(_chunk(b"fcTL", control))
        sequence += 1
        data = _deflated(np.ascontiguousarray(image[top:bottom, left:right]), indexed is not None)
        if index == 0:
            parts.append(_chunk(b"IDAT", data))
        else:
            parts.append(_chunk(b"fdAT", struct.pack(">I", sequence) + data))
            sequence += 1
    return b"".join(parts + [_chunk(b"IEND", b"")])


def encode_png(image):
    """The bytes of a PNG file holding ``image``: uint8 (H, W, 3) RGB or (H, W) grey."""
    return _encode([_check_image(image)])


def write_png(path, image):
    """Write ``image`` (uint8, (H, W, 3) RGB or (H, W) grey) to ``path`` as a PNG, atomically.

    Raises ``ValueError`` for anything else (wrong dtype, shape or an empty image).
    """
    atomic_write_bytes(path, encode_png(image))


def encode_apng(frames, delays_ms, loops=0):
    """The bytes of an animated PNG showing ``frames`` one after the other.

    ``frames``: a list of uint8 images, all of one shape ((H, W, 3) or (H, W)).
    ``delays_ms``: how long each frame stays, in milliseconds (one number for
    all, or one per frame; 1 to 65535). ``loops``: how often the animation
    plays (0: forever). The first frame is the image a viewer without
    animation shows.
    """
    frames = [_check_image(frame, f"frame {i}") for i, frame in enumerate(frames)]
    if not frames:
        raise ValueError("an animation needs at least one frame")
    for index, frame in enumerate(frames):
        if frame.shape != frames[0].shape:
            raise ValueError(f"frame {index} has shape {frame.shape}, frame 0 has {frames[0].shape}")
    delays = np.full(len(frames), delays_ms) if np.ndim(delays_ms) == 0 else np.asarray(delays_ms)
    if delays.shape != (len(frames),):
        raise ValueError(f"{len(delays)} delays for {len(frames)} frames")
    if not all(float(d).is_integer() and 1 <= d <= MAX_DELAY_MS for d in delays):
        raise ValueError(f"delays must be whole milliseconds from 1 to {MAX_DELAY_MS}")
    if isinstance(loops, bool) or not isinstance(loops, int) or not 0 <= loops < 2 ** 31:
        raise ValueError(f"loops must be a whole number >= 0, got {loops!r}")
    return _encode(frames, [int(d) for d in delays], loops)


def write_apng(path, frames, delays_ms, loops=0):
    """Write ``frames`` to ``path`` as an animated PNG, atomically (see ``encode_apng``)."""
    atomic_write_bytes(path, encode_apng(frames, delays_ms, loops))


# --- reading ---


def read_chunks(data, where="PNG data"):
    """The (type, data) pairs of the PNG bytes ``data``, CRCs checked; ValueError if malformed."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{where} is not a PNG file (wrong signature)")
    chunks = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 12 > len(data):
            raise ValueError(f"{where} ends inside a chunk header")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc_bytes = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc_bytes) != 4:
            raise ValueError(f"{where} ends inside the {kind!r} chunk")
        if struct.unpack(">I", crc_bytes)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"{where} has a bad CRC in the {kind!r} chunk")
        chunks.append((kind, body))
        position += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ValueError(f"{where} does not start with a valid IHDR chunk")
    if chunks[-1][0] != b"IEND":
        raise ValueError(f"{where} has no IEND chunk")
    return chunks


def _paeth(left, up, up_left):
    """The Paeth predictor of PNG filter 4, element-wise on int arrays."""
    estimate = left + up - up_left
    distance_left = np.abs(estimate - left)
    distance_up = np.abs(estimate - up)
    distance_up_left = np.abs(estimate - up_left)
    return np.where((distance_left <= distance_up) & (distance_left <= distance_up_left), left,
                    np.where(distance_up <= distance_up_left, up, up_left))


def _unfilter(filtered, bytes_per_pixel, where):
    """Undo the scanline filters of ``filtered`` (H, 1 + row bytes); returns (H, row bytes)."""
    height, row_bytes = filtered.shape[0], filtered.shape[1] - 1
    result = np.zeros((height, row_bytes), dtype=np.int64)
    previous = np.zeros(row_bytes, dtype=np.int64)
    bpp = bytes_per_pixel
    for row in range(height):
        kind = filtered[row, 0]
        line = filtered[row, 1:].astype(np.int64)
        if kind == 0:
            current = line
        elif kind == 1:
            current = np.cumsum(line.reshape(-1, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:
            current = (line + previous) % 256
        elif kind in (3, 4):
            current = np.zeros(row_bytes, dtype=np.int64)
            for start in range(0, row_bytes, bpp):
                stop = start + bpp
                up = previous[start:stop]
                left = current[start - bpp:start] if start else np.zeros(bpp, dtype=np.int64)
                if kind == 3:
                    predictor = (left + up) // 2
                else:
                    up_left = previous[start - bpp:start] if start else np.zeros(bpp, np.int64)
                    predictor = _paeth(left, up, up_left)
                current[start:stop] = (line[start:stop] + predictor) % 256
        else:
            raise ValueError(f"{where} uses unknown scanline filter {kind} in row {row}")
        result[row] = current
        previous = current
    return result.astype(np.uint8)


def _decode_pixels(data, width, height, channels, where, palette=None):
    """Inflate and unfilter one image's data; uint8 (H, W, 3) or (H, W).

    With a ``palette`` (p, 3) the data are one index a pixel, looked up there.
    """
    try:
        raw = zlib.decompress(data)
    except zlib.error as err:
        raise ValueError(f"{where} has corrupt image data: {err}") from None
    if len(raw) != height * (1 + width * channels):
        raise ValueError(f"{where} holds {len(raw)} bytes of image data, "
                         f"expected {height * (1 + width * channels)}")
    filtered = np.frombuffer(raw, dtype=np.uint8).reshape(height, 1 + width * channels)
    pixels = _unfilter(filtered, channels, where)
    if palette is not None:
        index = pixels.reshape(height, width)
        if index.max() >= len(palette):
            raise ValueError(f"{where} uses colour {index.max()} of a palette of {len(palette)}")
        return palette[index]
    return pixels.reshape(height, width, 3) if channels == 3 else pixels.reshape(height, width)


def _image_header(chunks, where):
    """``(width, height, channels, palette or None)`` from the IHDR (and PLTE) chunks."""
    width, height, depth, colour_type, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1])
    if depth != 8 or colour_type not in (0, 2, 3) or compression or filtering or interlace:
        raise ValueError(
            f"{where} is not an 8-bit non-interlaced RGB, palette or grey image "
            f"(bit depth {depth}, colour type {colour_type}, interlace {interlace})")
    if width < 1 or height < 1:
        raise ValueError(f"{where} has an empty size {width} x {height}")
    palette = None
    if colour_type == 3:
        bodies = [body for kind, body in chunks if kind == b"PLTE"]
        if len(bodies) != 1 or not bodies[0] or len(bodies[0]) % 3 or len(bodies[0]) > 768:
            raise ValueError(f"{where} is a palette image without a valid PLTE chunk")
        palette = np.frombuffer(bodies[0], dtype=np.uint8).reshape(-1, 3)
    return width, height, {0: 1, 2: 3, 3: 1}[colour_type], palette


def read_png(path):
    """Read an 8-bit, non-interlaced PNG file: uint8 (H, W, 3) for RGB and palette, (H, W) grey.

    For an APNG this is the default image (its first frame). Raises
    ``ValueError`` for anything malformed or unsupported.
    """
    where = f"PNG file {path}"
    chunks = read_chunks(Path(path).read_bytes(), where)
    width, height, channels, palette = _image_header(chunks, where)
    data = b"".join(body for kind, body in chunks if kind == b"IDAT")
    return _decode_pixels(data, width, height, channels, where, palette)


def read_apng(path):
    """Read an animated PNG: ``(frames, delays_ms, loops)``.

    ``frames`` is a list of full-size uint8 images, each as a viewer shows it
    (later frames drawn over the canvas at their offsets, after the previous
    frame's disposal); ``delays_ms`` one float per frame. A plain PNG reads
    as one frame with delay 0. Raises ``ValueError`` for anything malformed:
    a frame count that disagrees with ``acTL``, sequence numbers out of
    order, a frame outside the image.
    """
    where = f"PNG file {path}"
    chunks = read_chunks(Path(path).read_bytes(), where)
    width, height, channels, palette = _image_header(chunks, where)
    control = [body for kind, body in chunks if kind == b"acTL"]
    if not control:
        data = b"".join(body for kind, body in chunks if kind == b"IDAT")
        return [_decode_pixels(data, width, height, channels, where, palette)], [0.0], 0
    if len(control) != 1 or len(control[0]) != 8:
        raise ValueError(f"{where} has a malformed acTL chunk")
    n_frames, loops = struct.unpack(">II", control[0])

    pieces, expected_sequence = [], 0  # per frame: [fcTL fields, data]
    for kind, body in chunks:
        if kind in (b"fcTL", b"fdAT"):
            if len(body) < 4 or struct.unpack(">I", body[:4])[0] != expected_sequence:
                raise ValueError(f"{where}: {kind.decode()} chunk out of sequence "
                                 f"(expected number {expected_sequence})")
            expected_sequence += 1
        if kind == b"fcTL":
            if len(body) != 26:
                raise ValueError(f"{where} has a malformed fcTL chunk")
            pieces.append([struct.unpack(">IIIIIHHBB", body), b""])
        elif kind == b"fdAT":
            if not pieces:
                raise ValueError(f"{where} has frame data before any fcTL chunk")
            pieces[-1][1] += body[4:]
        elif kind == b"IDAT" and pieces:
            pieces[-1][1] += body
    if len(pieces) != n_frames:
        raise ValueError(f"{where}: acTL announces {n_frames} frames, the file holds {len(pieces)}")

    rgb = channels == 3 or palette is not None
    canvas = np.zeros((height, width, 3) if rgb else (height, width), dtype=np.uint8)
    frames, delays = [], []
    for index, (fields, data) in enumerate(pieces):
        _, w, h, x, y, delay_num, delay_den, dispose, blend = fields
        if w < 1 or h < 1 or x + w > width or y + h > height:
            raise ValueError(f"{where}: frame {index} ({w} x {h} at {x}, {y}) lies outside the image")
        before = canvas.copy()
        canvas[y:y + h, x:x + w] = _decode_pixels(data, w, h, channels, f"{where} frame {index}",
                                                  palette)
        frames.append(canvas.copy())
        delays.append(1000.0 * delay_num / (delay_den or 100))
        if dispose == 1:
            canvas[y:y + h, x:x + w] = 0
        elif dispose == 2:
            canvas = before
    return frames, delays, loops
