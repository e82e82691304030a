// Loopback endpoints that count connections and answer none: where a probe refused before any request must make no
// connection, and an accepted one shows that it tried. One listener stands for IMDS, ARM, the vault and Blob.
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface CountingEndpoints {
  /** Connections the listener received since the last reset(). */
  readonly connections: () => number;
  reset(): void;
  /** The test-mode environment: IMDS and ARM on the listener, an extra CA (any) so loopback is allowed. */
  readonly env: Record<string, string>;
  readonly vaultUri: string;
  readonly blobEndpoint: string;
  /** A file holding a CA certificate (a public root's): what PROBE_CA_FILE may name. */
  readonly caFile: string;
}

/** Started in beforeAll, closed in afterAll. */
export function useCountingEndpoints(): CountingEndpoints {
  let server: net.Server | undefined;
  let dir = "";
  let count = 0;
  let port = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-endpoints-"));
    fs.writeFileSync(path.join(dir, "ca.pem"), require("tls").rootCertificates[0]);
    server = net.createServer((s) => {
      count++;
      s.destroy();
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    connections: () => count,
    reset: () => void (count = 0),
    get env() {
      return { PROBE_IMDS_URL: `http://127.0.0.1:${port}`, PROBE_ARM_URL: `https://127.0.0.1:${port}`, PROBE_CA_FILE: this.caFile };
    },
    get vaultUri() {
      return `https://127.0.0.1:${port}/`;
    },
    get blobEndpoint() {
      return `http://127.0.0.1:${port}/devstoreaccount1/`;
    },
    get caFile() {
      return path.join(dir, "ca.pem");
    },
  };
}
