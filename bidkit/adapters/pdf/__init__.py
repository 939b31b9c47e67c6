"""The PDF stage: LibreOffice conversion, generated pages, merge, stamps (and, with part B, sign and verify)."""

from bidkit.adapters.pdf import offline

offline.install()  # before any module of this package imports pyHanko (see bidkit.adapters.pdf.offline)
