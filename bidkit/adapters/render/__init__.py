"""Rendering adapters: Word documents (docxtpl, sandboxed) and charts."""
