"""Version strings as they sit inside compiled code, one or more per binary rule, and look-alikes
that must not be read as versions.

Each sample is the bytes around the version in a real binary (Debian 12 packages for amd64,
arm64, armhf and mipsel, unless the note says otherwise): the NULs that end C strings, the
alignment padding, the neighbouring strings the compiler placed beside it, and the marker a rule
needs where it has `require_contains`. `embedded` wraps a sample in unrelated NUL-separated bytes.
"""

from dataclasses import dataclass

JUNK_BEFORE = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"junk before\x00%s: %s\x00\x01\x02\x03\x00"
)
JUNK_AFTER = b"\x00\x00junk after\x00usage: %s [options]\x00\xfe\xff\x00"
GO_HEADER = b"\xff Go buildinf:\x08\x02" + b"\x00" * 16


@dataclass(frozen=True)
class Sample:
    """Bytes that carry `product`'s version string; reading them must give exactly `version`."""

    product: str
    version: str
    data: bytes
    note: str = ""


@dataclass(frozen=True)
class LookAlike:
    """Bytes that resemble `product`'s version string but must not identify it."""

    product: str
    data: bytes
    why: str


def embedded(data: bytes) -> bytes:
    """`data` between unrelated strings, as in a binary's read-only data."""
    return JUNK_BEFORE + data + JUNK_AFTER


def s(product: str, version: str, data: bytes, note: str = "") -> Sample:
    """A table row."""
    return Sample(product, version, data, note)


UNVERIFIED = "layout from the project's source; no Debian 12 binary carries it"

