"""Renderers consume findings and reports; they never decide what is wrong."""
