"""Writing files so that nothing is ever half-written, and reading JSON strictly.

``atomic_write_bytes`` (and ``atomic_write_text``) write to a temporary file in the target's folder, flushes
it to disk and renames it over the target. A rename within one folder is
atomic, so a reader (or a crash) sees the old file or the new one, never a mix;
if anything fails before the rename, the temporary file is removed and the old
file is untouched.
"""

import json
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically.

    The new file gets the usual permissions (0666 less the umask), not the
    owner-only ones of a temporary file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path, text: str) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


MAX_DEPTH = 100
"""How deeply lists and objects may nest in a file ``read_json`` accepts.

The files of this project nest four or five levels deep; a fixed limit far
below Python's recursion limit means that no later step (checking, error
messages, saving again) can run out of stack on a file that was accepted.
"""


class _NonFiniteConstant(ValueError):
    pass


def _reject_constant(name):
    raise _NonFiniteConstant(f"holds the non-finite number {name} (only finite numbers are allowed)")


def _nesting_depth_exceeds(value, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels deep."""
    stack = [(value, 1)] if isinstance(value, (list, dict)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return False


def read_json(path, what: str = "file"):
    """Parse the JSON file at ``path``.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the
    file for anything else that is not valid JSON: a folder, text that is not
    UTF-8, an empty file, ``NaN`` and ``Infinity`` (refused), and lists or
    objects nested more than ``MAX_DEPTH`` levels deep.
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
    too_deep = f"{what} {path} is nested more than {MAX_DEPTH} levels deep, too deep to be a valid file"
    try:
        content = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(too_deep) from None
    except _NonFiniteConstant as err:
        raise ValueError(f"{what} {path} {err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{what} {path} is not valid JSON: {err}") from None
    except ValueError:
        # The one other ValueError the parser raises: an integer too long to convert.
        raise ValueError(f"{what} {path} holds a whole number with too many digits") from None
    if _nesting_depth_exceeds(content, MAX_DEPTH):
        raise ValueError(too_deep)
    return content


def describe_json(value) -> str:
    """A short description of a parsed JSON value for an error message.

    Small values are shown as JSON text (``[1, 2]``, ``true``, ``null``), a
    string quoted as the other names in messages are (``'abc'``); long values
    are summarised (``a list of 100000 items``) without being written out.
    """
    if isinstance(value, (list, dict)) and len(value) > 8:
        kind, unit = ("a list", "item") if isinstance(value, list) else ("an object", "key")
        return f"{kind} of {len(value)} {unit}s"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a whole number of {len(str(abs(value)))} digits"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37]) + "..."
    try:
        text = json.dumps(value)
    except (ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    if len(text) <= 40:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return f"an object with {len(value)} key{'' if len(value) == 1 else 's'}"
    return text[:37] + "..."
