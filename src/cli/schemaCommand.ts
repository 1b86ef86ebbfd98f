import type { Command } from "commander";
import { manifestJsonSchemaText } from "../manifest/jsonSchema.js";

export function registerSchemaCommand(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of the app manifest")
    .addHelpText(
      "after",
      "\nExamples:\n  alacrity schema > app.schema.json\n  # then start manifests with: # yaml-language-server: $schema=app.schema.json",
    )
    .action(() => {
      process.stdout.write(manifestJsonSchemaText());
    });
}
