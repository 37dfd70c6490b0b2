/**
 * Paths of the paper's data (../shared/data/fticl) used by the tune tests. Missing data skips the
 * tests that need it locally and fails them under CI=true, like a missing system tool.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { SHARED_DATA } from "../helpers/cli.js";
import { requireTool } from "../helpers/system.js";

export const FTICL = path.join(SHARED_DATA, "fticl");
export const haveFticl = requireTool(`Yang et al.'s data in ${FTICL}`, existsSync(path.join(FTICL, "prompt_map.json")));

export const fticl = (...p: string[]) => path.join(FTICL, ...p);
