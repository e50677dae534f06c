"""Catalogers that read package metadata: distribution databases, language manifests, build info
embedded in binaries, kernel modules and the OS release files."""
