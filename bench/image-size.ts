// The console image's size (scripts/build-image.sh: the bookworm base made here plus the standalone build), as a
// Markdown table on stdout for BENCHMARKS.md. Builds the image first (cached when nothing changed).
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const image = sh("bash", ["scripts/build-image.sh"]).split("\n").pop()!;
const size = (ref: string) => Number(sh("docker", ["image", "inspect", "--format", "{{.Size}}", ref]));
const base = sh("docker", ["image", "inspect", "--format", '{{ index .Config.Labels "leakwatch.base" }}', image]);
const node = sh("docker", ["image", "inspect", "--format", '{{ index .Config.Labels "leakwatch.base.node" }}', base]);
const layers = sh("docker", ["history", "--no-trunc", "--format", "{{.Size}}\t{{.CreatedBy}}", image]).split("\n");
const appLayer = layers.find((l) => l.includes("COPY dir:"))?.split("\t")[0] ?? "?";

process.stdout.write(
  `${[
    "| Image | Size (uncompressed, as `docker image inspect` reports it) |",
    "| --- | --- |",
    `| \`${image}\` (the console) | ${mib(size(image))} |`,
    `| \`${base}\` (debootstrap minbase bookworm + Node) | ${mib(size(base))} |`,
    `| of which the Node 20 binary (${node}) | ${mib(statSync("/usr/bin/node").size)} |`,
    `| the console's own layer (Next standalone build, its traced node_modules, static assets) | ${appLayer} |`,
  ].join("\n")}\n`,
);
