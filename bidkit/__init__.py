"""bidkit: bid documents and sealed PDF bid packages from a project's data."""

__version__ = "0.1.0"
