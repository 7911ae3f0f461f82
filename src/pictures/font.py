"""A 5x9 bitmap font with descenders, and ``draw_text`` to stamp text into images.

Every printable ASCII character is a glyph 5 pixels wide and 9 high, drawn by
hand below: capitals, digits and ascenders use rows 0 to 6 (row 6 stands on
the baseline), lowercase letters rows 2 to 6, and the descenders of g, j, p,
q, y, the tails of ',' and ';' and the ends of brackets reach down into rows
7 and 8. A character takes a cell of 6 x 9 pixels (one column of space after
the glyph); lines are 11 pixels apart. Anything outside printable ASCII is
drawn as '?'.

``scale`` draws every font pixel as a scale x scale block, for screens with
small pixels; the font has no other sizes, no kerning and no anti-aliasing.
"""

import functools

import numpy as np

GLYPH_WIDTH = 5
GLYPH_HEIGHT = 9
CHAR_ADVANCE = GLYPH_WIDTH + 1
LINE_ADVANCE = GLYPH_HEIGHT + 2
BASELINE = 6
"""The last glyph row above the baseline: text whose top is at y stands on row y + 6."""

# Sixteen characters to a band: a line naming them, then their nine rows of pixels
# ('#' on, '.' off), each glyph five columns wide with one space between glyphs.
_GLYPHS = r"""
        !     "     #     $     %     &     '     (     )     *     +     ,     -     .     /
..... ..#.. .#.#. .#.#. ..#.. ##... .##.. .##.. ...#. .#... ..... ..... ..... ..... ..... ....#
..... ..#.. .#.#. .#.#. .#### ##..# #..#. ..#.. ..#.. ..#.. .#.#. ..#.. ..... ..... ..... ....#
..... ..#.. .#.#. ##### #.#.. ...#. #.#.. .#... .#... ...#. #.#.# ..#.. ..... ..... ..... ...#.
..... ..#.. ..... .#.#. .###. ..#.. .#... ..... .#... ...#. .###. ##### ..... ##### ..... ..#..
..... ..#.. ..... ##### ..#.# .#... #.#.# ..... .#... ...#. #.#.# ..#.. ..... ..... ..... .#...
..... ..... ..... .#.#. ####. #..## #..#. ..... .#... ...#. .#.#. ..#.. .##.. ..... .##.. #....
..... ..#.. ..... .#.#. ..#.. ...## .##.# ..... ..#.. ..#.. ..... ..... .##.. ..... .##.. #....
..... ..... ..... ..... ..... ..... ..... ..... ...#. .#... ..... ..... ..#.. ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... .....

  0     1     2     3     4     5     6     7     8     9     :     ;     <     =     >     ?
.###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###. ..... ..... ...#. ..... .#... .###.
#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...# .##.. .##.. ..#.. ..... ..#.. #...#
#..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...# .##.. .##.. .#... ##### ...#. ....#
#.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .#### ..... ..... #.... ..... ....# ...#.
##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....# ..... ..... .#... ##### ...#. ..#..
#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#. .##.. .##.. ..#.. ..... ..#.. .....
.###. .###. ##### .###. ...#. .###. .###. .#... .###. .##.. .##.. .##.. ...#. ..... .#... ..#..
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..#.. ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... .....

  @     A     B     C     D     E     F     G     H     I     J     K     L     M     N     O
.###. .###. ####. .###. ###.. ##### ##### .###. #...# .###. ..### #...# #.... #...# #...# .###.
#...# #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. ...#. #..#. #.... ##.## #...# #...#
....# #...# #...# #.... #...# #.... #.... #.... #...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...#
.##.# #...# ####. #.... #...# ####. ###.. #.... ##### ..#.. ...#. ##... #.... #...# #.#.# #...#
#.#.# ##### #...# #.... #...# #.... #.... #..## #...# ..#.. ...#. #.#.. #.... #...# #..## #...#
#.#.# #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. #..#. #..#. #.... #...# #...# #...#
.###. #...# ####. .###. ###.. ##### #.... .###. #...# .###. .##.. #...# ##### #...# #...# .###.
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....

  P     Q     R     S     T     U     V     W     X     Y     Z     [     \     ]     ^     _
####. .###. ####. .#### ##### #...# #...# #...# #...# #...# ##### .###. #.... .###. ..#.. .....
#...# #...# #...# #.... ..#.. #...# #...# #...# #...# #...# ....# .#... #.... ...#. .#.#. .....
#...# #...# #...# #.... ..#.. #...# #...# #...# .#.#. .#.#. ...#. .#... .#... ...#. #...# .....
####. #...# ####. .###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#.. .#... ..#.. ...#. ..... .....
#.... #.#.# #.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#... .#... ...#. ...#. ..... .....
#.... #..#. #..#. ....# ..#.. #...# .#.#. ##.## #...# ..#.. #.... .#... ....# ...#. ..... .....
#.... .##.# #...# ####. ..#.. .###. ..#.. #...# #...# ..#.. ##### .#... ....# ...#. ..... .....
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .###. ..... .###. ..... #####
..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....

  `     a     b     c     d     e     f     g     h     i     j     k     l     m     n     o
.#... ..... #.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. .#... .##.. ..... ..... .....
..#.. ..... #.... ..... ....# ..... .#..# ..... #.... ..... ..... .#... ..#.. ..... ..... .....
...#. .###. #.##. .###. .##.# .###. .#... .#### #.##. .##.. ..##. .#..# ..#.. ##.#. #.##. .###.
..... ....# ##..# #.... #..## #...# ###.. #...# ##..# ..#.. ...#. .#.#. ..#.. #.#.# ##..# #...#
..... .#### #...# #.... #...# ##### .#... #...# #...# ..#.. ...#. .##.. ..#.. #.#.# #...# #...#
..... #...# #...# #...# #...# #.... .#... #...# #...# ..#.. ...#. .#.#. ..#.. #...# #...# #...#
..... .#### ####. .###. .#### .###. .#... .#### #...# .###. ...#. .#..# .###. #...# #...# .###.
..... ..... ..... ..... ..... ..... ..... ....# ..... ..... #..#. ..... ..... ..... ..... .....
..... ..... ..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... ..... ..... ..... .....

  p     q     r     s     t     u     v     w     x     y     z     {     |     }     ~
..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ...## ..#.. ##... .....
..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..#.. ..#.. ..#.. .....
####. .#### #.##. .###. ###.. #...# #...# #...# #...# #...# ##### ..#.. ..#.. ..#.. .#.#.
#...# #...# ##..# #.... .#... #...# #...# #...# .#.#. #...# ...#. .#... ..#.. ...#. #.#.#
#...# #...# #.... .###. .#... #...# #...# #.#.# ..#.. #...# ..#.. ..#.. ..#.. ..#.. .....
#...# #...# #.... ....# .#..# #..## .#.#. #.#.# .#.#. #...# .#... ..#.. ..#.. ..#.. .....
####. .#### #.... ####. ..##. .##.# ..#.. .#.#. #...# .#### ##### ..#.. ..#.. ..#.. .....
#.... ....# ..... ..... ..... ..... ..... ..... ..... ....# ..... ...## ..#.. ##... .....
#.... ....# ..... ..... ..... ..... ..... ..... ..... .###. ..... ..... ..... ..... .....
"""


