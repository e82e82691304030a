// Preload for `npm run bench` (node -r): writes this process's peak resident set to $BENCH_RSS_FILE when it exits.
// Plain JavaScript, so it measures the process without loading the TypeScript hook itself.
"use strict";
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    require("fs").writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
  });
}
