"""The identification corpus recipe: Debian packages, their product keys and own files, and wheels.

Product keys are those of `/work/shared/vulndata/manifest.json` (`products`) where the product
is there; the others (marked `# not in manifest`) use the upstream project's usual short name.
`files` are globs over a file's name (or, with a `/`, its path inside the package) naming the
product's main executables and libraries: the files on which recall is measured. Every other ELF
file of the package is the same product too (a correct detection there is no false positive).
"""

from __future__ import annotations

from dataclasses import dataclass

ARCHES = ("amd64", "arm64", "armhf", "mipsel")


@dataclass(frozen=True)
class Package:
    """One Debian binary package, the product it ships and which of its files are that product."""

    name: str
    product: str
    files: tuple[str, ...]


def pkg(name: str, product: str, *files: str) -> Package:
    """A package row."""
    return Package(name, product, files)


PACKAGES: tuple[Package, ...] = (
    pkg("openssl", "openssl", "openssl"),
    pkg("libssl3", "openssl", "libssl.so.3", "libcrypto.so.3"),
    pkg("busybox", "busybox", "busybox"),
    pkg("busybox-static", "busybox", "busybox"),
    pkg("dropbear-bin", "dropbear", "dropbear", "dbclient", "dropbearkey", "dropbearconvert"),
    pkg("openssh-client", "openssh", "ssh", "scp", "sftp", "ssh-add", "ssh-agent", "ssh-keygen"),
    pkg("openssh-server", "openssh", "sshd"),
    pkg("openssh-sftp-server", "openssh", "sftp-server"),
    pkg("curl", "curl", "curl"),
    pkg("libcurl4", "curl", "libcurl.so.4*"),
    pkg("zlib1g", "zlib", "libz.so.1*"),
    pkg("libpng16-16", "libpng", "libpng16.so.16*"),
    pkg("libexpat1", "expat", "libexpat.so.1*"),
    pkg("libsqlite3-0", "sqlite", "libsqlite3.so.0*"),
    pkg("sqlite3", "sqlite", "sqlite3"),
    pkg("dnsmasq-base", "dnsmasq", "dnsmasq"),
    pkg("lighttpd", "lighttpd", "lighttpd", "lighttpd-angel"),
    pkg("libc6", "glibc", "libc.so.6", "ld-linux*.so*", "ld.so.1"),
    pkg("bash", "bash", "bash"),
    pkg("samba-libs", "samba", "libsmbconf.so.0*", "libsamba-util.so.0*"),
    pkg("libsmbclient", "samba", "libsmbclient.so.0*"),
    pkg("libwbclient0", "samba", "libwbclient.so.0*"),
    pkg("smbclient", "samba", "smbclient"),
    pkg("hostapd", "hostapd", "hostapd", "hostapd_cli"),
    pkg("wpasupplicant", "wpa_supplicant", "wpa_supplicant", "wpa_cli", "wpa_passphrase"),
    pkg("miniupnpd-nftables", "miniupnpd", "miniupnpd"),
    pkg("libxml2", "libxml2", "libxml2.so.2*"),
    pkg("libxslt1.1", "libxslt", "libxslt.so.1*"),  # not in manifest
    pkg("xsltproc", "libxslt", "xsltproc"),  # not in manifest
    pkg("libpcre2-8-0", "pcre2", "libpcre2-8.so.0*"),
    pkg("libpcre3", "pcre", "libpcre.so.3*"),
    pkg("liblua5.3-0", "lua", "liblua5.3.so.0*"),
    pkg("lua5.3", "lua", "lua5.3", "luac5.3"),
    pkg("ntpsec", "ntpsec", "ntpd"),  # not in manifest (NVD ntpsec:ntpsec)
    pkg("libsnmp40", "net-snmp", "libnetsnmp.so.40*"),
    pkg("snmpd", "net-snmp", "snmpd"),
    pkg("libstrongswan", "strongswan", "libstrongswan.so*"),
    pkg("strongswan-libcharon", "strongswan", "libcharon.so*"),
    pkg("strongswan-charon", "strongswan", "charon"),
    pkg("openvpn", "openvpn", "openvpn"),
    pkg("nginx", "nginx", "nginx"),
    pkg("libgnutls30", "gnutls", "libgnutls.so.30*"),
    pkg("libmbedtls14", "mbedtls", "libmbedtls.so*"),
    pkg("libmbedcrypto7", "mbedtls", "libmbedcrypto.so*"),
    pkg("libmbedx509-1", "mbedtls", "libmbedx509.so*"),
    pkg("libwolfssl35", "wolfssl", "libwolfssl.so*"),
    pkg("libssh-4", "libssh", "libssh.so.4*"),
    pkg("libssh2-1", "libssh2", "libssh2.so.1*"),
    pkg("iptables", "iptables", "xtables-legacy-multi", "xtables-nft-multi"),
    pkg("libxtables12", "iptables", "libxtables.so.12*"),
    pkg("ppp", "ppp", "pppd"),
    pkg(
        "frr",
        "frr",
        "libfrr.so*",
        "zebra",
        "bgpd",
        "ospfd",
        "ospf6d",
        "ripd",
        "isisd",
        "staticd",
        "watchfrr",
        "vtysh",
    ),
    pkg("bind9", "bind", "named"),
    pkg("bind9-libs", "bind", "libisc-*.so", "libdns-*.so", "libns-*.so"),
    pkg("unbound", "unbound", "unbound", "unbound-checkconf", "unbound-control"),
    pkg("libunbound8", "unbound", "libunbound.so.8*"),
    pkg("sudo", "sudo", "sudo", "sudoers.so", "libsudo_util.so*"),
    pkg(
        "util-linux",
        "util-linux",
        *("dmesg", "lsblk", "blkid", "findmnt", "agetty", "mkswap", "wipefs", "fsck", "more", "su"),
    ),
    pkg("libblkid1", "util-linux", "libblkid.so.1*"),
    pkg("libmount1", "util-linux", "libmount.so.1*"),
    pkg("e2fsprogs", "e2fsprogs", "mke2fs", "e2fsck", "tune2fs", "debugfs", "dumpe2fs"),
    pkg("libext2fs2", "e2fsprogs", "libext2fs.so.2*"),
    pkg("xz-utils", "xz", "xz", "xzdec", "lzmainfo"),
    pkg("liblzma5", "xz", "liblzma.so.5*"),
    pkg("libbz2-1.0", "bzip2", "libbz2.so.1*"),
    pkg("bzip2", "bzip2", "bzip2"),
    pkg("liblz4-1", "lz4", "liblz4.so.1*"),
    pkg("lz4", "lz4", "lz4"),
    pkg("libzstd1", "zstd", "libzstd.so.1*"),
    pkg("zstd", "zstd", "zstd"),
    pkg("jq", "jq", "jq"),
    pkg("libjq1", "jq", "libjq.so.1*"),
    pkg("python3.11-minimal", "python", "python3.11"),
    pkg("libpython3.11", "python", "libpython3.11.so.1*"),
    pkg("perl-base", "perl", "perl"),
    pkg("libperl5.36", "perl", "libperl.so.5.36*"),
    pkg("php8.2-cli", "php", "php8.2"),
    pkg("nodejs", "nodejs", "node"),
    pkg("libnode108", "nodejs", "libnode.so.108"),
    pkg("redis-tools", "redis", "redis-server", "redis-cli", "redis-benchmark"),
    pkg("libyaml-0-2", "libyaml", "libyaml-0.so.2*"),
    pkg("libprotobuf32", "protobuf", "libprotobuf.so.32*"),
    pkg("libgrpc29", "grpc", "libgrpc.so.29*"),
    pkg("libnghttp2-14", "nghttp2", "libnghttp2.so.14*"),
    pkg("libuv1", "libuv", "libuv.so.1*"),
    pkg("libevent-2.1-7", "libevent", "libevent-2.1.so.7*", "libevent_core-2.1.so.7*"),
    pkg("libsctp1", "sctp", "libsctp.so.1*"),
    pkg("libjpeg62-turbo", "libjpeg-turbo", "libjpeg.so.62*"),  # not in manifest
    pkg("libtiff6", "libtiff", "libtiff.so.6*"),  # not in manifest
    pkg("libwebp7", "libwebp", "libwebp.so.7*"),  # not in manifest
    pkg("libfreetype6", "freetype", "libfreetype.so.6*"),  # not in manifest
    pkg("liblcms2-2", "lcms2", "liblcms2.so.2*"),  # not in manifest
    pkg("libopenjp2-7", "openjpeg", "libopenjp2.so.*"),  # not in manifest
    pkg("libpq5", "postgresql", "libpq.so.5*"),  # not in manifest
    pkg("u-boot-tools", "u-boot", "mkimage", "dumpimage", "fw_printenv"),
)

