/** Parquet tables, read whole with hyparquet (these tables are small); types as table-types.ts. */
import { UserError } from "../util/errors.js";
import { openParquetFile, parquetInfo, readParquetRows, topLevelColumns } from "./parquet-read.js";
import type { Table } from "./table.js";
import { objectsTable } from "./table-json.js";

export async function parquetTable(file: string): Promise<Table> {
  let handle;
  try {
    handle = await openParquetFile(file);
    const info = await parquetInfo(handle.file);
    const rows = await readParquetRows(handle.file, info.metadata, 0, info.rows);
    // DATE columns read as midnight-UTC Dates; DuckDB printed them as the day alone
    const dates = info.metadata.schema.filter((e) => e.converted_type === "DATE" || e.logical_type?.type === "DATE").map((e) => e.name);
    for (const r of rows) for (const c of dates) if (r[c] instanceof Date) r[c] = r[c].toISOString().slice(0, 10);
    return objectsTable(file, rows, topLevelColumns(info.metadata));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file}: not a readable Parquet file (${(e as Error).message.split("\n")[0]})`);
  } finally {
    await handle?.close();
  }
}
