"""Writing files so that nothing is ever half-written or lost, and reading them with bounds.

Writing. ``atomic_write_bytes`` (and ``atomic_write_text``) write to a
temporary file in the target's folder, flush it to disk and rename it over
the target. A rename within one folder is atomic, so a reader (or a crash)
sees the old file or the new one, never a mix; if anything fails before the
rename, the temporary file is removed and the old file is untouched. Beyond
that, a write never changes *what* is at the path:

- an existing file keeps its permissions (and, where allowed, its owner);
- a symbolic link stays a link: the file it points to is the one replaced;
- a target that is not a regular file (a folder, a device such as
  ``/dev/null``, a FIFO) or a read-only file is refused, naming the path the
  caller gave, and nothing is written;
- the temporary name is short (``.<name>.<pid>.<random>.tmp``, with a long
  name cut and a hash of it added), so any name the file system allows can be
  saved, and a temporary file left by a process that was killed (``kill -9``)
  is removed by the next save of the same file;
- SIGTERM, SIGHUP and SIGINT arriving during a write take effect right after
  it (the write finishes or cleans up first), so no temporary file is left.

``WRITTEN`` lists every path written so far by this process, so that a script
that is interrupted can say what it wrote.

Reading. ``read_json`` reads only regular files of at most ``MAX_FILE_BYTES``
(a FIFO, ``/dev/zero`` or a folder is refused at once, never read), then parses
them strictly: UTF-8, no ``NaN``/``Infinity``, at most ``MAX_DEPTH`` levels of
nesting. ``parse_json_text`` applies the same rules to text about to be
written, so that a writer can refuse what a reader would refuse.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
import stat
import threading
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest model or data file that is read (and written): 64 MiB.

The shipped files are at most a few hundred kB; a data file of a million
samples is about 30 MB. The limit keeps a wrong or hostile file from taking
minutes and gigabytes to parse.
"""

MAX_DEPTH = 100
"""How deeply lists and objects may nest in a file ``read_json`` accepts.

The files of this project nest four or five levels deep; a fixed limit far
below Python's recursion limit means that no later step (checking, error
messages, saving again) can run out of stack on a file that was accepted.
"""

WRITTEN = []
"""The paths (as the callers gave them) this process has written, in order."""

_DEFERRED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                          if hasattr(signal, name))


