// Prints the JSON form of Terraform/HCL files: {"<file name>": <parsed>, ...}.
// Usage: node hcl2json.mjs FILE.tf [FILE.tf ...]   (used by the infra/ drift tests)
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import hcl from "@cdktf/hcl2json";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node hcl2json.mjs FILE.tf [FILE.tf ...]");
  process.exit(2);
}

const result = {};
for (const file of files) {
  result[basename(file)] = await hcl.parse(file, await readFile(file, "utf8"));
}

process.stdout.write(JSON.stringify(result));
