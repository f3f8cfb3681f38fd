"""Template helpers, registered by the plugin's blanket."""
__all__ = []