def _parse_glyphs(text):
    """The glyphs of ``_GLYPHS`` as a boolean array (95, 9, 5): code - 0x20, row, column."""
    bands = [band.split("\n") for band in text.strip("\n").split("\n\n")]
    glyphs = []
    for band in bands:
        header, rows = band[0], band[1:]
        if len(rows) != GLYPH_HEIGHT:
            raise ValueError(f"font band {header.strip()!r} has {len(rows)} rows, not {GLYPH_HEIGHT}")
        for index in range(len(rows[0]) // CHAR_ADVANCE + 1):
            start = index * CHAR_ADVANCE
            code = 0x20 + len(glyphs)
            if header[start + 2:start + 3] != chr(code):
                raise ValueError(f"font band {header.strip()!r}: glyph {index} is not {chr(code)!r}")
            glyphs.append([[char == "#" for char in row[start:start + GLYPH_WIDTH]] for row in rows])
    font = np.array(glyphs, dtype=bool)
    if font.shape != (95, GLYPH_HEIGHT, GLYPH_WIDTH):
        raise ValueError(f"the font must hold 95 glyphs of 9 x 5, got {font.shape}")
    return font


FONT = _parse_glyphs(_GLYPHS)


def glyph(char):
    """The (9, 5) boolean pixels of ``char``; those of '?' for a character the font lacks."""
    code = ord(char) - 0x20
    if not 0 <= code < len(FONT):
        code = ord("?") - 0x20
    return FONT[code]


@functools.lru_cache(maxsize=1024)
def _scaled_glyph(char, scale):
    """``glyph(char)`` with every pixel a scale x scale block (read-only, cached)."""
    pixels = np.repeat(np.repeat(glyph(char), scale, axis=0), scale, axis=1)
    pixels.flags.writeable = False
    return pixels


def text_size(text, scale=1):
    """The ``(width, height)`` in pixels of the box ``draw_text`` fills for ``text``.

    The box holds every line's cells, descenders included: 6 pixels per
    character (less the last column of space) by 11 pixels per line (less the
    two rows of space under the last line), times ``scale``.
    """
    lines = str(text).split("\n")
    longest = max(len(line) for line in lines)
    width = max(longest * CHAR_ADVANCE - 1, 0) * scale
    height = ((len(lines) - 1) * LINE_ADVANCE + GLYPH_HEIGHT) * scale
    return width, height


def draw_text(image, x, y, text, colour, scale=1):
    """Draw ``text`` into ``image`` (H, W, 3) or (H, W) in place; return ``image``.

    ``(x, y)`` is the top-left corner of the text's box in pixels (column,
    row); lines are split at ``"\\n"``. Parts outside the image are clipped.
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
            pixels = _scaled_glyph(char, scale)
            row0, col0 = max(top, 0), max(left, 0)
            row1 = min(top + pixels.shape[0], height)
            col1 = min(left + pixels.shape[1], width)
            if row0 >= row1 or col0 >= col1:
                continue
            mask = pixels[row0 - top:row1 - top, col0 - left:col1 - left]
            image[row0:row1, col0:col1][mask] = colour
    return image
