// The probe inside verify's RunShellScript: written into a private directory and run there isolated, with its
// arguments quoted as single words; its exit code and stdout are the probe's.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { probeArgs } from "../../probe/contract";
import { probeShellScript, shellQuote } from "../../probe/run-command";
import { readProbe } from "../../probe/scripts";
import { pathWithPython } from "../../twin/python";

// Conformance: run-command-linux-exec (verify's RunShellScript runs the probe with python3 -I in a private directory).
describe("probeShellScript", () => {
  it("carries the probe and quoted arguments; runs it isolated in a private directory; exit code and stdout are the probe's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-script-"));
    try {
      const fakeProbe = [
        "#!/usr/bin/env python3",
        "import json, os, stat, sys",
        "here = os.path.dirname(sys.argv[0])",
        "st = os.stat(here)",
        "print(json.dumps({'argv': sys.argv, 'mode': stat.S_IMODE(st.st_mode), 'uid': st.st_uid, 'cwd': os.getcwd() == here, 'isolated': sys.flags.isolated, 'path': sys.path}))",
        "sys.exit(1)",
      ].join("\n");
      const script = path.join(dir, "run.sh");
      fs.writeFileSync(script, probeShellScript(fakeProbe, ["--secret", "it's $HOME `x`"]).join("\n"));
      let out = "";
      let code = 0;
      try {
        execFileSync("/bin/bash", [script], { encoding: "utf8", env: { ...process.env, PATH: pathWithPython(dir) } });
      } catch (e: any) {
        out = e.stdout;
        code = e.status;
      }
      expect(code).toBe(1);
      const seen = JSON.parse(out);
      const [self, ...args] = seen.argv;
      expect(args).toEqual(["--secret", "it's $HOME `x`"]);
      // In a fresh directory that only its owner may enter, which is also the working directory.
      expect(self).toMatch(/^\/tmp\/vm-probe\.[A-Za-z0-9]{6}\/vm-probe$/);
      expect(seen.mode).toBe(0o700);
      expect(seen.uid).toBe(process.getuid!());
      expect(seen.cwd).toBe(true);
      // Isolated: neither that directory nor the working directory is on sys.path.
      expect(seen.isolated).toBe(1);
      expect(seen.path).not.toContain(path.dirname(self));
      expect(seen.path).not.toContain("");
      // The directory and the copy of the probe are gone once the script ends.
      expect(fs.existsSync(path.dirname(self))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("embeds the real probe unchanged and runs it with python3 -I", () => {
    const lines = probeShellScript(
      readProbe(),
      probeArgs({ vaultUri: "https://v.vault.azure.net/", secretName: "S", storageAccountId: "/x", blobEndpoint: "https://b/" }),
    );
    expect(lines.join("\n")).toContain(readProbe().trimEnd());
    expect(lines[lines.length - 1]).toBe(
      `python3 -I "$dir/vm-probe" ${["--vault-uri", "https://v.vault.azure.net/", "--secret", "S", "--storage-account-id", "/x", "--blob-endpoint", "https://b/"].map(shellQuote).join(" ")}`,
    );
    expect(() => probeShellScript("x\nVM_PROBE_EOF\n", [])).toThrow(/here-document/);
  });
});
