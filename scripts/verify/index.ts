// npm run verify -- (--stack NAME | --outputs FILE) [--json] [--seats 1,2] [--deadline-seconds N]
// Proves, from inside every seat's VM, that its identity can get and set secrets, cannot list them, and can list
// storage keys and use them. Runs on the operator's machine with DefaultAzureCredential (az login, env, managed identity).
import { runMain } from "../shared/cli";
import { verifyCli } from "./cli";

runMain(() =>
  verifyCli(process.argv.slice(2), process, async () => {
    const { DefaultAzureCredential } = await import("@azure/identity");
    return { credential: new DefaultAzureCredential() };
  }),
);
