"""Test fixtures built by code: images, archives and ELF files made in the test run."""
