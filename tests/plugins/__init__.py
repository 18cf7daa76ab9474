"""Tests of plugins: the example plugin, and a fixture plugin that implements every hook."""
