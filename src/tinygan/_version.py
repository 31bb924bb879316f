"""The version of tinygan, read by the build backend and by :mod:`tinygan`."""

__version__ = "0.1.0"
