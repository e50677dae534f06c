"""Component identification: catalogers read package metadata and binaries into components."""