SAMPLES: tuple[Sample, ...] = (
    # TLS and crypto
    s("openssl", "1.0.2k", b'\x00OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/lib/ssl"\x00'),
    s("openssl", "1.0.2k", b"\x00OpenSSL 1.0.2k-fips  26 Jan 2017\x00"),
    s("openssl", "0.9.8zh", b"\x00OpenSSL 0.9.8zh 3 Dec 2015\x00"),
    s(
        "openssl",
        "3.0.22",
        b"@\x00OpenSSL 3.0.22 25 Aug 2026\x003.0.22\x00not available\x00"
        b'platform: debian-amd64\x00OPENSSLDIR: "/usr/lib/ssl"\x00CPUINFO: N/A\x00',
    ),
    s(
        "openssl",
        "3.0.20",
        b"name\x00\x00\x00\x00OpenSSL Legacy Provider\x00buildinfo\x00\x00\x00"
        b"3.0.20\x00\x00status\x00",
        "ossl-modules/legacy.so (armhf)",
    ),
    s("libressl", "3.8.2", b"\x00LibreSSL 3.8.2\x00", UNVERIFIED),
    s("boringssl", "unknown", b"convert.c\x00des-ede\x00BoringSSL\x00OPENSSL_internal\x00"),
    s("gnutls", "3.7.9", b"GNUTLS_DEBUG_LEVEL\x00\x00Enabled GnuTLS 3.7.9 logging...\n\x00\x00"),
    s("mbedtls", "2.28.3", b"failed (ignored)\x00\x00mbed TLS 2.28.3\x00MBEDTLS_HAVE_ASM\x00"),
    s("wolfssl", "5.5.4", b"./src/pk.c\x00wolfSSL 5.5.4\x00FFDHE_4096\x00FFDHE_3072\x00"),
    s("nss", "3.87.1", b"\x00\x00\x00Version: NSS 3.87.1 Basic ECC\x00/etc/passwd\x00"),
    s(
        "libgcrypt",
        "1.10.1",
        b"\x02\x00\x00\x00\n\nThis is Libgcrypt 1.10.1 - The GNU Crypto Library\nCopyright",
    ),
    s("libgpg-error", "1.46", b"\x00\n\nThis is Libgpg-error 1.46 - A runtime library\nCopy"),
    s("gnupg", "2.2.40", b"\x00\x00GNU Privacy Guard's OpenPGP server 2.2.40 ready\x00\x00"),
    s("gnupg", "2.2.40", b"GPL-3.0-or-later\x00@GPG@ (@GNUPG@)\x002.2.40\x00GNU/Linux\x00"),
    s("krb5", "1.20.1", b"\x00\x00KRB5_BRAND: krb5-1.20.1-final 1.20.1 20221111\x00\x00\x00\x80"),
    s("cyrus-sasl", "2.1.28", b"SASL_PATH\x00Cyrus SASL\x002.1.28\x00successful result\x00"),
    s("keyutils", "1.5.8", b"%*d %s %n\x00\x00\x00\x002014-06-10\x00keyutils-1.5.8\x00\x00\x00"),
    s("libcap", "2.66", b"This is the shared library version: libcap-2.66.\nSee the License"),
    # SSH, remote access, VPN
    s("dropbear", "2022.83", b"Crypto error\x00SSH-2.0-dropbear_2022.83\r\n\x00/bin/sh\x00"),
    s("dropbear", "2019.78", b"\x00Dropbear v2019.78\n\x00", UNVERIFIED),
    s("openssh", "9.2p1", b"\x00\x00OpenSSH_9.2p1 Debian-2+deb12u10\x00usage: sshd [-46D"),
    s("openssh", "9.2p1", b"hostkey verifier\x00OpenSSH_9.2p1\x00SSH-%d.%d-%.100s%s%s\r\n\x00"),
    s("libssh", "0.10.6", b"Received banner: %s\x00SSH-2.0-libssh_0.10.6\x00SSH-2.0-%s\x00"),
    s("libssh2", "1.10.0", b"key length\x00SSH-2.0-libssh2_1.10.0\x00Timed out waiting"),
    s("openvpn", "2.6.14", b"\x00\x00OpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO]\x00"),
    s("strongswan", "5.9.8", b"\x00Starting IKE charon daemon (strongSwan 5.9.8, %s %s, %s)\x00"),
    s("strongswan", "5.9.8", b"debug-lib\x005.9.8\x00Linux strongSwan %s\n\x00charon.u"),
    s(
        "libreswan",
        "4.10",
        b"OE-Libreswan-4.10\x00\x00\x00\x00\x00\x00\x00Libreswan 4.10\x004.10\x00NO\x00",
    ),
    s("xl2tpd", "1.3.18", b"lac.count=%d\n\x00xl2tpd-1.3.18\x00\nxl2tpd version:  %s\n\x00"),
    s("ppp", "2.4.9", b"plugin file path\x00/usr/lib/pppd/2.4.9\x00Couldn't load plugin %s\x00"),
    s("ppp", "2.4.9", b"\x00\x00\x00\npppoe-discovery from pppd 2.4.9\n\x00\x00\x00"),
    s("stunnel", "5.68", b"\x00stunnel 5.68 on x86_64-pc-linux-gnu platform\x00"),
    s("stunnel", "5.68", b"CONNECT \x00Server: stunnel/5.68\x00 HTTP/\x00"),
    # network services
    s(
        "busybox",
        "1.35.0",
        b"memory\x00BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)\x00/dev/\x00",
    ),
    s("busybox", "1.19.4", b"\x00BusyBox v1.19.4 (2013-06-04 12:00:46 CST)\x00", "vendor build"),
    s("dnsmasq", "2.90", b"/etc/dnsmasq.conf\x00dnsmasq-2.90\x00version.bind\x00Simon Kelley\x00"),
    s("lighttpd", "1.4.69", b"support\n\x00lighttpd/1.4.69\x00server\x00\x00\x00Are you nuts"),
    s("nginx", "1.22.1", b'invalid option: "%c"\x00nginx version: nginx/1.22.1\n\x00'),
    s("apache_http_server", "2.4.71", b'mailto:\x00Apache/2.4.71\x00 Server at <a href="'),
    s("mini_httpd", "1.30", b"%s %d %s\r\n\x00mini_httpd/1.30 26Oct2018\x00Server: %s\r\n\x00"),
    s("vsftpd", "3.0.3", b"Service not available.\x00(vsFTPd 3.0.3)\x00USER\x00FTP\x00"),
    s(
        "haproxy",
        "2.6.12",
        b"\x00\x00\x00\x00 version 2.6.12-1+deb12u4, released 2026/10/17\x00\x002026/10/17\x00"
        b"\x00HAProxy version %s %s - https://haproxy.org/\n\x00",
    ),
    s("miniupnpd", "2.3.1", b"Server: Debian/%s UPnP/1.1 MiniUPnPd/2.3.1\r\nExt:\r\n\x00"),
    s("miniupnpd", "2.3.1", b"--version\x00miniupnpd 2.3.1 Dec 21 2022\x00--help\x00"),
    s("hostapd", "2.10", b"/var/run/hostapd\x00\x00\x00\x00\x00hostapd_cli v2.10\nCopyright (c)"),
    s(
        "hostapd",
        "2.10",
        b"configuration\x00\x00\x00\x002.10\x00\x00\x00\x00hostapd v%s\nUser space daemon for IEEE",
        "arm64, armhf, mipsel",
    ),
    s(
        "hostapd",
        "2.10",
        b"identifier '%s'\x002.10\x00IEEE 802.1X\x00IEEE 802.11\x00WPA\x00RADIUS\x00%s:%s",
        "amd64",
    ),
    s("wpa_supplicant", "2.10", b"\x00\x00wpa_supplicant v2.10\nCopyright (c) 2003-2022, Jouni"),
    s("wpa_supplicant", "2.10", b"UNKNOWN-EAP\x002.10\x00wpa_supplicant v%s\x00No drivers"),
    s(
        "bind",
        "9.18.49",
        b"libjemalloc.so.2\x00libisc-9.18.49-1~deb12u3-Debian.so\x00"
        b"libdns-9.18.49-1~deb12u3-Debian.so\x00",
    ),
    s("unbound", "1.17.1", b"READY=1\x00unbound 1.17.1\x00start of service (%s).\x00"),
    s("unbound", "1.17.1", b"\x00\x01\x00pluggable-event1.17.1\x00pluggable-event\x00"),
    s("isc-dhcp", "4.4.3-P1", b"dhclient.c\x004.4.3-P1\x00{--version|--help|-h}\x00Usage: "),
    s(
        "ntp",
        "4.2.8p15",
        b"\x00ntpd 4.2.8p15@1.3728-o Wed Sep 23 11:46:38 UTC 2020 (1)\x00",
        UNVERIFIED,
    ),
    s("ntpsec", "1.2.2", b"%12s\x00\x00\x00\x001.2.2\x00\x00\x00ntpd ntpsec-%s\x00\x00INIT: %s"),
    s(
        "net-snmp",
        "5.9.3",
        b"init_usm\x00\x00\x00\x00\x00\x00\x00\x005.9.3\x00\x00\x00container.c\x00",
    ),
    s("net-snmp", "5.9.3", b"-ffile-prefix-map=/build/reproducible-path/net-snmp-5.9.3+dfsg=. -f"),
    s(
        "frr",
        "8.4.4",
        b"\x00\nHello, this is FRRouting (version 8.4.4).\nCopyright 1996-2005 Kunihiro",
    ),
    s(
        "frr",
        "8.4.4",
        b"->terminating == false\x00dummy\x00bgpd\x008.4.4\x00bgpd daemon\x00frr\x00",
    ),
    s("frr", "8.4.4", b"dummy\x00\x00\x00zebra\x00\x00\x008.4.4\x00\x00\x00zebra daemon\x00\x00"),
    s("frr", "8.4.4", b"\x00dummy\x00zebra_irdp\x008.4.4\x00zebra IRDP module\x00"),
    s(
        "quagga",
        "1.2.4",
        b"\x00\nHello, this is Quagga (version 1.2.4).\nCopyright 1996",
        UNVERIFIED,
    ),
    s("bird", "2.0.12", b"random bytes: %m\x00--version\x00BIRD version 2.0.12\n\x00--help\x00"),
    s("keepalived", "2.2.7", b"kernel version %s\x00\x00Keepalived v2.2.7 (01/16,2022)\x00\x00"),
    s("lldpd", "1.0.16", b"Usage:   %s [OPTIONS ...]\n\x00lldpd 1.0.16\x00Version: %s\n\x00"),
    s("mosquitto", "2.0.11", b"bridge remapping.\x002.0.11\x00mosquitto version %s\n\n\x00"),
    s("libcoap", "4.3.1", b"len == 0\x00libcoap\x00libcoap 4.3.1\x00buf\x00(unknown address"),
    s(
        "samba",
        "4.17.12",
        b"NDR_STANDARD_0.0.1\x00SAMBA_4.17.12_DEBIAN_SAMBA4\x00TEVENT_UTIL_0.0.1",
    ),
    s("samba", "4.17.12", b"socket address\x004.17.12-Debian\x00Samba %s\x00server string\x00"),
    s("avahi", "0.8", b"RLIMIT_MEMLOCK\x00STATUS=%s 0.8 starting up.\x00%s: starting up\x00"),
    s("dbus", "1.14.10", b"EXTERNAL\x00libdbus 1.14.10\x00OK \x00REJECTED\x00"),
    s("dbus", "1.14.10", b"GLIBC_2.9\x00LIBDBUS_PRIVATE_1.14.10\x00LIBDBUS_1_3\x00"),
    # libraries
    s("curl", "7.88.1", b"categories:\n\x00\x00\x00curl 7.88.1 (x86_64-pc-linux-gnu) %s\n\x00"),
    s("curl", "7.88.1", b"abcdef\x00\x00/\x00libcurl/7.88.1\x00zlib/%s\x00libidn2/%s\x00"),
    s("curl", "7.88.1", b"Accept: application/json\x00curl/7.88.1\x00\x00\x00"),
    s("curl", "7.88.1", b"DICT\x00\x00\x00\x00CLIENT libcurl 7.88.1\r\nMATCH %s %s %s\r\nQUIT\r\n"),
    s("zlib", "1.2.13", b"\xdf\x05Z\x8d\xef\x02- deflate 1.2.13 Copyright 1995-2022 Jean-loup"),
    s("zlib", "1.2.13", b"\x02\x01\x00\x00 inflate 1.2.13 Copyright 1995-2022 Mark Adler \x00"),
    s("zlib", "1.3", b" deflate 1.3 Copyright 1995-2023 Jean-loup Gailly and Mark Adler \x00"),
    s("libpng", "1.6.39", b"freer\x00\x00\nlibpng version 1.6.39\nCopyright (c) 2018-2022 Cosmin"),
    s("libpng", "1.6.39", b"\x00\x00 libpng version 1.6.39 - November 20, 2022\n\n\x00\x00"),
    s("expat", "2.5.0", b"parser not started\x00expat_2.5.0\x00\\0\x00\\x1\x00"),
    s(
        "sqlite",
        "3.40.1",
        b"\xe8\x03\x00\x00\x08\x00\x00\x003.40.1\x00\x00\x01\x00\x00\x00"
        + b"\x00SQLite format 3\x00",
    ),
    s(
        "sqlite",
        "3.40.1",
        b"\x00\x00\x00\x00\x00\x00\x00\x003.40.1\x00\x00failed memory resize %u to %u bytes\x00"
        b"SQLite format 3\x00",
        "arm64",
    ),
    s(
        "libxml2",
        "2.9.14",
        b"\xf4\xc7\xf6\xff::20914\x00\x00\x00\x00\x00xmlGetGlobalState: out of memory\n\x00"
        b"xmlParseCharRef: invalid xmlChar value %d\n\x00",
    ),
    s(
        "libxml2",
        "2.9.14",
        b"b[TNG@92+$\x00i\x00\x00\x00\x0020914\x00\x00\x00xmlGetGlobalState\x00"
        b"xmlParseCharRef: invalid xmlChar value %d\n\x00",
        "arm64",
    ),
    s(
        "libxslt",
        "1.1.35",
        b"text/xml\x00text/xsl\x0010135\x00\x00\x00\x00\x00\x00\x00http://www.w3.org/1999/XSL/"
        b"\x00xsltLoadStylesheetPI : found PI href=%s\n\x00",
    ),
    s(
        "pcre",
        "8.39",
        b"\x9c\x7f\xfe\xff8.39 2016-06-14\x00\xbc\x83\xfe\xff" + b"\x00\\ at end of pattern\x00",
    ),
    s(
        "pcre2",
        "10.42",
        b"\x19\x80\x05\x00\x18\x8010.42 2022-12-11\x00\x00\x00\x00"
        + b"\x00\\ at end of pattern\x00",
    ),
    s("libyaml", "0.2.5", b"\x00\x00\x00\x00\x00\x00\x00\x000.2.5\x00api.c\x00parser\x00"),
    s("libyaml", "0.2.5", b"\xc0\x03_\xd60.2.5\x00\x00\x00api.c\x00\x00\x00parser\x00", "arm64"),
    s("nghttp2", "1.52.0", b"\x1e\x00\x00\x00\xfc\xff\xff\xff1.52.0\x00\x00h2\x00\x00", "arm64"),
    s("libuv", "1.44.2", b"\xb4\x95\xfe\xff1.44.2\x00./src/unix/async.c\x00"),
    s("libevent", "2.1.12", b"%s: %d events finalizing\x002.1.12-stable\x00EV_TIMEOUT \x00"),
    s("libarchive", "3.6.2", b"0123456789abcdef\x00libarchive 3.6.2\x00/tmp\x00TMPDIR\x00"),
    s("libpcap", "1.10.3", b"ioctl failed\x00\x00\x00libpcap version 1.10.3 (with TPACKET_V3)\x00"),
    s("glib", "2.74.6", b'introspect.dtd">\n<!-- GDBus 2.74.6 -->\n<node>\n\x00GDBusMessage\x00'),
    s("ncurses", "6.4", b'\\n\\r\\b\\t\\e\\^"\x00ncurses 6.4.20221231\x00\x00\x01\x1b\x03;'),
    s(
        "libjpeg-turbo",
        "2.1.5",
        b"\xff\xff\x00\x00libjpeg-turbo version 2.1.5 (build 20230203)\x00",
    ),
    s("libjpeg-turbo", "3.1.4.1", b"\x00\x00libjpeg-turbo version 3.1.4.1 (build 20260401)\x00"),
    s("libtiff", "4.5.0", b"\x00\x00LIBTIFF, Version 4.5.0\nCopyright (c) 1988-1996 Sam Leffler\n"),
    s(
        "openjpeg",
        "2.5.0",
        b"\x00\x80\x00\x002.5.0\x00rb\x00wb\x00\x00\x00\x00\x00Codec provided to the",
    ),
    s("openjpeg", "2.5.0", b"opj_mqc_byteout\x002.5.0\x00\x00\x00Codec provided to the", "arm64"),
    s("libwebp", "1.2.4", b"\x00/work/build_dir/target-mipsel/libwebp-1.2.4/src/dec/vp8_dec.c\x00"),
    s("freetype", "2.12.1", b"\x00build_dir/target-arm/freetype-2.12.1/src/base/ftobjs.c\x00"),
    s("lcms2", "2.14", b"\x00build_dir/target-arm/lcms2-2.14/src/cmsio0.c\x00"),
    s("ffmpeg", "5.1.9", b"or later\x00\x00\x00\x00\x00\x00FFmpeg version 5.1.9-0+deb12u1\x00\x00"),
    s("mariadb", "10.11.19", b"MYSQL_UNIX_PORT\x00MARIADB_UNIX_PORT\x0010.11.19\x00localhost\x00"),
    # operating system, boot loader, C libraries
    s(
        "linux_kernel",
        "6.1.0-47-cloud-amd64",
        b"Linux version 6.1.0-47-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian "
        b"12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP "
        b"PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)\n\x00",
        "vmlinux unpacked from vmlinuz",
    ),
    s(
        "linux_kernel",
        "4.4.198",
        b"\x00Linux version 4.4.198 (builder@buildhost) (gcc version 8.4.0 (OpenWrt GCC 8.4.0 "
        b"r11299-6e3f5dd5)) #0 SMP Sat Mar 20 12:00:00 2021\n\x00",
        "OpenWrt kernel banner",
    ),
    s(
        "linux_kernel",
        "6.1.0-47-cloud-amd64",
        b"er: %x\n\x006.1.0-47-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP "
        b"PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)\x00\x00",
        "bzImage setup header",
    ),
    s(
        "linux_kernel",
        "6.1.0-47-cloud-amd64",
        b"intree=Y\x00name=af_key\x00vermagic=6.1.0-47-cloud-amd64 SMP preempt mod_unload "
        b"modversions \x00",
        "kernel module .modinfo",
    ),
    s("vxworks", "6.9.4", b"\x00VxWorks 6.9.4\x00\x00Wind River Systems, Inc.\x00", UNVERIFIED),
    s(
        "u-boot",
        "2023.01",
        b"\x00\x00\x00U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 10:16:57 +0000)\n\x00",
    ),
    s("u-boot", "2016.11", b"\x00U-Boot 2016.11-gf5a2e0d (Feb 07 2019 - 10:09:57 +0100)\x00"),
    s("u-boot", "2023.01", b"description\x002023.01\x00U-Boot mkimage %s\x00creator\x00"),
    s(
        "glibc",
        "2.36",
        b"DYNAMIC LINKER BUG!!!\x00\x00\x00GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable "
        b"release version 2.36.\n",
    ),
    s(
        "glibc",
        "2.36",
        b"\x00\x00ld.so (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.",
    ),
    s("glibc", "2.36", b"td_log\n\x00td_ta_new\n\x00\x002.36\x00\x00\x00\x00td_ta_delete\n\x00"),
    s(
        "musl",
        "1.2.3",
        b"/proc/self/fd/\x001.2.3\x00Unsupported request %d\x00"
        b"\x00musl libc (x86_64)\nVersion %s\nDynamic Program Loader\n",
    ),
    s("uclibc", "1.0.44", b"\x00/lib/ld-uClibc-1.0.44.so\x00", UNVERIFIED),
    # base system tools
    s("bash", "5.2.15", b"by law.\x00\x00\x00@(#)Bash version 5.2.15(1) release GNU\x00\x00\x01"),
    s(
        "coreutils",
        "9.1",
        b"supplemental groups\x009.1\x00write error\x00%s: %s\x00" + b"\x00GNU coreutils\x00",
    ),
    s("util-linux", "2.38.1", b"%s from %s\n\x00util-linux 2.38.1\x00bdehvVz:\x00bad usage\x00"),
    s("util-linux", "2.38.1", b"while opening %s\x002.38.1\x0004-Aug-2022\x00aix\x00"),
    s("util-linux", "2.38.1", b"libmount/src/version.c\x00ver_string\x002.38.1\x00selinux\x00"),
    s("e2fsprogs", "1.47.0", b"returned %s\n\x00EXT2FS Library version 1.47.0\x00Filesystem rev"),
    s(
        "e2fsprogs",
        "1.47.0",
        b"locale\x00e2fsprogs\x005-Feb-2023\x001.47.0\x00mklost+found %s (%s)\n",
    ),
    s(
        "e2fsprogs",
        "1.47.0",
        b"r/w\x00\x00e2fsprogs\x00\x00\x001.47.0\x00\x00Error: ext2fs library",
    ),
    s("procps", "4.0.2", b"%s from %s\n\x00procps-ng 4.0.2\x00bkmghltvc:ws:V\x00Mem:\x00"),
    s("net-tools", "2.10", b"--version\x00net-tools 2.10\x00-?\x00-h\x00--help\x00"),
    s(
        "iproute2",
        "6.1.0",
        b'Option "%s" is unknown, try "ip -help".\n\x006.1.0\x00Failed to send flush'
        b"\x00ip utility, iproute2-%s%s\n\x00",
    ),
    s("iptables", "1.8.9", b"-N %s\n\x00\x001.8.9 (legacy)\x00\x00append\x00\x00delete\x00"),
    s("iptables", "1.8.9", b"does not exist\x00\x00\x001.8.9 (nf_tables)\x00\x00\x00append\x00"),
    s("nftables", "1.0.6", b"--file\x00Lester Gooch #5\x001.0.6\x00nftables\x00%s v%s (%s)\n\x00"),
    s("ethtool", "6.1", b"\x01\x00\x02\x00ethtool version 6.1\n\x00off\x00Adaptive RX: %s"),
    s("systemd", "252.39", b"\x00systemd 252 (252.39-1~deb12u2)\n%s\n\x00\x00Unknown unit"),
    s("systemd", "252.39", b"\x00systemd 252.39-1~deb12u2 running in %ssystem mode (%s)\x00"),
    s("sudo", "1.9.13p3", b"sudo_mode 0x%x\x00Sudo version %s\n\x001.9.13p3\x00Configure options"),
    s("sudo", "1.9.13p3", b"ClientHello\x00sudoers 1.9.13p3\x00plugin_event_alloc is not set"),
    s(
        "sudo",
        "1.9.13p3",
        b"%s version %s\n\x00\x001.9.13p3\x00\x00\x00\x00%s grammar version %d\n",
    ),
    s(
        "squashfs-tools",
        "4.5.1",
        b"\x01\x00\x02\x00%s version 4.5.1 (2022/03/17)\n\x00\x00copyright (C) 2022\x00"
        b"\x00mksquashfs\x00",
    ),
    s("tcpdump", "4.99.3", b"Got %u\r\x00%s version 4.99.3\n\x00SMI-library: %s\n\x00"),
    s("rsync", "3.2.7", b'program\x00%c\n  "%s": "%s"\x003.2.7\x00copyright\x00url\x00Copyright'),
    # compression
    s("xz", "5.4.1", b"Filter chain: %s\n\x00xz (XZ Utils) 5.4.1\x00liblzma %s\n\x00"),
    s(
        "bzip2",
        "1.0.8",
        b"{0x%08x, 0x%08x}\x00w\x00r\x001.0.8, 13-Jul-2019\x00OK\x00SEQUENCE_ERROR",
    ),
    s(
        "lz4",
        "1.9.4",
        b"\x00\x00\x00\x00\x01\x00\x02\x001.9.4\x00\x00\x00\x00\x00"
        b"\x00Is input using LZ4 Frame format ? \n\x00",
    ),
    s("zstd", "1.5.4", b"\x00Disabled\x00Enabled\x00v1.5.4\x00Zstandard CLI\x00Yann Collet\x00"),
    s("zstd", "1.5.4", b"options:\n\x001.5.4\x00PZSTD version: %s.\n\x00Zstd dict"),
    s(
        "zstd",
        "1.5.4",
        b"\xff\xff\xff\x1f\xff\xff\xff?\xff\xff\xff\x7f" + b"\x00" * 20 + b"1.5.4\x00\x00\x00\x08",
        "libzstd arm64: after bitstream.h's BIT_mask table",
    ),
    # languages and runtimes
    s("python", "3.11.2", b"%s: '%s'\x003.11.2\x00%.80s (%.80s) %.80s\x00PYTHONINSPECT\x00"),
    s(
        "python",
        "3.12.10",
        b"20.1.0 ]\x00%.80s (%.80s) %.80s\x003.12.10\x00_PyEval_AcquireLock\x00",
    ),
    s("python", "3.11.2", b"pymalloc_debug\x003.11.2\x00strict\x00<prefix>/lib/pythonX.X\x00"),
    s(
        "python",
        "3.11.2",
        b"PyWideStringList_Insert index must be >= 0\x00\x003.11.2\x00\x00PYTHON",
    ),
    s(
        "perl",
        "5.36.0",
        b"PERLLIB\x00/etc/perl\x00/usr/local/share/perl/5.36.0\x00/usr/share/perl5",
    ),
    s(
        "perl",
        "5.36.0",
        b"_POSIX_JOB_CONTROL\x002.03\x00v5.36.0\x00POSIX.c\x00POSIX::SigSet::new\x00",
    ),
    s("php", "8.2.36", b"%s,%s\x00X-Powered-By: PHP/8.2.36\x00ZEND_MM_MAX_ALLOCS\x00"),
    s("nodejs", "18.20.4", b"Hydrogen\x00https://nodejs.org/download/release/v18.20.4/node-v1"),
    s(
        "lua",
        "5.3.6",
        b"\x00\x00$LuaVersion: Lua 5.3.6  Copyright (C) 1994-2020 Lua.org, PUC-Rio $",
    ),
    s("lua", "5.1.5", b"\x00Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio\x00", "in redis"),
    s(
        "jq",
        "1.6",
        b"github.io/jq\n\x00\x00\x00\x001.6\x00jq - commandline JSON processor [version %s]\n",
    ),
    s("redis", "7.0.15", b"NOAUTH\x00--version\x007.0.15\x00 (git:%s\x00-dirty\x00redis-bench"),
    s("redis", "7.0.15", b"server\x00\x007.0.15\x00\x00# Server\r\nredis_version:%s\r\n", "arm64"),
    # toolchains
    s("gcc", "12.2.0", b"\x00GCC: (Debian 12.2.0-14+deb12u1) 12.2.0\x00"),
    s("gcc", "8.4.0", b"\x00GCC: (OpenWrt GCC 8.4.0 r16279-5cc0535800) 8.4.0\x00", "OpenWrt"),
    s("binutils", "2.40", b"s': %s\x00\x00\x00\x00(GNU Binutils for Debian) 2.40\x00\x00Copyright"),
    s("golang", "1.19.8", GO_HEADER + b"\x08go1.19.8\xae\x010w\xaf\x0c\x92t"),
    s("rust", "1.63.0", b"unexpectedly/usr/src/rustc-1.63.0/library/alloc/src/string.rs/usr/"),
    s("rust", "1.70.0", b"\x00rustc version 1.70.0 (90c541806 2023-05-31)\x00", ".comment"),
    # mobile core
    s("open5gs", "2.7.1", b"\x00Open5GS daemon v2.7.1\x00Usage: %s [options]\n", UNVERIFIED),
    s(
        "free5gc",
        "3.4.1",
        b'build\t-ldflags="-X github.com/free5gc/util/version.VERSION=v3.4.1 '
        b'-X github.com/free5gc/util/version.BUILD_TIME=2024-03-01T00:00:00Z"\n',
        "Go build information",
    ),
)

