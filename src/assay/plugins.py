"""The registry of built-in plugins, in the order they are tried."""

from assay.catalog.base import Cataloger
from assay.catalog.binary.cataloger import BinaryCataloger
from assay.catalog.metadata.apk import ApkCataloger
from assay.catalog.metadata.dpkg import DpkgCataloger
from assay.catalog.metadata.golang import GoCataloger
from assay.catalog.metadata.kernel import KernelCataloger
from assay.catalog.metadata.node import NodeCataloger
from assay.catalog.metadata.opkg import OpkgCataloger
from assay.catalog.metadata.os_release import OsReleaseCataloger
from assay.catalog.metadata.python import PythonCataloger
from assay.catalog.metadata.python_source import PythonSourceCataloger
from assay.catalog.metadata.rpm import RpmCataloger
from assay.catalog.metadata.rust import RustCataloger
from assay.checks.base import ReleaseCheck
from assay.checks.census import UnsafeFunctionCensusCheck
from assay.checks.config import ConfigCheck
from assay.checks.eol import EndOfLifeCheck
from assay.checks.hardening.check import HardeningCheck
from assay.checks.secrets import SecretsCheck
from assay.extract.base import Extractor
from assay.extract.formats.android_sparse import AndroidSparseExtractor
from assay.extract.formats.ar import ArExtractor
from assay.extract.formats.bzip2 import Bzip2Extractor
from assay.extract.formats.cpio import CpioExtractor
from assay.extract.formats.cramfs import CramfsExtractor
from assay.extract.formats.deb import DebExtractor
from assay.extract.formats.docker_archive import DockerArchiveExtractor
from assay.extract.formats.extfs import ExtfsExtractor
from assay.extract.formats.fit import FitExtractor
from assay.extract.formats.gzip import GzipExtractor
from assay.extract.formats.ipk import IpkExtractor
from assay.extract.formats.iso9660 import Iso9660Extractor
from assay.extract.formats.jffs2 import Jffs2Extractor
from assay.extract.formats.lz4 import Lz4Extractor
from assay.extract.formats.lzip import LzipExtractor
from assay.extract.formats.lzma import LzmaExtractor
from assay.extract.formats.lzo import LzoExtractor
from assay.extract.formats.oci import OciExtractor
from assay.extract.formats.rpm import RpmExtractor
from assay.extract.formats.sevenzip import SevenZipExtractor
from assay.extract.formats.squashfs import SquashfsExtractor
from assay.extract.formats.tar import TarExtractor
from assay.extract.formats.ubi import UbiExtractor, UbifsExtractor
from assay.extract.formats.uimage import UImageExtractor
from assay.extract.formats.xz import XzExtractor
from assay.extract.formats.zip import ZipExtractor
from assay.extract.formats.zstd import ZstdExtractor
from assay.report.base import Reporter
from assay.report.html.reporter import HtmlReporter
from assay.report.markdown import MarkdownReporter
from assay.report.sarif import SarifReporter

BUILTIN_EXTRACTORS: tuple[type[Extractor], ...] = (
    UImageExtractor,
    FitExtractor,
    UbiExtractor,
    UbifsExtractor,
    Jffs2Extractor,
    AndroidSparseExtractor,
    SquashfsExtractor,
    CramfsExtractor,
    ExtfsExtractor,
    Iso9660Extractor,
    IpkExtractor,
    DebExtractor,
    RpmExtractor,
    GzipExtractor,
    XzExtractor,
    Bzip2Extractor,
    ZstdExtractor,
    Lz4Extractor,
    LzoExtractor,
    LzipExtractor,
    ZipExtractor,
    SevenZipExtractor,
    CpioExtractor,
    ArExtractor,
    DockerArchiveExtractor,
    OciExtractor,
    TarExtractor,
    LzmaExtractor,
)


def extractors() -> tuple[Extractor, ...]:
    """One instance of every registered extractor, in registry order."""
    return tuple(cls() for cls in BUILTIN_EXTRACTORS)


BUILTIN_CATALOGERS: tuple[type[Cataloger], ...] = (
    BinaryCataloger,
    OsReleaseCataloger,
    DpkgCataloger,
    OpkgCataloger,
    ApkCataloger,
    RpmCataloger,
    PythonCataloger,
    PythonSourceCataloger,
    NodeCataloger,
    GoCataloger,
    RustCataloger,
    KernelCataloger,
)


def catalogers() -> tuple[Cataloger, ...]:
    """One instance of every registered cataloger."""
    return tuple(cls() for cls in BUILTIN_CATALOGERS)


BUILTIN_CHECKS: tuple[type[ReleaseCheck], ...] = (
    EndOfLifeCheck,
    ConfigCheck,
    SecretsCheck,
    HardeningCheck,
    UnsafeFunctionCensusCheck,
)


def checks() -> tuple[ReleaseCheck, ...]:
    """One instance of every registered check."""
    return tuple(cls() for cls in BUILTIN_CHECKS)


BUILTIN_REPORTERS: tuple[type[Reporter], ...] = (
    HtmlReporter,
    SarifReporter,
    MarkdownReporter,
)


def reporters() -> tuple[Reporter, ...]:
    """One instance of every registered reporter."""
    return tuple(cls() for cls in BUILTIN_REPORTERS)
