"""Safe recursive unpacking: the Extractor seam, the confined file system and the formats."""
