// npm run verify -- (--stack NAME | --outputs FILE) [--json] [--seats 1,2] [--deadline-seconds N]
// Proves, from inside every seat's VM, that its identity can get and set secrets, cannot list them, and can list
// storage keys and use them. Runs on the operator's machine with DefaultAzureCredential (az login, env, managed identity).
import { Io, runMain } from "../shared/cli";
import { verifyCli } from "./cli";

/** The command with Azure's own credential, made only once the flags and outputs are known to be good. */
export function main(argv: string[], io: Io): Promise<number> {
  return verifyCli(argv, io, async () => {
    const { DefaultAzureCredential } = await import("@azure/identity");
    return { credential: new DefaultAzureCredential() };
  });
}

if (require.main === module) runMain(main);
