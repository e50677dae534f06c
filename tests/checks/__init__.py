"""Tests of the release checks."""
