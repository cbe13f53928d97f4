import type { Command } from "commander";
import { type CommandContext, contextFor, note, writeJson, writeLine } from "../context.js";
import { CliUsageError } from "../exit-codes.js";
import { type CliIO, readAll } from "../io.js";

interface JsonFlag {
  json?: boolean;
}

export function registerSecrets(program: Command, io: CliIO): void {
  const group = program
    .command("secrets")
    .description("Manage secret scopes and secrets (/api/2.0/secrets).");

  group
    .command("create-scope")
    .description("Create a secret scope.")
    .argument("<scope>", "scope name")
    .action(async (scope: string, _opts: unknown, command: Command) => {
      const client = await secretsClient(contextFor(command, io));
      await client.createScope(scope);
      writeLine(io, `Created scope ${scope}.`);
    });

  group
    .command("put-secret")
    .description(
      "Store a secret. The value comes from --string-value, --bytes-value (base64) or, safest, piped stdin " +
        "(one trailing newline is dropped).",
    )
    .argument("<scope>", "scope name")
    .argument("<key>", "secret key")
    .option("--string-value <value>", "the secret as text (visible in the process list: prefer stdin)")
    .option("--bytes-value <base64>", "the secret as base64-encoded bytes")
    .addHelpText(
      "after",
      '\nExample:\n  printf %s "$OPENAI_API_KEY" | langchain-databricks secrets put-secret my-scope openai-api-key',
    )
    .action(
      async (
        scope: string,
        key: string,
        opts: { stringValue?: string; bytesValue?: string },
        command: Command,
      ) => {
        const ctx = contextFor(command, io);
        const value = await secretValue(ctx, opts);
        const client = await secretsClient(ctx);
        await client.putSecret(scope, key, value);
        // Never echo the value, not even its length.
        writeLine(io, `Stored secret ${scope}/${key}.`);
      },
    );

  group
    .command("list-scopes")
    .description("List secret scopes.")
    .option("--json", "print the scopes as JSON")
    .action(async (opts: JsonFlag, command: Command) => {
      const client = await secretsClient(contextFor(command, io));
      const scopes = await client.listScopes();
      if (opts.json) return writeJson(io, scopes);
      if (scopes.length === 0) writeLine(io, "(no scopes)");
      for (const s of scopes) writeLine(io, s.name);
    });

  group
    .command("list-secrets")
    .description("List the keys in a scope (values are never listed).")
    .argument("<scope>", "scope name")
    .option("--json", "print the secret metadata as JSON")
    .action(async (scope: string, opts: JsonFlag, command: Command) => {
      const client = await secretsClient(contextFor(command, io));
      const secrets = await client.listSecrets(scope);
      if (opts.json) return writeJson(io, secrets);
      if (secrets.length === 0) writeLine(io, "(no secrets)");
      for (const s of secrets) writeLine(io, s.key);
    });

  group
    .command("delete-secret")
    .description("Delete a secret.")
    .argument("<scope>", "scope name")
    .argument("<key>", "secret key")
    .action(async (scope: string, key: string, _opts: unknown, command: Command) => {
      const client = await secretsClient(contextFor(command, io));
      await client.deleteSecret(scope, key);
      writeLine(io, `Deleted secret ${scope}/${key}.`);
    });

  group
    .command("delete-scope")
    .description("Delete a secret scope and every secret in it.")
    .argument("<scope>", "scope name")
    .action(async (scope: string, _opts: unknown, command: Command) => {
      const client = await secretsClient(contextFor(command, io));
      await client.deleteScope(scope);
      writeLine(io, `Deleted scope ${scope}.`);
    });
}

async function secretsClient(ctx: CommandContext) {
  const { SecretsClient } = await import("langchain-databricks");
  return new SecretsClient(ctx.auth);
}

async function secretValue(
  ctx: CommandContext,
  opts: { stringValue?: string; bytesValue?: string },
): Promise<string | Uint8Array> {
  if (opts.stringValue !== undefined && opts.bytesValue !== undefined) {
    throw new CliUsageError("put-secret: use either --string-value or --bytes-value, not both.");
  }
  if (opts.stringValue !== undefined) return opts.stringValue;
  if (opts.bytesValue !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(opts.bytesValue)) {
      throw new CliUsageError("put-secret: --bytes-value must be base64.");
    }
    return new Uint8Array(Buffer.from(opts.bytesValue, "base64"));
  }
  if (ctx.io.stdin.isTTY) {
    throw new CliUsageError(
      "put-secret: give the value with --string-value, --bytes-value, or pipe it on stdin.",
    );
  }
  note(ctx.io, "Reading the secret value from stdin.");
  return (await readAll(ctx.io.stdin)).replace(/\r?\n$/, "");
}
