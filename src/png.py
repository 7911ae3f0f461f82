"""PNG files and text labels for pictures, with NumPy and the standard library only.

The project draws its pictures (decision regions, cost curves) into plain
``uint8`` arrays and needs to save them without matplotlib or PIL. PNG is a
small format: an 8-byte signature and a list of chunks (length, type, data,
CRC-32). ``write_png`` stores 8-bit RGB or grey images with every scanline
unfiltered (filter byte 0) and the whole image deflated by ``zlib``; the file
is written atomically, like the model files. ``read_png`` reads such files
back (and also the other four scanline filters), so the writer can be tested
without outside tools.

For titles, legends and axis numbers the module carries a 5x7 pixel font of
the printable ASCII characters and ``draw_text`` to stamp text into an image.
"""

import struct
import zlib
from pathlib import Path

import numpy as np

from src.fileio import atomic_write_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

GLYPH_WIDTH = 5
GLYPH_HEIGHT = 7
CHAR_ADVANCE = GLYPH_WIDTH + 1
LINE_ADVANCE = GLYPH_HEIGHT + 1

_FONT_FIRST = 0x20
_FONT_HEX = (
    "0000000000" "00005f0000" "0007000700" "147f147f14" "242a7f2a12"
    "2313086462" "3649552250" "0005030000" "001c224100" "0041221c00"
    "142a1c2a14" "08083e0808" "0050300000" "0808080808" "0060600000"
    "2010080402" "3e5149453e" "00427f4000" "4261514946" "2141454b31"
    "1814127f10" "2745454539" "3c4a494930" "0171090503" "3649494936"
    "064949291e" "0036360000" "0056360000" "0814224100" "1414141414"
    "0041221408" "0201510906" "324979413e" "7e1111117e" "7f49494936"
    "3e41414122" "7f4141221c" "7f49494941" "7f09090101" "3e41415132"
    "7f0808087f" "00417f4100" "2040413f01" "7f08142241" "7f40404040"
    "7f0204027f" "7f0408107f" "3e4141413e" "7f09090906" "3e4151215e"
    "7f09192946" "4649494931" "01017f0101" "3f4040403f" "1f2040201f"
    "7f2018207f" "6314081463" "0304780403" "6151494543" "007f414100"
    "0204081020" "0041417f00" "0402010204" "4040404040" "0001020400"
    "2054545478" "7f48444438" "3844444420" "384444487f" "3854545418"
    "087e090102" "0c5252523e" "7f08040478" "00447d4000" "2040443d00"
    "007f102844" "00417f4000" "7c04180478" "7c08040478" "3844444438"
    "7c14141408" "081414187c" "7c08040408" "4854545420" "043f444020"
    "3c4040207c" "1c2040201c" "3c4030403c" "4428102844" "0c5050503c"
    "4464544c44" "0008364100" "00007f0000" "0041360800" "0804080408"
)


def _build_font():
    """The glyphs as a boolean array (96, 7, 5): character code - 0x20, row, column."""
    columns = np.frombuffer(bytes.fromhex(_FONT_HEX), dtype=np.uint8).reshape(-1, GLYPH_WIDTH)
    rows = np.arange(GLYPH_HEIGHT, dtype=np.uint8)
    return ((columns[:, None, :] >> rows[None, :, None]) & 1).astype(bool)


_FONT = _build_font()


def _glyph(char):
    """The (7, 5) boolean pixels of ``char``; '?' for a character the font lacks."""
    code = ord(char) - _FONT_FIRST
    if not 0 <= code < len(_FONT):
        code = ord("?") - _FONT_FIRST
    return _FONT[code]


def text_size(text, scale=1):
    """The ``(width, height)`` in pixels that ``draw_text`` covers for ``text``."""
    lines = str(text).split("\n")
    longest = max(len(line) for line in lines)
    width = max(longest * CHAR_ADVANCE - 1, 0) * scale
    height = (len(lines) * LINE_ADVANCE - 1) * scale
    return width, height


