"""Imported first by every script: from then on, a Ctrl-C ends it with one line, not a traceback.

The scripts spend their first tenth of a second importing NumPy; a Ctrl-C in
that time would print a traceback of the import machinery. Until
``src.cli.run`` takes over (it turns Ctrl-C into one line naming what was
written), a Ctrl-C ends the script at once: nothing has been written yet.
This happens only when the program running is one of the project's scripts
(``main_*.py`` or ``data_generators/definition_of_*.py``), not when a test or
another program imports them. Importing this module (through ``src``) also
sets NumPy's BLAS to one thread (see ``src/__init__.py``); it imports nothing
heavy, so it takes effect early.
"""

import os
import signal
import sys
import threading
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _running_a_script() -> bool:
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if not main_file:
        return False
    path = Path(main_file).resolve()
    return ((path.parent == _ROOT and path.name.startswith("main_"))
            or (path.parent == _ROOT / "data_generators" and path.name.startswith("definition_of_")))


def _interrupted_early(signum, frame):
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "script"
    written = list(getattr(sys.modules.get("src.fileio"), "WRITTEN", []))
    what = "wrote " + ", ".join(dict.fromkeys(written)) if written else "nothing was written"
    os.write(2, f"{program}: error: interrupted; {what}\n".encode("utf-8", "replace"))
    os._exit(1)


if (threading.current_thread() is threading.main_thread() and _running_a_script()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
    signal.signal(signal.SIGINT, _interrupted_early)