LOOK_ALIKES: tuple[LookAlike, ...] = (
    LookAlike("openssl", b"\x00compatible with OpenSSL 1.1.1 API\x00", "no release date"),
    LookAlike("openssl", b"\x00OpenSSL 1.0.2k\x00", "no release date"),
    LookAlike("openssl", b"\x00OPENSSL_1_1_1\x00OPENSSL_3.0.0\x00", "symbol versions"),
    LookAlike("openssl", b"\x00OpenSSL 1.1.1 (compatible; BoringSSL)\x00", "BoringSSL's text"),
    LookAlike("zlib", b"\x00this program requires zlib 1.2.3 or later\x00", "a requirement"),
    LookAlike("zlib", b" deflate 1.2.11.zlib-ng Copyright 1995-2016 Jean-loup Gailly", "zlib-ng"),
    LookAlike("sqlite", b"\x003.40.1\x00\x00\x00", "a lone version without SQLite's marker"),
    LookAlike(
        "sqlite",
        b"\x00SQLite format 3\x00unidata_version\x0015.0.0\x003.2.0\x00ucd_3_2_0\x00",
        "Python's Unicode database version among strings",
    ),
    LookAlike(
        "sqlite",
        b"\x00SQLite format 3\x00GLIBCXX_3.4.29\x00GLIBCXX_3.4.9\x00",
        "libstdc++ symbol versions in a file that reads SQLite databases",
    ),
    LookAlike("openssh", b"\x00OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*\x00", "compat patterns"),
    LookAlike("openssh", b"\x00OpenSSH_9.2\x00SSH-%d.%d-%.100s\x00", "base version, no release"),
    LookAlike("busybox", b"\x00BusyBox is a multi-call binary.\x00", "no version"),
    LookAlike("busybox", b"syslogd started: BusyBox v1.35.0\x00", "log text, no build banner"),
    LookAlike("dropbear", b"\x00Dropbear v%s\n\x00dropbear_rsa_host_key\x00", "format only"),
    LookAlike("curl", b"\x00curl 7.88.1\x00", "no host triplet"),
    LookAlike("curl", b"\x00curl_easy_setopt\x00libcurl version %s\x00", "format only"),
    LookAlike(
        "python",
        b"\x00%.80s (%.80s) %.80s\x00\x00unidata_version\x0014.0.0\x003.2.0\x00ucd_3_2_0\x00",
        "unicodedata's Unicode version",
    ),
    LookAlike("python", b"\x00OpenSSL 3.0.16 11 Feb 2025\x003.0.16\x00built on: ", "OpenSSL's"),
    LookAlike("libxml2", b"::20914\x00\x00\x00\x00", "decimal version without libxml2's marker"),
    LookAlike(
        "libxml2",
        b"\x0020999\x00xmlParseCharRef: invalid xmlChar value %d\n\x00",
        "not a libxml2 release",
    ),
    LookAlike("libxslt", b"\x0010135\x00", "decimal version without libxslt's marker"),
    LookAlike("pcre", b"\x008.39 2016-06-14\x00", "date-stamped number without PCRE's marker"),
    LookAlike("linux_kernel", b"\x00requires Linux version 2.6.32 or later\x00", "a requirement"),
    LookAlike("linux_kernel", b"\x00Linux version %s (%s@%s)\x00", "format only"),
    LookAlike("glibc", b"\x00GLIBC_2.36\x00GLIBC_PRIVATE\x00", "symbol versions"),
    LookAlike("gcc", b"\x00gcc version 12.2.0 (Debian 12.2.0-14)\x00", "not a .comment note"),
    LookAlike(
        "binutils",
        b"GNU ld (GNU Binutils for Debian) 2.40) #1 SMP",
        "the linker named in a kernel banner",
    ),
    LookAlike("perl", b"\x00v5.36.0\x00\x00", "bare v-string"),
    LookAlike("sudo", b"\x00%s version %s\n\x001.2.3\x00Usage: %s\x00", "another program's"),
    LookAlike("redis", b"\x007.0.15\x00other\x00", "bare version"),
    LookAlike("u-boot", b"\x00U-Boot 2023.01\x00", "no build date"),
    LookAlike("samba", b"\x00SAMBA_ERRORS_1.0.0\x00TALLOC_2.0.2\x00", "library symbol versions"),
    LookAlike("nghttp2", b"\x00\x00\x00\x001.52.0\x00\x00\x00", "bare version"),
    LookAlike("haproxy", b"\x00 version 2.6.12, released 2023/03/10\x00", "no HAProxy marker"),
    LookAlike("frr", b"\x001.2\x00\x00ssh daemon\x00", "another daemon's description"),
    LookAlike("libevent", b"\x00\x00failed\x002.1.12-stable\x00", "quoted LIBEVENT_VERSION"),
    LookAlike("iproute2", b"\x00\x00\x006.1.0\x00\x00\x00", "bare version without the marker"),
    LookAlike("musl", b"\x00\x001.2.3\x00\x00", "bare version without the loader banner"),
    LookAlike("coreutils", b"\x009.1\x00write error\x00", "gnulib text without coreutils' name"),
    LookAlike("golang", b"\x00go1.21.4\x00", "not build information"),
)


