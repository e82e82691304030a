// A throwaway CA and a server certificate for 127.0.0.1/localhost, made by openssl into a temp dir at test time.
// Never committed; deleted with the twin.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface TwinCerts {
  /** PEM of the CA: what clients trust (PROBE_CA_FILE, NODE_EXTRA_CA_CERTS, an https.Agent's `ca`). */
  readonly caFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function makeCerts(dir: string): TwinCerts {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=dsvm-identity-lab test twin CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl("req", "-new", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
  openssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "1",
    "-extfile",
    f("server.ext"),
  );
  return {
    caFile: f("ca.pem"),
    ca: fs.readFileSync(f("ca.pem"), "utf8"),
    cert: fs.readFileSync(f("server.pem"), "utf8"),
    key: fs.readFileSync(f("server.key"), "utf8"),
  };
}
