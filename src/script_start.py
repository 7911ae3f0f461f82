"""Imported first by every script: from here on, a Ctrl-C ends it with one line, not a traceback.

The scripts spend their first tenth of a second importing NumPy; a Ctrl-C in
that time would print a traceback of the import machinery. Until
``src.cli.run`` takes over (it turns Ctrl-C into one line naming what was
written), a Ctrl-C ends the script at once: nothing has been written yet.
Importing this module (through ``src``) also sets NumPy's BLAS to one thread
(see ``src/__init__.py``); it imports nothing else, so it takes effect early.
"""

import os
import signal
import sys
import threading


def _interrupted_early(signum, frame):
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "script"
    os.write(2, f"{program}: error: interrupted; nothing was written\n".encode("utf-8", "replace"))
    os._exit(1)


if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) \
        is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted_early)
