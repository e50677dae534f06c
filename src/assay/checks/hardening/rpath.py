"""RPATH/RUNPATH entries that let someone other than the vendor plant a library: an empty entry
or a relative path (both resolved against the process's working directory), or a directory any
user can write to. `$ORIGIN`-relative entries are the binary's own directory and are fine."""

import posixpath

ORIGIN_PREFIXES = ("$ORIGIN", "${ORIGIN}")
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/shm", "/var/lock", "/run/lock")


def split_path_list(value: str | None) -> tuple[str, ...] | None:
    """A DT_RPATH/DT_RUNPATH string as its colon-separated entries (None when absent)."""
    return None if value is None else tuple(value.split(":"))


def insecure_entries(entries: tuple[str, ...] | None) -> tuple[str, ...]:
    """The entries of a search path that are insecure, in order, each once."""
    if entries is None:
        return ()
    return tuple(dict.fromkeys(e for e in entries if why_insecure(e) is not None))


def why_insecure(entry: str) -> str | None:
    """Why one search-path entry is insecure, or None when it is not."""
    if entry == "":
        return "empty entry: the current directory"
    if entry.startswith(ORIGIN_PREFIXES):
        return None
    if not entry.startswith("/"):
        return "relative path: resolved against the current directory"
    normal = "/" + posixpath.normpath(entry).lstrip("/")
    for directory in WORLD_WRITABLE:
        if normal == directory or normal.startswith(directory + "/"):
            return f"inside {directory}, which every user can write to"
    return None
