"""Writing files so that nothing is ever half-written, and reading JSON strictly.

``atomic_write_text`` writes to a temporary file in the target's folder, flushes
it to disk and renames it over the target. A rename within one folder is
atomic, so a reader (or a crash) sees the old file or the new one, never a mix;
if anything fails before the rename, the temporary file is removed and the old
file is untouched.
"""

import json
import os
import tempfile
from pathlib import Path


def atomic_write_text(path, text: str) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8) atomically."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def _reject_constant(name):
    raise ValueError(f"non-finite number {name}")


def read_json(path, what: str = "file"):
    """Parse the JSON file at ``path``.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the
    file for anything that is not valid, finite JSON (``NaN`` and ``Infinity``
    are refused, as is nesting deep enough to exhaust the parser).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{what} {path} does not exist")
    if path.is_dir():
        raise ValueError(f"{what} {path} is a folder, not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{what} {path} is not UTF-8 text: {err}") from None
    if not text.strip():
        raise ValueError(f"{what} {path} is empty")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(f"{what} {path} is nested too deeply to be a valid file") from None
    except ValueError as err:
        raise ValueError(f"{what} {path} is not valid JSON: {err}") from None
