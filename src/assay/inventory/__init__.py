"""The file inventory: hashing, classification and ELF facts for every unpacked file."""