# Library file names that follow the release (rules' `file_version`), with the version they give;
# None: the name must give no version (an ABI number, not the release).
NAME_SAMPLES: list[tuple[str, str, str | None]] = [
    ("sctp", "libsctp.so.1.0.19", "1.0.19"),
    ("grpc", "libgrpc++.so.1.51.1", "1.51.1"),
    ("grpc", "libgrpc_plugin_support.so.1.51.1", "1.51.1"),
    ("grpc", "libgrpc.so.29.0.0", None),
    ("brotli", "libbrotlicommon-c43ca8d5.so.1.2.0", "1.2.0"),
    ("xz", "liblzma.so.5.4.1", "5.4.1"),
    ("xz", "liblzma.so.5", None),
    ("zstd", "libzstd.so.1.5.4", "1.5.4"),
    ("lz4", "liblz4.so.1.9.4", "1.9.4"),
    ("mbedtls", "libmbedtls.so.2.28.3", "2.28.3"),
    ("mbedtls", "libmbedcrypto.so.7", None),
    ("libxslt", "libxslt.so.1.1.35", "1.1.35"),
    ("openjpeg", "libopenjp2.so.2.5.0", "2.5.0"),
    ("zlib", "libz.so.1.2.13", "1.2.13"),
    ("zlib", "libz.so.1", None),
]
