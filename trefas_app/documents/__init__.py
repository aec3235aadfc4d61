"""PDF documents (DESIGN §7): rendering, verification, password protection.

- ``model``: the input - plain frozen dataclasses, filled by the service layer
  after the access rule has been applied. This package knows no access rules.
- ``render``: ``render_pdf(doc, signer, password=None) -> bytes``.
- ``verification``: signed record (QR + metadata), file seal, ``verify_pdf``.
- ``protect``: AES-256 password protection.

Nothing is re-exported here, so that importing ``model`` stays cheap (no
reportlab, pikepdf or qrcode).
"""
