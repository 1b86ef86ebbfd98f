// Regenerates schema/app.schema.json from the zod schema: `npx tsx scripts/write-schema.ts`.
// A unit test fails when the committed file differs from what `alacrity schema` prints.
import { writeFileSync } from "node:fs";
import { manifestJsonSchemaText } from "../src/manifest/jsonSchema.js";

const target = new URL("../schema/app.schema.json", import.meta.url);
writeFileSync(target, manifestJsonSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);
