// One seat on a twin and a warm interpreter, for the tests that run the Python probe's main() as that seat.
import { probeArgs } from "../../twin/probe";
import { useTwin } from "../twin/fixture";
import { useWarmPython } from "./warm-python";

/**
 * A twin with one seat (dsvmlab-vm1) and a warm python, for a test file. run() is the probe as the seat with the
 * test-only PROBE_BACKOFF_FIRST, so retries wait 0.05 s where a VM waits 0.5 s.
 */
export function useWarmSeat() {
  const lab = useTwin({ seat1: "dsvmlab-vm1" });
  const python = useWarmPython();
  return {
    python,
    get twin() {
      return lab.twin;
    },
    get seat() {
      return lab.id.seat1;
    },
    run: (secret: string, deadlineSeconds: number, extra: string[] = [], envExtra: Record<string, string> = {}) =>
      python.run(probeArgs(lab.twin, secret, deadlineSeconds, extra), {
        ...lab.twin.probeEnv(lab.id.seat1),
        PROBE_BACKOFF_FIRST: "0.05",
        ...envExtra,
      }),
  };
}
