"""The colours of the pictures: classes, activation heat maps, signed weights.

- ``class_colours(class_names)``: one strong colour (points, swatches) and one
  fill colour (regions) per class. A class whose name is a colour gets that
  colour (checkerboard's "black" and "white"); the others take, in order, the
  palette's colours that no class name has taken.
- ``heat_colours(values)``: a lightness ramp from dark violet (0) through
  blue and green to light yellow (1), after viridis, for what a neuron
  computes: dark is low, light is high, in colour and in grey alike.
- ``signed_colours(values)``: orange for negative, white for 0, blue for
  positive (values in [-1, 1]), for weights, after TensorFlow Playground.

Colours are uint8 arrays (..., 3).
"""

import numpy as np

WHITE = np.array([255, 255, 255], dtype=np.uint8)
TEXT = np.array([40, 40, 40], dtype=np.uint8)
AXIS = np.array([90, 90, 90], dtype=np.uint8)
GRID = np.array([228, 228, 228], dtype=np.uint8)
BOUNDARY = np.array([90, 90, 90], dtype=np.uint8)
DARK_OUTLINE = np.array([30, 30, 30], dtype=np.uint8)
LIGHT_OUTLINE = np.array([235, 235, 235], dtype=np.uint8)
ERROR = np.array([0, 0, 0], dtype=np.uint8)
POSITIVE = np.array([31, 119, 180], dtype=np.uint8)
NEGATIVE = np.array([230, 115, 0], dtype=np.uint8)

PALETTE = (
    ("red", (214, 64, 47)),
    ("blue", (45, 105, 200)),
    ("green", (46, 150, 70)),
    ("purple", (135, 80, 180)),
    ("orange", (230, 140, 20)),
    ("teal", (20, 160, 165)),
    ("brown", (140, 95, 60)),
    ("pink", (200, 70, 150)),
)
NAMED = dict(PALETTE, **{
    "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128),
    "gray": (128, 128, 128), "yellow": (230, 190, 10), "cyan": (20, 170, 200),
    "magenta": (200, 40, 170), "violet": (135, 80, 180),
})
# What a region of each class is filled with, where the model is sure: a light
# tint of the class colour, except that black and white regions stay black and white.
TINT_STRENGTH = 0.4
FILLS = {"black": (55, 55, 55), "white": (255, 255, 255)}

_HEAT_STOPS = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98),
                        (253, 231, 37)], dtype=float)


def mix(base, target, amount):
    """``base`` moved ``amount`` (0..1, broadcast) of the way to ``target``, as uint8."""
    base = np.asarray(base, dtype=float)
    target = np.asarray(target, dtype=float)
    amount = np.asarray(amount, dtype=float)
    return np.clip(np.rint(base + (target - base) * amount), 0, 255).astype(np.uint8)


def luminance(colours):
    """The perceived lightness 0..255 of colours (..., 3)."""
    return np.asarray(colours, dtype=float) @ np.array([0.299, 0.587, 0.114])


def _extra_hue(index):
    """A colour for the index-th class past the palette: hues round the colour wheel."""
    hue = (index * 0.618034) % 1.0
    channels = [abs(((hue * 6 + shift) % 6) - 3) - 1 for shift in (0, 4, 2)]
    return tuple(int(40 + 170 * min(max(c, 0), 1)) for c in channels)


def class_colours(class_names):
    """``(strong, fill)``: uint8 arrays (k, 3) for the classes ``class_names``.

    ``class_names`` is a sequence of names or just the number of classes k.
    ``strong`` marks points, lines and swatches; ``fill`` is what the class's
    region is filled with where the model is sure of it.
    """
    if isinstance(class_names, (int, np.integer)):
        names = [None] * int(class_names)
    else:
        names = [str(name).strip().lower() for name in class_names]
    if len(names) < 1:
        raise ValueError(f"there must be at least one class, got {len(names)}")
    free = [colour for name, colour in PALETTE if name not in names]
    strong, fill = [], []
    for name in names:
        if name in NAMED:
            colour = NAMED[name]
        elif free:
            colour = free.pop(0)
        else:
            colour = _extra_hue(len(strong))
        strong.append(colour)
        fill.append(FILLS.get(name) or tuple(mix(WHITE, colour, TINT_STRENGTH)))
    return np.array(strong, dtype=np.uint8), np.array(fill, dtype=np.uint8)


def outline_for(colours):
    """A dark outline for light colours and a light one for dark colours, (..., 3)."""
    light = luminance(colours)[..., None] > 110
    return np.where(light, DARK_OUTLINE, LIGHT_OUTLINE).astype(np.uint8)


def heat_colours(values):
    """Colours (..., 3) of ``values`` in [0, 1] (clipped; NaN as 0) on the dark-to-light ramp."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0), 0.0, 1.0)
    position = v * (len(_HEAT_STOPS) - 1)
    low = np.minimum(position.astype(int), len(_HEAT_STOPS) - 2)
    t = (position - low)[..., None]
    colours = _HEAT_STOPS[low] * (1 - t) + _HEAT_STOPS[low + 1] * t
    return np.clip(np.rint(colours), 0, 255).astype(np.uint8)


def signed_colours(values):
    """Colours (..., 3) of ``values`` in [-1, 1] (clipped): orange below 0, white at 0, blue above."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0), -1.0, 1.0)[..., None]
    return np.where(v >= 0, mix(WHITE, POSITIVE, v), mix(WHITE, NEGATIVE, -v)).astype(np.uint8)
