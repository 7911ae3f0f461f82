"""What saving and reading do to the files around them (src/fileio.py).

Saving must not change *what* is at a path: permissions and owner stay, a
symbolic link stays a link, anything that is not a regular file is refused,
long names work, and no temporary file is left behind, also after a kill.
Reading must read only regular files, within a size limit, and never hang.
"""

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import src.fileio as fileio
from src.datasets import load_dataset
from src.fileio import atomic_write_bytes, read_bytes, read_json
from src.layer import Layer
from src.neural_network import NeuralNet

ROOT = Path(__file__).resolve().parent.parent


def small_net(seed=0):
    rng = np.random.default_rng(seed)
    net = NeuralNet()
    net.add_layer(Layer(2, 2, "input"))
    net.add_layer(Layer(2, 3, "hidden", rng=rng))
    net.add_layer(Layer(3, 2, "output", rng=rng))
    return net


def names(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@pytest.fixture
def alarm():
    """Fail instead of hanging: anything that blocks for 20 s raises."""
    def ring(signum, frame):
        raise TimeoutError("blocked for 20 s")
    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# --- saving keeps what is at the path ---

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_saving_over_a_file_keeps_its_permissions(tmp_path, mode):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    os.chmod(path, mode)
    small_net(1).save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert np.array_equal(NeuralNet().load(path).layers[1].weights, small_net(1).layers[1].weights)


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        small_net().save(tmp_path / "new.json")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_saving_over_a_file_keeps_its_owner(tmp_path):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    os.chown(path, 4321, 4322)
    small_net(1).save(path)
    info = os.stat(path)
    assert (info.st_uid, info.st_gid) == (4321, 4322)


def test_saving_through_a_symbolic_link_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    small_net(0).save(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    small_net(1).save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert np.array_equal(NeuralNet().load(target).layers[1].weights, small_net(1).layers[1].weights)
    assert names(tmp_path) == ["link.json", "real"] and names(tmp_path / "real") == ["model.json"]


def test_a_link_to_a_file_not_yet_written_creates_that_file(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "later.json")
    small_net().save(link)
    assert link.is_symlink() and (tmp_path / "later.json").is_file()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_is_refused_naming_the_path_given(tmp_path, device):
    before = os.stat(device)
    with pytest.raises(ValueError, match=f"cannot write {device}: it is a character device"):
        small_net().save(device)
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    with pytest.raises(ValueError, match=f"cannot write {link} \\(a link to /dev/null\\): it is a character"):
        small_net().save(link)
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_fifo_is_refused(tmp_path, alarm):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        small_net().save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and names(tmp_path) == ["pipe.json"]


def test_a_folder_is_refused_naming_it_and_no_temporary_name(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        small_net().save(folder)
    assert str(info.value) == f"cannot write {folder}: it is a folder, not a file"
    assert names(tmp_path) == ["models"] and names(folder) == []


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_is_not_replaced(tmp_path, mode):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    before = path.read_bytes()
    os.chmod(path, mode)
    with pytest.raises(PermissionError, match=f"cannot write {path}: the file is read-only"):
        small_net(1).save(path)
    assert path.read_bytes() == before and stat.S_IMODE(os.stat(path).st_mode) == mode
    assert names(tmp_path) == ["model.json"]


def test_a_250_character_name_can_be_saved_and_loaded(tmp_path):
    path = tmp_path / ("m" * 245 + ".json")
    small_net().save(path)
    assert NeuralNet().load(path).n_outputs == 2
    small_net(1).save(path)
    assert names(tmp_path) == [path.name]


def test_temporary_names_are_short_and_tell_whose_they_are(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def watching_replace(source, target):
        seen.append(Path(source).name)
        real_replace(source, target)

    monkeypatch.setattr(fileio.os, "replace", watching_replace)
    atomic_write_bytes(tmp_path / "model.json", b"{}")
    atomic_write_bytes(tmp_path / ("x" * 250), b"{}")
    assert seen[0].startswith(".model.json.") and seen[0].endswith(".tmp")
    assert seen[1].startswith("." + "x" * 48 + "~") and len(seen[1]) <= 80


def dead_pid():
    """The process id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_temporary_file_left_by_a_killed_writer_is_removed_on_the_next_save(tmp_path):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    stale = tmp_path / f".model.json.{dead_pid()}.0123abcd.tmp"
    stale.write_text('{"Layer_0": ')  # a save killed with kill -9 halfway
    running = tmp_path / f".model.json.{os.getppid()}.0123abcd.tmp"  # a writer that still runs
    running.write_text("{")
    other = tmp_path / f".other.json.{dead_pid()}.0123abcd.tmp"  # another file's
    other.write_text("{")
    small_net(1).save(path)
    assert names(tmp_path) == sorted([running.name, other.name, "model.json"])


def test_a_real_kill_9_during_saves_leaves_at_most_a_temporary_file_the_next_save_removes(tmp_path):
    """A child saves in a loop until it is killed; afterwards one save cleans up."""
    path = tmp_path / "model.json"
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from tests.test_fileio import small_net\n"
            "net = small_net()\n"
            "net.training_record = {'notes': ['x' * 1000] * 3000}\n"
            "print('ready', flush=True)\n"
            f"while True: net.save({str(path)!r})\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "ready\n"
    while not path.exists():
        pass
    child.kill()
    child.wait()
    assert set(names(tmp_path)) <= {"model.json"} | {n for n in names(tmp_path) if n.endswith(".tmp")}
    NeuralNet().load(path)  # whatever the moment of the kill, the file is whole
    small_net().save(path)
    assert names(tmp_path) == ["model.json"]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_a_save_takes_effect_after_it_and_leaves_no_temporary_file(tmp_path, monkeypatch,
                                                                                  number):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    events = []
    real_fsync = os.fsync

    def fsync_then_sigterm(fd):
        real_fsync(fd)
        if not events:
            events.append("fsync")
            os.kill(os.getpid(), number)  # arrives in the middle of the write

    def on_signal(signum, frame):
        events.append(("signal", list(fileio.WRITTEN[-1:]), names(tmp_path)))

    previous = signal.signal(number, on_signal)
    try:
        monkeypatch.setattr(fileio.os, "fsync", fsync_then_sigterm)
        small_net(1).save(path)
    finally:
        signal.signal(number, previous)
    assert events == ["fsync", ("signal", [str(path)], ["model.json"])]
    assert signal.getsignal(number) is previous
    assert np.array_equal(NeuralNet().load(path).layers[1].weights, small_net(1).layers[1].weights)


def test_sigterm_with_the_default_action_ends_the_process_after_the_write(tmp_path):
    """In a process that keeps SIGTERM's default: the save completes, then it dies of SIGTERM."""
    path = tmp_path / "model.json"
    code = (f"import os, signal, sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "import src.fileio as fileio\n"
            "from tests.test_fileio import small_net\n"
            "real = os.fsync\n"
            "def fsync(fd):\n"
            "    real(fd); os.kill(os.getpid(), signal.SIGTERM)\n"
            "fileio.os.fsync = fsync\n"
            f"small_net(1).save({str(path)!r})\n"
            "print('still running')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGTERM and "still running" not in result.stdout
    assert names(tmp_path) == ["model.json"]
    assert np.array_equal(NeuralNet().load(path).layers[1].weights, small_net(1).layers[1].weights)


def test_a_missing_folder_is_named_and_nothing_is_created(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .*missing does not exist"):
        atomic_write_bytes(tmp_path / "missing" / "m.json", b"{}")
    assert names(tmp_path) == []


def test_written_paths_are_listed_in_order(tmp_path):
    start = len(fileio.WRITTEN)
    atomic_write_bytes(tmp_path / "a.json", b"{}")
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path, b"{}")
    atomic_write_bytes(str(tmp_path / "b.json"), b"{}")
    assert fileio.WRITTEN[start:] == [str(tmp_path / "a.json"), str(tmp_path / "b.json")]


# --- reading: regular files only, bounded ---

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_never_read(device, alarm):
    with pytest.raises(ValueError, match=f"model file {device} is a character device, not a regular file"):
        NeuralNet().load(device)
    with pytest.raises(ValueError, match=f"data file {device} is a character device"):
        load_dataset(device, "xor")


def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path, alarm):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=f"model file {fifo} is a FIFO"):
        NeuralNet().load(fifo)
    with pytest.raises(ValueError, match=f"data file {fifo} is a FIFO"):
        load_dataset(fifo, "xor")


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path, alarm):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # 200 MB, sparse: nothing is stored, and nothing may be read
        handle.truncate(200 * 1024 * 1024)
    with pytest.raises(ValueError) as info:
        NeuralNet().load(path)
    assert str(info.value) == f"model file {path} is larger than 64.0 MiB, the most a model file may be"
    with pytest.raises(ValueError, match="larger than 64.0 MiB, the most a data file may be"):
        load_dataset(path, "xor")


def test_the_limit_is_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio, "MAX_FILE_BYTES", 10)
    path = tmp_path / "f.json"
    path.write_bytes(b"[1, 2, 33]")
    assert read_json(path) == [1, 2, 33]
    path.write_bytes(b"[1, 2, 333]")
    with pytest.raises(ValueError, match="larger than 10 bytes"):
        read_json(path)


def test_save_refuses_a_model_too_large_to_be_read_back(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    small_net(0).save(path)
    before = path.read_bytes()
    monkeypatch.setattr(fileio, "MAX_FILE_BYTES", len(before) + 10)
    net = small_net(1)
    net.training_record = {"notes": "x" * 100}
    with pytest.raises(ValueError, match=f"refusing to save to {path}: the file would be larger than"):
        net.save(path)
    assert path.read_bytes() == before


def test_a_symbolic_link_to_a_regular_file_is_read(tmp_path):
    small_net().save(tmp_path / "model.json")
    (tmp_path / "link.json").symlink_to(tmp_path / "model.json")
    assert NeuralNet().load(tmp_path / "link.json").n_outputs == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "model.json"
    small_net().save(path)
    os.chmod(path, 0)
    with pytest.raises(PermissionError, match=f"model file {path} cannot be read"):
        NeuralNet().load(path)


def test_read_bytes_reads_a_file_that_reports_no_size():
    assert b"Name:" in read_bytes("/proc/self/status")


def test_control_characters_in_a_file_reach_messages_only_as_escapes(tmp_path):
    content = small_net().to_dict()
    content["Layer_1"]["activation_params"] = {"\x1b[2J\x1b[31mbeta": 1.0}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError) as info:
        NeuralNet().load(path)
    message = str(info.value)
    assert "\x1b" not in message and "\\x1b[2J\\x1b[31mbeta" in message
    assert message.isprintable()
