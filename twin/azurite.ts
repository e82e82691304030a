// Azurite, the real storage emulator, as the twin's blob data plane: from node_modules, on 127.0.0.1, a free port and
// a temp --location. The well-known development account devstoreaccount1 is the lab's storage account.
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import * as path from "path";

/** Azurite's well-known development account and key (public, documented: not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Azurite {
  /** http://127.0.0.1:PORT/devstoreaccount1/ */
  readonly blobEndpoint: string;
  stop(): Promise<void>;
}

export async function startAzurite(location: string): Promise<Azurite> {
  const bin = path.resolve(__dirname, "../node_modules/.bin/azurite-blob");
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const child = spawn(
      bin,
      [
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(port),
        "--location",
        location,
        "--skipApiVersionCheck",
        "--disableProductStyleUrl",
        "--disableTelemetry",
        "--silent",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const up = await new Promise<boolean>((resolve) => {
      let out = "";
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/successfully listen/i.test(out)) resolve(true);
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", () => resolve(false));
      // Never hang a test run: a start that takes this long has failed.
      setTimeout(() => resolve(false), 20000).unref();
    });
    if (!up) await stopChild(child);
    if (up) return { blobEndpoint: `http://127.0.0.1:${port}/${DEV_ACCOUNT}/`, stop: () => stopChild(child) };
    if (tries >= 2) throw new Error("azurite-blob did not start");
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
