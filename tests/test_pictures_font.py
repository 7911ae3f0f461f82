"""Tests of the bitmap font: descenders, distinct glyphs, text boxes and scaling."""

import string

import numpy as np
import pytest

from src.pictures.font import (BASELINE, CHAR_ADVANCE, FONT, GLYPH_HEIGHT, LINE_ADVANCE,
                               draw_text, glyph, text_size)

DESCENDERS = "gjpqy"


def rows_used(char):
    return set(np.nonzero(glyph(char).any(axis=1))[0])


def test_the_letters_with_descenders_reach_below_the_baseline():
    """The 5x7 font this replaced had none: pictures read 'trainin9', 're9ions', 'lo9 scale'."""
    for char in DESCENDERS:
        below = {row for row in rows_used(char) if row > BASELINE}
        assert below, f"{char!r} has no descender"
    for char in string.ascii_lowercase:
        if char not in DESCENDERS:
            assert max(rows_used(char)) == BASELINE, f"{char!r} should stand on the baseline"
    for char in string.ascii_uppercase + string.digits:
        assert max(rows_used(char)) == BASELINE and min(rows_used(char)) == 0, char


def test_every_printable_character_has_its_own_glyph():
    printable = [chr(code) for code in range(0x21, 0x7F)]
    assert FONT.shape == (95, GLYPH_HEIGHT, 5)
    assert len({glyph(char).tobytes() for char in printable}) == len(printable)
    assert not glyph(" ").any()
    assert all(glyph(char).any() for char in printable)


def test_text_size_covers_descenders_and_lines():
    assert text_size("1.5%") == (4 * CHAR_ADVANCE - 1, GLYPH_HEIGHT)
    assert text_size("ab\nc") == (2 * CHAR_ADVANCE - 1, LINE_ADVANCE + GLYPH_HEIGHT)
    assert text_size("gy", scale=2) == (2 * (2 * CHAR_ADVANCE - 1), 2 * GLYPH_HEIGHT)


def test_draw_text_marks_pixels_inside_its_box_only():
    image = np.zeros((30, 60, 3), dtype=np.uint8)
    draw_text(image, 2, 3, "jpg 1.5%", (255, 0, 0))
    width, height = text_size("jpg 1.5%")
    painted = np.argwhere(image.any(axis=2))
    assert painted[:, 0].min() >= 3 and painted[:, 0].max() == 3 + height - 1  # descenders reach the box's bottom
    assert painted[:, 1].min() >= 2 and painted[:, 1].max() < 2 + width
    assert np.all(image[image.any(axis=2)] == [255, 0, 0])


def test_draw_text_scales_clips_and_handles_unknown_characters():
    small = draw_text(np.zeros((12, 10), dtype=np.uint8), 0, 0, "g", 255)
    big = draw_text(np.zeros((24, 20), dtype=np.uint8), 0, 0, "g", 255, scale=2)
    assert np.array_equal(big[::2, ::2][:9, :5], small[:9, :5])
    assert big.sum() == 4 * small.sum()
    edge = draw_text(np.zeros((5, 5), dtype=np.uint8), 3, 2, "W", 255)
    assert edge.any()
    question = draw_text(np.zeros((9, 6), dtype=np.uint8), 0, 0, "?", 255)
    unknown = draw_text(np.zeros((9, 6), dtype=np.uint8), 0, 0, "\u00e9", 255)
    assert np.array_equal(question, unknown)
    with pytest.raises(ValueError):
        draw_text(np.zeros((9, 6), dtype=np.uint8), 0, 0, "a", 255, scale=0)
