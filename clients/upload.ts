// Upload a document with openapi-fetch over the types openapi-typescript
// generates (compiled with tsc --strict), then download it and check it
// came back whole.
//
// Usage: node upload.js BASE_URL TOKEN RECORD_ID
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

const [base, token, recordText] = process.argv.slice(2);
const record = Number(recordText);
const pdf = new TextEncoder().encode(
  "%PDF-1.7\n% made by the TypeScript client\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
const client = createClient<paths>({
  baseUrl: base,
  headers: { Authorization: `Bearer ${token}` },
});

const upload: components["schemas"]["DocumentUpload"] = {
  file: new File([pdf], "response-typescript.pdf", { type: "application/pdf" }),
  kind: "letter_out",
  title: "Response letter (TypeScript client)",
};
const { data, error, response } = await client.POST("/api/v1/feedback/{id}/documents", {
  params: { path: { id: record } },
  body: upload,
  bodySerializer(body) {
    const form = new FormData();
    form.append("file", body.file);
    form.append("kind", body.kind);
    if (body.title !== undefined && body.title !== null) form.append("title", body.title);
    return form;
  },
});
if (data === undefined) {
  throw new Error(`upload failed: ${response.status} ${JSON.stringify(error)}`);
}
const document: components["schemas"]["Document"] = data;
if (document.content_type !== "application/pdf" || document.size_bytes !== pdf.length) {
  throw new Error(`unexpected document: ${JSON.stringify(document)}`);
}

const download = await client.GET("/api/v1/documents/{id}", {
  params: { path: { id: document.id } },
  parseAs: "arrayBuffer",
});
const bytes = new Uint8Array(download.data ?? new ArrayBuffer(0));
if (download.response.status !== 200 || bytes.length !== pdf.length || !bytes.every((b, i) => b === pdf[i])) {
  throw new Error(`download failed: ${download.response.status}`);
}
console.log(`typescript: uploaded and downloaded document ${document.id} (${document.size_bytes} bytes)`);
