// Generate TypeScript types from the spec with openapi-typescript, typing
// `format: binary` as Blob (the openapi-typescript docs' way for file
// uploads), so that a multipart body takes a real file.
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [spec, out] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const ast = await openapiTS(new URL(`file://${fs.realpathSync(spec)}`), {
  transform(schemaObject) {
    if (schemaObject.format === "binary") return BLOB;
  },
});
fs.writeFileSync(out, astToString(ast));
