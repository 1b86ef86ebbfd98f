import type { Command } from "commander";
import { manifestJsonSchemaText } from "../manifest/jsonSchema.js";

export function registerSchemaCommand(program: Command): void {
  program
    .command("schema")
    .description("print the JSON Schema of the app manifest")
    .action(() => {
      process.stdout.write(manifestJsonSchemaText());
    });
}
