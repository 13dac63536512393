"""Vidurai: a memory for developers. विस्मृति भी विद्या है — forgetting, too, is knowledge."""

__version__ = "0.1.0"
