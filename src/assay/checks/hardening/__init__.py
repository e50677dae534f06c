"""ELF hardening: NX, PIE, RELRO, stack canary, FORTIFY, RPATH/RUNPATH, stripped, setuid."""