def draw_text(image, x, y, text, colour, scale=1):
    """Draw ``text`` into ``image`` (H, W, 3) or (H, W) in place; return ``image``.

    ``(x, y)`` is the top-left corner of the first character in pixels (column,
    row); every glyph pixel becomes ``scale`` x ``scale`` image pixels. Lines
    are split at ``"\\n"``; characters outside printable ASCII are drawn as
    '?'. Parts that fall outside the image are clipped.
    """
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise ValueError("image must be an array of shape (H, W) or (H, W, channels)")
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    colour = np.asarray(colour, dtype=image.dtype)
    height, width = image.shape[:2]
    for line_number, line in enumerate(str(text).split("\n")):
        top = int(y) + line_number * LINE_ADVANCE * scale
        for index, char in enumerate(line):
            left = int(x) + index * CHAR_ADVANCE * scale
            pixels = np.kron(_glyph(char), np.ones((scale, scale), dtype=bool))
            row0, col0 = max(top, 0), max(left, 0)
            row1 = min(top + pixels.shape[0], height)
            col1 = min(left + pixels.shape[1], width)
            if row0 >= row1 or col0 >= col1:
                continue
            mask = pixels[row0 - top:row1 - top, col0 - left:col1 - left]
            image[row0:row1, col0:col1][mask] = colour
    return image


def _chunk(kind, data):
    """One PNG chunk: length, type, data and the CRC-32 of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _check_image(image):
    """``image`` as a contiguous (H, W, 3) or (H, W) uint8 array, or a ValueError."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a NumPy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"image must have dtype uint8, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"image must have shape (H, W, 3) or (H, W), got {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"image must be at least 1 x 1 pixels, got {image.shape}")
    if max(image.shape[:2]) >= 2 ** 31:
        raise ValueError(f"image is too large for PNG: {image.shape}")
    return np.ascontiguousarray(image)


def encode_png(image):
    """The bytes of a PNG file holding ``image``: uint8 (H, W, 3) RGB or (H, W) grey."""
    image = _check_image(image)
    height, width = image.shape[:2]
    colour_type = 2 if image.ndim == 3 else 0
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    rows = image.reshape(height, -1)
    scanlines = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1)
    return (PNG_SIGNATURE
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 6))
            + _chunk(b"IEND", b""))


def write_png(path, image):
    """Write ``image`` (uint8, (H, W, 3) RGB or (H, W) grey) to ``path`` as a PNG, atomically.

    Raises ``ValueError`` for anything else (wrong dtype, shape or an empty image).
    """
    atomic_write_bytes(path, encode_png(image))


def _read_chunks(data, where):
    """The (type, data) pairs of the PNG bytes ``data``; ValueError if malformed."""
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


def read_png(path):
    """Read an 8-bit, non-interlaced RGB or grey PNG file; return uint8 (H, W, 3) or (H, W).

    Enough to read what ``write_png`` writes (and other simple PNG files that
    use any of the five scanline filters). Raises ``ValueError`` for anything
    malformed or unsupported.
    """
    where = f"PNG file {path}"
    chunks = _read_chunks(Path(path).read_bytes(), where)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ValueError(f"{where} does not start with a valid IHDR chunk")
    if chunks[-1][0] != b"IEND":
        raise ValueError(f"{where} has no IEND chunk")
    width, height, depth, colour_type, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1])
    if depth != 8 or colour_type not in (0, 2) or compression or filtering or interlace:
        raise ValueError(
            f"{where} is not an 8-bit non-interlaced RGB or grey image "
            f"(bit depth {depth}, colour type {colour_type}, interlace {interlace})")
    if width < 1 or height < 1:
        raise ValueError(f"{where} has an empty size {width} x {height}")
    channels = 3 if colour_type == 2 else 1
    try:
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    except zlib.error as err:
        raise ValueError(f"{where} has corrupt image data: {err}") from None
    if len(raw) != height * (1 + width * channels):
        raise ValueError(f"{where} holds {len(raw)} bytes of image data, "
                         f"expected {height * (1 + width * channels)}")
    filtered = np.frombuffer(raw, dtype=np.uint8).reshape(height, 1 + width * channels)
    pixels = _unfilter(filtered, channels, where)
    return pixels.reshape(height, width, 3) if channels == 3 else pixels.reshape(height, width)
