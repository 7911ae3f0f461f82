"""A picture being drawn: pixels, the text on it, and the few shapes the figures need.

A :class:`Canvas` holds ``pixels``, a uint8 array (H, W, 3) whose row 0 is the
top, and a ``scale`` (1, or 2 for screens with small pixels): every length a
figure chooses is multiplied by it (``canvas.px(n)``), and text is drawn at
that size. The canvas remembers the box and colour of every text it draws,
also through ``paste``, so the tests can check that no two labels overlap and
that nothing is drawn over a label.

Shapes: filled discs (``stamp``), 2-pixel polylines (``polyline``), and
anti-aliased lines of any width and opacity (``line``, for the network
diagram). Nothing here knows about networks or problems.
"""

from dataclasses import dataclass

import numpy as np

from src.pictures.colours import TEXT
from src.pictures.font import draw_text, text_size


@dataclass(frozen=True)
class TextBox:
    """Where a text was drawn: pixels [left, right) x [top, bottom), and in which colour."""

    left: int
    top: int
    right: int
    bottom: int
    text: str
    colour: tuple

    def overlaps(self, other):
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


class Canvas:
    """A white image (H, W, 3) at ``scale`` with a record of the text drawn on it."""

    def __init__(self, width, height, scale=1):
        width, height, scale = int(width), int(height), int(scale)
        if width < 1 or height < 1:
            raise ValueError(f"a canvas must be at least 1 x 1 pixels, got {width} x {height}")
        if scale < 1:
            raise ValueError(f"scale must be a positive integer, got {scale}")
        self.pixels = np.full((height, width, 3), 255, dtype=np.uint8)  # white
        self.scale = scale
        self.texts = []

    @property
    def width(self):
        return self.pixels.shape[1]

    @property
    def height(self):
        return self.pixels.shape[0]

    def px(self, length):
        """``length`` (in pixels at scale 1) at this canvas's scale, as an int."""
        return int(round(length * self.scale))

    def text_size(self, text, size=1):
        """The (width, height) of ``text`` drawn at ``size`` times the canvas's scale."""
        return text_size(text, size * self.scale)

    def text(self, x, y, text, colour=TEXT, size=1, align="left"):
        """Draw ``text`` with its box's top at row ``y``; returns the box.

        ``align`` says what ``x`` is: the box's left edge, its ``"centre"`` or
        its ``"right"`` edge (exclusive).
        """
        width, height = self.text_size(text, size)
        left = {"left": x, "centre": x - width // 2, "right": x - width}[align]
        left, top = int(round(left)), int(round(y))
        draw_text(self.pixels, left, top, text, colour, size * self.scale)
        box = TextBox(left, top, left + width, top + height, str(text),
                      tuple(int(c) for c in np.asarray(colour).reshape(3)))
        self.texts.append(box)
        return box

    def paste(self, picture, x, y):
        """Copy ``picture`` (a Canvas or a uint8 image) with its top-left at (x, y)."""
        x, y = int(x), int(y)
        pixels = picture.pixels if isinstance(picture, Canvas) else as_rgb(picture)
        height, width = pixels.shape[:2]
        if x < 0 or y < 0 or x + width > self.width or y + height > self.height:
            raise ValueError(f"a {width} x {height} picture at ({x}, {y}) does not fit "
                             f"on a {self.width} x {self.height} canvas")
        self.pixels[y:y + height, x:x + width] = pixels
        if isinstance(picture, Canvas):
            for box in picture.texts:
                self.texts.append(TextBox(box.left + x, box.top + y, box.right + x,
                                          box.bottom + y, box.text, box.colour))

    def frame(self, left, top, width, height, colour):
        """A one-pixel (times scale) rectangle around [left, left+width) x [top, top+height)."""
        t = self.scale
        self.pixels[top - t:top, left - t:left + width + t] = colour
        self.pixels[top + height:top + height + t, left - t:left + width + t] = colour
        self.pixels[top:top + height, left - t:left] = colour
        self.pixels[top:top + height, left + width:left + width + t] = colour


def as_rgb(image):
    """``image`` (H, W) or (H, W, 3) uint8 as (H, W, 3)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3
                                                               and image.shape[2] != 3):
        raise ValueError(f"pictures must be uint8 arrays (H, W, 3) or (H, W), "
                         f"got {image.dtype} {image.shape}")
    return np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image


def _disc(radius):
    """Row and column offsets of the pixels of a filled disc of ``radius``."""
    rows, cols = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    inside = rows ** 2 + cols ** 2 <= radius ** 2 + radius
    return rows[inside], cols[inside]


def stamp(pixels, rows, cols, colour, radius):
    """Draw discs of ``radius`` centred at pixel (rows, cols) in ``colour`` (n, 3) or (3,)."""
    rows = np.asarray(rows, dtype=int)
    cols = np.asarray(cols, dtype=int)
    colour = np.broadcast_to(np.asarray(colour, dtype=np.uint8), (len(rows), 3))
    height, width = pixels.shape[:2]
    for d_row, d_col in zip(*_disc(int(radius))):
        r, c = rows + d_row, cols + d_col
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        pixels[r[inside], c[inside]] = colour[inside]


def polyline(pixels, xs, ys, colour, clip, thickness=2):
    """Draw the line through pixel points (xs, ys), ``thickness`` pixels wide, inside ``clip``.

    ``clip`` is (left, top, right, bottom) in pixels, inclusive. A point with
    a non-finite coordinate breaks the line.
    """
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    left, top, right, bottom = clip
    if len(xs) == 1:
        x0, x1, y0, y1 = xs, xs, ys, ys
    else:
        x0, x1, y0, y1 = xs[:-1], xs[1:], ys[:-1], ys[1:]
    valid = np.isfinite(x0 + x1 + y0 + y1)
    x0, x1, y0, y1 = x0[valid], x1[valid], y0[valid], y1[valid]
    if not len(x0):
        return
    lengths = np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(int) + 1
    segment = np.repeat(np.arange(len(x0)), lengths)
    starts = np.cumsum(lengths) - lengths
    t = (np.arange(lengths.sum()) - starts[segment]) / np.maximum(lengths[segment] - 1, 1)
    px = np.rint(x0[segment] + (x1 - x0)[segment] * t).astype(int)
    py = np.rint(y0[segment] + (y1 - y0)[segment] * t).astype(int)
    for d_col in range(thickness):
        for d_row in range(thickness):
            c, r = px + d_col, py + d_row
            inside = (c >= left) & (c <= right) & (r >= top) & (r <= bottom)
            pixels[r[inside], c[inside]] = colour


def line(pixels, x0, y0, x1, y1, width, colour, opacity=1.0):
    """Blend an anti-aliased straight line ``width`` pixels wide into ``pixels`` in place.

    Each pixel takes ``opacity`` times the share of it the line covers
    (estimated from its distance to the line's centre) of ``colour``. The line
    is drawn one pixel column (or row, for steep lines) at a time, so its cost
    grows with its length and width, not with the area it spans.
    """
    x0, y0, x1, y1 = (float(v) for v in (x0, y0, x1, y1))
    steep = abs(y1 - y0) > abs(x1 - x0)
    if steep:  # walk along y instead: swap the roles of x and y
        x0, y0, x1, y1 = y0, x0, y1, x1
    if x1 < x0:
        x0, y0, x1, y1 = x1, y1, x0, y0
    height, wide = pixels.shape[:2]
    limit = height if steep else wide
    columns = np.arange(max(int(np.floor(x0)), 0), min(int(np.ceil(x1)) + 1, limit))
    if not len(columns):
        return
    slope = (y1 - y0) / (x1 - x0) if x1 > x0 else 0.0
    stretch = np.sqrt(1.0 + slope * slope)
    reach = int(np.ceil(width / 2 * stretch + 1))
    centre = y0 + (columns - x0) * slope
    offsets = np.arange(-reach, reach + 1)
    rows = np.rint(centre)[:, None].astype(int) + offsets[None, :]
    distance = np.abs(rows - centre[:, None]) / stretch
    coverage = np.clip(width / 2 + 0.5 - distance, 0.0, 1.0) * float(opacity)
    cols = np.broadcast_to(columns[:, None], rows.shape)
    inside = (rows >= 0) & (rows < (wide if steep else height)) & (coverage > 0)
    r, c, a = rows[inside], cols[inside], coverage[inside][:, None]
    if steep:
        r, c = c, r
    old = pixels[r, c].astype(float)
    pixels[r, c] = np.clip(np.rint(old + (np.asarray(colour, float) - old) * a), 0, 255)


def faint_lines(pixels, x0, x1, y0, y1, width, colours, opacity):
    """Blend many thin lines from column ``x0`` to ``x1`` (x0 < x1) into ``pixels`` at once.

    ``y0``, ``y1`` (n,) are the lines' ends and ``colours`` (n, 3) their
    colours; all share ``width`` and ``opacity``. Where lines cross, their
    shares combine as if drawn one over the other, in no particular order
    (right for faint lines, whose order does not show).
    """
    y0 = np.asarray(y0, dtype=float)
    y1 = np.asarray(y1, dtype=float)
    if not len(y0):
        return
    height, wide = pixels.shape[:2]
    columns = np.arange(max(int(np.floor(x0)), 0), min(int(np.ceil(x1)) + 1, wide))
    slope = (y1 - y0) / (x1 - x0)
    stretch = np.sqrt(1.0 + slope * slope)
    reach = int(np.ceil(width / 2 * stretch.max() + 1))
    centre = y0[:, None] + (columns[None, :] - x0) * slope[:, None]
    rows = np.rint(centre)[:, :, None].astype(int) + np.arange(-reach, reach + 1)
    distance = np.abs(rows - centre[:, :, None]) / stretch[:, None, None]
    share = np.clip(width / 2 + 0.5 - distance, 0.0, 1.0) * float(opacity)
    inside = (rows >= 0) & (rows < height) & (share > 0)
    which = np.broadcast_to(np.arange(len(y0))[:, None, None], rows.shape)[inside]
    flat = rows[inside] * wide + np.broadcast_to(columns[None, :, None], rows.shape)[inside]
    share = share[inside]
    size = height * wide
    total = np.bincount(flat, share, minlength=size)
    touched = np.flatnonzero(total)
    through = np.exp(np.bincount(flat, np.log1p(-np.minimum(share, 0.999)), minlength=size))
    through = through[touched, None]
    colours = np.asarray(colours, dtype=float)[which]
    mean = np.stack([np.bincount(flat, share * colours[:, k], minlength=size)[touched]
                     for k in range(3)], axis=1) / total[touched, None]
    view = pixels.reshape(-1, 3)
    old = view[touched].astype(float)
    view[touched] = np.clip(np.rint(old * through + mean * (1 - through)), 0, 255)
