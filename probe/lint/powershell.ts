// The PowerShell probe's lint, without PowerShell: tree-sitter's PowerShell grammar (a WebAssembly build from npm)
// parses the script, and a few rules that matter for this probe are checked on the tree. PSScriptAnalyzer would need
// pwsh, which neither Debian nor npm ships here. The rules mirror PSScriptAnalyzer's where one exists.
import * as fs from "fs";
import { Language, Node, Parser } from "web-tree-sitter";
import type { Finding } from "./finding";
import { baselineWasmOnly } from "./wasm";

let parser: Promise<Parser> | undefined;

function load(): Promise<Parser> {
  return (parser ??= (async () => {
    baselineWasmOnly();
    await Parser.init();
    const p = new Parser();
    // The grammar as bytes: given a path, web-tree-sitter reads it through a dynamic import, which jest refuses.
    p.setLanguage(await Language.load(fs.readFileSync(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"))));
    return p;
  })());
}

/** Aliases that hide what runs (curl and wget are Invoke-WebRequest in Windows PowerShell, not curl): PSAvoidUsingCmdletAliases. */
const ALIASES = new Set(
  [
    "%",
    "?",
    "iex",
    "iwr",
    "irm",
    "curl",
    "wget",
    "echo",
    "write",
    "foreach",
    "where",
    "select",
    "sort",
    "gc",
    "sc",
    "cat",
    "ls",
    "dir",
  ].map((a) => a.toLowerCase()),
);
/** Commands that write to stdout or the host, which run command returns as stdout: only the report's JSON may be there. */
const HOST_OUTPUT = new Set(["write-host", "write-output", "write-information", "out-host", "out-default"]);
/** Commands and calls that run text as code (PSAvoidUsingInvokeExpression). */
const TEXT_AS_CODE = new Set(["invoke-expression", "iex"]);

function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

function commandName(cmd: Node): string {
  return (cmd.childForFieldName("command_name")?.text ?? "").toLowerCase();
}

/** The top-level statements, in order. */
function topLevel(root: Node): Node[] {
  const list = root.children.find((c) => c?.type === "statement_list");
  return (list?.namedChildren ?? []).filter((n): n is Node => n !== null && n.type !== "comment");
}

/** Findings for the probe's text, named as `file`. */
export async function lintPowerShell(file: string, text: string): Promise<Finding[]> {
  const tree = (await load()).parse(text);
  if (!tree) return [{ file, line: 1, column: 1, rule: "ps/parse-error", message: "tree-sitter could not parse the file" }];
  const out: Finding[] = [];
  const at = (n: Node, rule: string, message: string) =>
    out.push({ file, line: n.startPosition.row + 1, column: n.startPosition.column + 1, rule, message });
  const root = tree.rootNode;

  const walk = (n: Node) => {
    if (n.isError) return at(n, "ps/parse-error", `cannot parse ${JSON.stringify(n.text.slice(0, 40))}`);
    if (n.isMissing) return at(n, "ps/parse-error", `missing ${n.type}`);
    for (const c of n.children) if (c && (c.hasError || c.isMissing || c.isError)) walk(c);
  };
  if (root.hasError) walk(root);

  for (const cmd of descendants(root, "command")) {
    const name = commandName(cmd);
    if (TEXT_AS_CODE.has(name)) at(cmd, "ps/no-invoke-expression", `${name} runs text as code`);
    else if (ALIASES.has(name)) at(cmd, "ps/no-alias", `${name} is an alias: name the command`);
    if (HOST_OUTPUT.has(name)) at(cmd, "ps/no-host-output", `${name} writes where run command reads stdout: only the report goes there`);
  }
  for (const call of descendants(root, "invokation_expression"))
    if (/^\[scriptblock\]\s*::\s*create\b/i.test(call.text)) at(call, "ps/no-invoke-expression", "[scriptblock]::Create runs text as code");
  for (const tail of descendants(root, "pipeline_chain_tail"))
    at(tail, "ps/windows-powershell-5.1", `${tail.text.trim()} is PowerShell 7 only; Windows PowerShell 5.1 cannot parse it`);

  // The first statements set the rules the whole script runs under.
  const first = topLevel(root);
  const strict = first[0];
  if (!strict || !/^Set-StrictMode\s+-Version\s+(Latest|[2-9](\.\d+)?)\s*$/i.test(strict.text))
    at(strict ?? root, "ps/strict-mode", "the script must begin with Set-StrictMode -Version 2.0 (or later)");
  const functionAt = first.findIndex((s) => s.type === "function_statement");
  const preamble = functionAt < 0 ? first : first.slice(0, functionAt);
  if (!preamble.some((s) => /^\$ErrorActionPreference\s*=\s*'Stop'$/i.test(s.text.trim())))
    at(strict ?? root, "ps/error-action-stop", "set $ErrorActionPreference = 'Stop' before the first function, so no error is skipped");
  return out;
}
