"""Validators of the help desk, registered by the plugin's blanket."""
__all__ = []
