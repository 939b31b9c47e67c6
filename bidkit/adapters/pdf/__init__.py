"""The PDF stage: LibreOffice conversion, generated pages, merge, stamps (and, with part B, sign and verify)."""
