/** Paths of the paper's data (../shared/data/fticl) used by the tune tests. */
import { existsSync } from "node:fs";
import path from "node:path";
import { SHARED_DATA } from "../helpers/cli.js";

export const FTICL = path.join(SHARED_DATA, "fticl");
export const haveFticl = existsSync(path.join(FTICL, "prompt_map.json"));

export const fticl = (...p: string[]) => path.join(FTICL, ...p);
