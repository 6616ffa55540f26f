"""Upload a document with the client openapi-python-client generates from
the spec, then download it and check it came back whole.

Usage: python upload.py BASE_URL TOKEN RECORD_ID (the generated package
`redress_client` on the path)."""

import io
import sys

from redress_client import AuthenticatedClient
from redress_client.api.casework import download_document, upload_feedback_document
from redress_client.models import Document, DocumentKind, DocumentUpload
from redress_client.types import File

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

base, token, record = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = AuthenticatedClient(base_url=base, token=token)

upload = DocumentUpload(
    file=File(payload=io.BytesIO(PDF), file_name="response-python.pdf", mime_type="application/pdf"),
    kind=DocumentKind.LETTER_OUT,
    title="Response letter (Python client)",
)
response = upload_feedback_document.sync_detailed(record, client=client, body=upload)
assert response.status_code == 201, (response.status_code, response.content)
document = response.parsed
assert isinstance(document, Document), document
assert document.content_type == "application/pdf" and document.size_bytes == len(PDF), document
assert document.title == "Response letter (Python client)", document

download = download_document.sync_detailed(document.id, client=client)
assert download.status_code == 200 and download.content == PDF, download.status_code
print(f"python: uploaded and downloaded document {document.id} ({document.size_bytes} bytes)")