# --- writing ---

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _kind(mode) -> str:
    """What a ``st_mode`` describes, for a message: 'a folder', 'a FIFO', ..."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _write_target(path: Path):
    """(the file to replace, its stat or None): symbolic links followed, refusals made.

    Raises ``FileNotFoundError`` for a missing folder, ``IsADirectoryError``
    for a folder, ``ValueError`` for anything else that is not a regular
    file and ``PermissionError`` for a read-only file, each naming ``path``.
    """
    target = Path(os.path.realpath(path))
    through = f" (a link to {target})" if os.path.islink(path) else ""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as err:
        raise _named(err, f"{path}{through}") from None
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise IsADirectoryError(f"cannot write {path}{through}: it is a folder, not a file")
        if not stat.S_ISREG(existing.st_mode):
            raise ValueError(f"cannot write {path}{through}: it is {_kind(existing.st_mode)}, "
                             "not a regular file")
        permissions = f"permissions {stat.S_IMODE(existing.st_mode):04o}"
        if not existing.st_mode & 0o222:
            raise PermissionError(f"cannot write {path}{through}: the file is read-only ({permissions})")
        if not os.access(target, os.W_OK):
            raise PermissionError(f"cannot write {path}{through}: this user may not write the file "
                                  f"({permissions})")
    if not target.parent.is_dir():
        folder = target.parent if through else (Path(path).parent if str(Path(path).parent) else Path("."))
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    return target, existing


def check_writable(path) -> None:
    """Raise what ``atomic_write_bytes(path, ...)`` would raise before writing anything.

    For scripts, to find a wrong output path before a long training rather than after it.
    """
    _write_target(Path(path))


def _temporary_stem(name: str) -> str:
    """The target's name as it appears in its temporary files' names (at most 57 characters)."""
    if len(name) <= 48:
        return name
    return name[:48] + "~" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _remove_stale_temporaries(folder: Path, stem: str) -> None:
    """Remove the temporary files of this target left by processes that no longer run."""
    pattern = re.compile(r"\." + re.escape(stem) + r"\.([0-9]{1,10})\.[0-9a-f]{8}\.tmp")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # its writer is still running
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / name)


@contextlib.contextmanager
def _signals_deferred():
    """Hold back SIGTERM, SIGHUP and SIGINT until the block is done, then deliver them.

    Only the main thread can set signal handlers; elsewhere the block runs as is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught, previous = [], {}
    for number in _DEFERRED_SIGNALS:
        handler = signal.getsignal(number)
        if handler is None:  # set outside Python: leave it alone
            continue
        previous[number] = signal.signal(number, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


def _named(err: OSError, path) -> OSError:
    """``err`` again, its message naming ``path`` instead of a temporary file."""
    renamed = type(err)(f"cannot write {path}: {err.strerror or err}")
    renamed.errno = err.errno
    return renamed


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically (see the module docstring).

    A new file gets the usual permissions (0666 less the umask); an existing
    one keeps its own.
    """
    target, existing = _write_target(Path(path))
    folder = target.parent
    stem = _temporary_stem(target.name)
    _remove_stale_temporaries(folder, stem)
    with _signals_deferred():
        tmp = folder / f".{stem}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as err:
            raise _named(err, path) from None
        try:
            if existing is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
                if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(fd, existing.st_uid, existing.st_gid)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
            _fsync_folder(folder)
        except BaseException as err:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(err, OSError):
                raise _named(err, path) from None
            raise
        WRITTEN.append(str(path))


def atomic_write_text(path, text: str) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


# --- reading ---

def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


def read_bytes(path, what: str = "file", limit: int = None) -> bytes:
    """The content of the regular file at ``path``, at most ``limit`` (``MAX_FILE_BYTES``) bytes.

    ``FileNotFoundError`` for a missing file; ``ValueError`` naming the file
    for a folder, anything else that is not a regular file (never read, so a
    FIFO or ``/dev/zero`` cannot hang or flood) and a file over ``limit``.
    """
    name = f"{what} {path}"
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileNotFoundError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{name} is a folder, not a file") from None
    except OSError as err:
        raise type(err)(f"{name} cannot be read: {err.strerror or err}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise ValueError(f"{name} is a folder, not a file")
        raise ValueError(f"{name} is {_kind(mode)}, not a regular file")
    with os.fdopen(fd, "rb") as handle:
        too_big = f"{name} is larger than {_size_text(limit)}, the most a {what} may be"
        size = os.fstat(fd).st_size
        if size > limit:
            raise ValueError(too_big)
        try:
            data = handle.read(size + 1)
            if len(data) > size:  # it grew while being read, or reports no size (/proc)
                data += handle.read(limit + 1 - len(data))
        except OSError as err:
            raise type(err)(f"{name} cannot be read: {err.strerror or err}") from None
    if len(data) > limit:
        raise ValueError(too_big)
    return data


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


def parse_json_text(text: str, name: str):
    """Parse ``text`` as strict JSON; ``ValueError`` starting with ``name`` otherwise.

    Refused: empty text, ``NaN`` and ``Infinity``, integers too long to
    convert, and lists or objects nested more than ``MAX_DEPTH`` levels deep.
    """
    if not text.strip():
        raise ValueError(f"{name} is empty")
    too_deep = f"{name} is nested more than {MAX_DEPTH} levels deep, too deep to be a valid file"
    try:
        content = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError(too_deep) from None
    except _NonFiniteConstant as err:
        raise ValueError(f"{name} {err}") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{name} is not valid JSON: {err}") from None
    except ValueError:
        # The one other ValueError the parser raises: an integer too long to convert.
        raise ValueError(f"{name} holds a whole number with too many digits") from None
    if _nesting_depth_exceeds(content, MAX_DEPTH):
        raise ValueError(too_deep)
    return content


def read_json(path, what: str = "file"):
    """Parse the JSON file at ``path`` (see ``read_bytes`` and ``parse_json_text``).

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the
    file for anything else: not a regular file, over ``MAX_FILE_BYTES``, not
    UTF-8 text, empty, or not strict JSON.
    """
    data = read_bytes(path, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{what} {path} is not UTF-8 text: {err}") from None
    return parse_json_text(text, f"{what} {path}")


def printable(text: str) -> str:
    """``text`` with every control or other non-printable character written as an escape.

    For messages that show what a file or a command line holds: an ESC
    character (``\\x1b``) shows as those four characters instead of reaching
    the terminal as the start of a control sequence.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
