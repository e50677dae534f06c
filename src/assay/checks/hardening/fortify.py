"""FORTIFY_SOURCE: which fortified glibc functions a file calls and which plain functions it
calls that have a fortified variant — from a table of glibc's fortified functions (glibc's
debug/Versions, 2.3.4 to 2.40), so the target's own libc is not needed."""

from collections.abc import Iterable

from assay.model.hardening import Fortify

# Every fortified entry point glibc exports, by the release that added it. The `_2` entry
# points are the fortified open/mq_open (checked flags), not checked sizes, but come from the
# same _FORTIFY_SOURCE headers.
GLIBC_FORTIFIED: tuple[str, ...] = (
    # 2.3.4
    "__memcpy_chk", "__memmove_chk", "__mempcpy_chk", "__memset_chk", "__stpcpy_chk",
    "__strcat_chk", "__strcpy_chk", "__strncat_chk", "__strncpy_chk", "__sprintf_chk",
    "__vsprintf_chk", "__snprintf_chk", "__vsnprintf_chk", "__printf_chk", "__fprintf_chk",
    "__vprintf_chk", "__vfprintf_chk", "__gets_chk",
    # 2.4
    "__fgets_chk", "__fgets_unlocked_chk", "__read_chk", "__pread_chk", "__pread64_chk",
    "__readlink_chk", "__getcwd_chk", "__getwd_chk", "__recv_chk", "__recvfrom_chk",
    "__realpath_chk", "__wctomb_chk", "__stpncpy_chk", "__wcscpy_chk", "__wmemcpy_chk",
    "__wmemmove_chk", "__wmempcpy_chk", "__wcpcpy_chk", "__wcsncpy_chk", "__wcscat_chk",
    "__wcsncat_chk", "__wmemset_chk", "__wcpncpy_chk", "__swprintf_chk", "__vswprintf_chk",
    "__fwprintf_chk", "__wprintf_chk", "__vfwprintf_chk", "__vwprintf_chk", "__fgetws_chk",
    "__fgetws_unlocked_chk", "__confstr_chk", "__getgroups_chk", "__ttyname_r_chk",
    "__getlogin_r_chk", "__gethostname_chk", "__getdomainname_chk", "__wcrtomb_chk",
    "__mbsnrtowcs_chk", "__wcsnrtombs_chk", "__mbsrtowcs_chk", "__wcsrtombs_chk",
    "__mbstowcs_chk", "__wcstombs_chk", "__syslog_chk", "__vsyslog_chk", "__ptsname_r_chk",
    # 2.5 – 2.8
    "__readlinkat_chk", "__open_2", "__open64_2", "__openat_2", "__openat64_2", "__mq_open_2",
    "__fread_chk", "__fread_unlocked_chk", "__asprintf_chk", "__vasprintf_chk", "__dprintf_chk",
    "__vdprintf_chk", "__obstack_printf_chk", "__obstack_vprintf_chk",
    # 2.11 – 2.40
    "__longjmp_chk", "__fdelt_chk", "__poll_chk", "__ppoll_chk", "__ppoll64_chk",
    "__explicit_bzero_chk", "__strlcpy_chk", "__strlcat_chk", "__wcslcpy_chk", "__wcslcat_chk",
    "__inet_ntop_chk", "__inet_pton_chk",
)  # fmt: skip

# Fortified entry points whose plain counterparts are not named by stripping `__` and the
# `_chk`/`_2` suffix. __fdelt_chk guards the FD_SET macros, which have no plain function.
IRREGULAR: dict[str, tuple[str, ...]] = {
    "__longjmp_chk": ("longjmp", "_longjmp", "siglongjmp"),
    "__ppoll64_chk": ("ppoll", "__ppoll64"),
    "__fdelt_chk": (),
}


def plain_names(fortified: str) -> tuple[str, ...]:
    """The unfortified functions that `fortified` replaces (`__memcpy_chk` → `memcpy`)."""
    if fortified in IRREGULAR:
        return IRREGULAR[fortified]
    stem = fortified.removeprefix("__")
    for suffix in ("_chk", "_2"):
        if stem.endswith(suffix):
            return (stem.removesuffix(suffix),)
    return ()


# glibc's libc.a defines these beside the string functions of the same object (i386 multiarch
# memcpy, for one), so a static binary holds them whether or not its own code was fortified.
STATIC_LIBC_OWN = frozenset({"__memcpy_chk", "__memmove_chk", "__mempcpy_chk", "__memset_chk"})
FORTIFIED = frozenset(GLIBC_FORTIFIED)
FORTIFIABLE = frozenset(name for f in GLIBC_FORTIFIED for name in plain_names(f))


def fortify_usage(called: Iterable[str] | None, static: bool = False) -> Fortify:
    """The fortified and fortifiable functions among the names a file calls (None: unknown);
    in a `static` file the fortified functions libc.a brings along are not counted."""
    if called is None:
        return Fortify(fortified=None, fortifiable=None)
    names = set(called)
    fortified = names & FORTIFIED - (STATIC_LIBC_OWN if static else frozenset())
    return Fortify(
        fortified=tuple(sorted(fortified)),
        fortifiable=tuple(sorted(names & FORTIFIABLE)),
    )
