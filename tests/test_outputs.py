"""Outputs never lose data: `--out` replaces only an empty folder or an earlier personkg output,
never the data being read or a folder that holds it; the swap is one step; what a killed run
left behind is removed; files and folders get the umask's modes, and a replaced file keeps its
own (each case failed before the output rules existed)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import FIXTURES, run_process
from personkg.output import MARKER, write_dir, write_file, write_new


def _tree(root):
    return sorted((str(p.relative_to(root)), p.read_bytes() if p.is_file() else b"")
                  for p in root.rglob("*"))


@pytest.mark.parametrize("command", ["build", "site"])
def test_out_never_replaces_the_data_being_read(mini, command):
    before = _tree(mini)
    result = run_process(command, "--data", str(mini), "--out", str(mini))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "is or holds the dataset being read" in result.err
    assert _tree(mini) == before


@pytest.mark.parametrize("command", ["build", "site"])
def test_out_never_replaces_a_folder_that_holds_the_data(mini, command):
    project = mini.parent
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    before = _tree(project)
    result = run_process(command, "--data", str(mini), "--out", str(project))
    assert result.code == 2 and "is or holds the dataset being read" in result.err
    assert _tree(project) == before


def test_out_never_replaces_a_folder_of_other_files(mini, tmp_path):
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"\xff\xd8 not really")
    result = run_process("build", "--data", str(mini), "--out", str(other))
    assert result.code == 2 and "neither empty nor an earlier personkg output" in result.err
    assert [p.name for p in other.iterdir()] == ["cat.jpg"]


def test_an_earlier_output_and_an_empty_folder_are_replaced(mini, tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    assert run_process("build", "--data", str(mini), "--out", str(out)).code == 0
    assert (out / MARKER).is_file() and (out / "dataset.ttl").is_file()
    (out / "dataset.ttl").write_text("stale", encoding="utf-8")
    assert run_process("build", "--data", str(mini), "--out", str(out)).code == 0
    assert (out / "dataset.ttl").read_text(encoding="utf-8") != "stale"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_partial_folders_of_a_killed_run_are_removed(mini, tmp_path):
    out = tmp_path / "site"
    code = ("import os, sys\n"
            "from personkg import output\n"
            "def fill(tmp):\n"
            "    (tmp / 'half.html').write_text('half')\n"
            "    os.kill(os.getpid(), 9)\n"
            f"output.write_dir(__import__('pathlib').Path({str(out)!r}), fill)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert left and not out.exists()  # the killed run left its partial folder, no output
    assert run_process("site", "--data", str(mini), "--out", str(out)).code == 0
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_outputs_get_the_umask_modes_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_dir(tmp_path / "out", lambda t: (t / "a.txt").write_text("a"))
        assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
        assert stat.S_IMODE((tmp_path / "out" / "a.txt").stat().st_mode) == 0o644
        write_file(tmp_path / "f.txt", "one")
        assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o644
        os.chmod(tmp_path / "f.txt", 0o640)
        write_file(tmp_path / "f.txt", "two")
        assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o640
        assert (tmp_path / "f.txt").read_text() == "two"
    finally:
        os.umask(old)


def test_write_new_writes_text_as_utf8_and_bytes_as_they_are_whole(tmp_path, monkeypatch):
    """The site's page writer: the bytes given, with the umask's mode, replacing an earlier
    file whole, and all of them when the system writes only part at a time (a signal, a
    full disk's last blocks, a network file system)."""
    old = os.umask(0o022)
    try:
        write_new(tmp_path / "a.html", "Gödel & <Escher>\n")
        assert (tmp_path / "a.html").read_bytes() == "Gödel & <Escher>\n".encode()
        assert stat.S_IMODE((tmp_path / "a.html").stat().st_mode) == 0o644
        big = bytes(range(256)) * 4_000
        write_new(tmp_path / "b.jsonld", big)
        assert (tmp_path / "b.jsonld").read_bytes() == big
        write_new(tmp_path / "b.jsonld", b"shorter")
        assert (tmp_path / "b.jsonld").read_bytes() == b"shorter"
        real_write, calls = os.write, []

        def partial(fd: int, data) -> int:
            calls.append(len(data))
            return real_write(fd, bytes(data[:1000]))

        monkeypatch.setattr(os, "write", partial)
        write_new(tmp_path / "c.ttl", big)
        monkeypatch.undo()
        assert (tmp_path / "c.ttl").read_bytes() == big
        assert len(calls) == -(-len(big) // 1000)  # a thousand bytes a call, to the last
    finally:
        os.umask(old)


def test_the_old_output_stays_whole_until_the_new_one_is_complete(tmp_path):
    """While the new folder is built, the path still names the old, complete one."""
    out = tmp_path / "out"
    write_dir(out, lambda t: (t / "v").write_text("1"))
    seen = []

    def fill(tmp):
        (tmp / "v").write_text("2")
        seen.append((out / "v").read_text())  # the old one is still complete

    write_dir(out, fill)
    assert seen == ["1"] and (out / "v").read_text() == "2"


def test_second_fixture_is_not_touched_by_a_build_next_to_it(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "second", data)
    before = _tree(data)
    assert run_process("build", "--data", str(data), "--out", str(tmp_path / "build")).code == 0
    assert _tree(data) == before


def test_a_device_or_a_pipe_is_written_into_never_replaced(tmp_path):
    """`-o /dev/null` as root once renamed a file over the device: /dev/null became a file
    holding Turtle. A character device and a pipe are now written into; a block device is
    refused."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_file(fifo, "through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(fifo.stat().st_mode)
    if os.geteuid() != 0:
        pytest.skip("making device nodes needs root")
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = run_process("export", "--data", str(FIXTURES / "second"), "--format", "turtle",
                         "-o", str(null))
    assert result.code == 0, result.err
    assert stat.S_ISCHR(null.stat().st_mode)  # still the device
    block = tmp_path / "block"
    os.mknod(block, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    result = run_process("export", "--data", str(FIXTURES / "second"), "--format", "turtle",
                         "-o", str(block))
    assert result.code == 2 and "is a block device" in result.err
    assert stat.S_ISBLK(block.stat().st_mode)
