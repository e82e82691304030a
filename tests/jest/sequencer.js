// jest's order, with one change for a run that has no timings yet (a fresh clone): files that start the local twin
// go first. They spend most of their wall time waiting (probe deadlines, run-command polls), so started first they
// wait while other files use the cores; ordered by size alone they could run last, with a core idle at the end.
"use strict";
const fs = require("fs");
const Sequencer = require("@jest/test-sequencer").default;

/** A test file that starts the twin: through tests/twin/fixture.ts, tests/probe/warm-seat.ts, or twin/twin.ts. */
const STARTS_TWIN = /\b(?:useTwin|useVerifyTwin|useWarmSeat)\(|\bAzureTwin\.start\(/;

class TwinFirstSequencer extends Sequencer {
  sort(tests) {
    const timed = tests.filter((t) => this.time(t) != null);
    if (timed.length === tests.length) return super.sort(tests);
    const startsTwin = new Map(tests.map((t) => [t.path, STARTS_TWIN.test(fs.readFileSync(t.path, "utf8"))]));
    const sorted = super.sort(tests);
    // Stable: within each group jest's own order stays.
    return [...sorted.filter((t) => startsTwin.get(t.path)), ...sorted.filter((t) => !startsTwin.get(t.path))];
  }
}

module.exports = TwinFirstSequencer;
module.exports.STARTS_TWIN = STARTS_TWIN;