# Verified copies of one product compiled into another's files (their code is there, not only a
# header's version text): (corpus path glob, product, why). Their version is not established
# independently, so detections of that product in those files are not scored either way.
EMBEDDED: tuple[tuple[str, str, str], ...] = (
    ("debian/*/busybox-static/*", "glibc", "a static executable: glibc is linked in"),
    (
        "debian/*/redis-tools/*",
        "lua",
        "Debian's redis links no liblua: Lua 5.1 is compiled in (lua_* symbols in the binary)",
    ),
    (
        "debian/*/libnode108/*",
        "zlib",
        "V8's own copy of Chromium's zlib (deflate/inflate code and banners); libz is linked too",
    ),
    (
        "pypi/cryptography-*/cryptography/hazmat/bindings/_rust.abi3.so",
        "rust",
        "a Rust extension: the Rust standard library is compiled in (rustc is not in the SBOM)",
    ),
    (
        "pypi/pillow-*/pillow.libs/libfreetype-*",
        "bzip2",
        "Pillow's FreeType has bzip2 linked in statically (no libbz2 among its dependencies)",
    ),
)

# Debian source versions whose upstream version is not the plain "strip epoch and revision".
VERSION_FIXES: dict[str, tuple[str, str]] = {
    # product: (regular expression over the stripped version, replacement)
    "libevent": (r"-stable$", ""),
}


@dataclass(frozen=True)
class Wheel:
    """A PyPI wheel that bundles native libraries, pinned to one release."""

    project: str
    version: str


WHEELS: tuple[Wheel, ...] = (
    Wheel("cryptography", "50.0.2"),
    Wheel("psycopg2-binary", "2.9.13"),
    Wheel("pillow", "12.2.0"),
    Wheel("lxml", "6.1.3"),
)
