#!/usr/bin/env node
/**
 * The longest functions of a source tree, by lines from the function's first to its last line
 * (declarations, methods, arrows and function expressions; a nested function counts inside its
 * parent and on its own). Used to measure issue 11's "orchestration functions under ~80 lines".
 *
 *   node scripts/longest-functions.mjs [dir=src] [count=10]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = process.argv[2] ?? "src";
const count = Number(process.argv[3] ?? 10);

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.ts$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return "(anonymous)";
}

const rows = [];
for (const file of files(root)) {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      let owner = "";
      if (ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) {
        const cls = node.parent;
        if (cls && cls.name) owner = cls.name.getText(sf) + ".";
      }
      rows.push({ lines: end - start + 1, name: owner + nameOf(node, sf), where: `${file}:${start}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
rows.sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where));
for (const r of rows.slice(0, count)) console.log(`${String(r.lines).padStart(5)}  ${r.name}  ${r.where}`);
