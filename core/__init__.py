"""Core: the application without a screen — settings, collections, indexing, search, the CLI."""
