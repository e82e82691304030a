// The repository's GitHub workflows, parsed: the shapes the workflow tests read, and small lookups over them.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../helpers/program";

export type Step = {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
};
export type Job = {
  name?: string;
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown> };
  "runs-on": string;
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  env?: Record<string, unknown>;
  steps: Step[];
};
export type Workflow = { name: string; on: Record<string, any>; permissions: Record<string, string>; jobs: Record<string, Job> };

export const text = (f: string) => fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8");
export const load = (f: string) => parse(text(f)) as Workflow;
export const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
