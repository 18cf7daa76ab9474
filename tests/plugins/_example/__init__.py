"""Tests of the example plugin, which is also the model for every plugin's tests."""
