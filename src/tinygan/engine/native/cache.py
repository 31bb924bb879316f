"""The native kernel's cache folder: the user's own, written so that nothing is half-done.

As careful as the caches users already trust (pip's, Inductor's):

- the folder is made with mode 0700; a folder or file in it that is not owned by the
  user, or that group or others may write, is refused (another local user could plant
  code there);
- files are written to a temporary file, synced to disk and renamed into place, under a
  lock (processes building at once wait for one another); a killed build's temporary
  files are removed by a later build.

Every failure here is a :class:`NativeKernelError` that says what failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "STALE",
    "NativeKernelError",
    "cache_dir",
    "clean_stale",
    "digest",
    "folder",
    "locked",
    "owned_privately",
    "sync_folder",
    "write_synced",
]

STALE = 600
"""Seconds after which a temporary file is a killed build's (a build takes at most 300)."""


class NativeKernelError(RuntimeError):
    """The native kernel cannot be built, loaded or trusted here (the message says why)."""


def cache_dir() -> Path:
    """Where built kernels are kept.

    ``$TINYGAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/tinygan``, else ``~/.cache/tinygan``.

    Raises:
        NativeKernelError: If none is set and the home folder is unknown (or ``HOME``
            is empty).
    """
    chosen = os.environ.get("TINYGAN_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "tinygan"
    if os.environ.get("HOME") == "":  # Path.home() would make it the root folder
        raise NativeKernelError(
            "no cache folder for the kernel: HOME is set but empty; set TINYGAN_CACHE_DIR "
            "to a folder of your own"
        )
    try:
        return Path.home() / ".cache" / "tinygan"
    except (RuntimeError, KeyError) as exc:
        raise NativeKernelError(
            f"no cache folder for the kernel: the home folder is unknown ({exc}); "
            "set TINYGAN_CACHE_DIR to a folder of your own"
        ) from None


def owned_privately(path: Path, what: str) -> os.stat_result:
    """Refuse ``path`` unless it is the user's own and only the user may write to it.

    ``what`` names it in the message (``"cache folder"``, ``"library"``, ``"record"``); a
    library may not be a symbolic link either.

    Raises:
        NativeKernelError: Naming the owner or the mode that is refused.
    """
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) and what == "library":
        raise NativeKernelError(f"the kernel library {path} is a symbolic link: refused")
    info = path.stat()
    uid = os.geteuid()
    if info.st_uid != uid:
        raise NativeKernelError(
            f"the kernel's {what} {path} belongs to user {info.st_uid}, not to you "
            f"(user {uid}): refused (set TINYGAN_CACHE_DIR to a folder of your own)"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise NativeKernelError(
            f"the kernel's {what} {path} may be written by others (mode "
            f"{stat.S_IMODE(info.st_mode):o}): refused (chmod go-w it, or set "
            "TINYGAN_CACHE_DIR to a folder of your own)"
        )
    return info


def folder() -> Path:
    """The cache folder (:func:`cache_dir`), made with mode 0700 if missing, and checked.

    Raises:
        NativeKernelError: If it cannot be made, or is not the user's own alone.
    """
    path = cache_dir()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        if not path.is_dir():
            raise NativeKernelError(f"the kernel's cache folder {path} is not a folder")
        owned_privately(path, "cache folder")
    except OSError as exc:
        raise NativeKernelError(f"cannot use the kernel's cache folder {path}: {exc}") from None
    return path


def digest(path: Path) -> str:
    """The SHA-256 digest of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_folder(folder: Path) -> None:
    """Sync a folder's entries to disk (after a rename into it)."""
    with contextlib.suppress(OSError):  # not every file system syncs folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_synced(folder: Path, target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` in ``folder``: a temporary file, synced, renamed."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(folder: Path, name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder/name.lock`` (where the platform has ``fcntl``).

    The lock file is opened without following a symbolic link, and refused unless it is
    the user's own (as the folder's files are).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: builds race, renames keep it safe
        yield
        return
    path = folder / f"{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        owned_privately(path, "lock file")
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def clean_stale(folder: Path) -> None:
    """Remove temporary files that killed builds left behind."""
    now = time.time()
    for leftover in folder.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if now - leftover.lstat().st_mtime > STALE:
                leftover.unlink()
