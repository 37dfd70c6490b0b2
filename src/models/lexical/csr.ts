/** Sparse rows (compressed sparse row): row r holds columns idx[ptr[r] .. ptr[r+1]) with values val[...]. */
export interface Csr {
  rows: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

/** Dot product of sparse row r of `m` with a dense vector. */
export function rowDot(m: Csr, r: number, dense: ArrayLike<number>): number {
  let s = 0;
  for (let k = m.ptr[r]!; k < m.ptr[r + 1]!; k++) s += m.val[k]! * dense[m.idx[k]!]!;
  return s;
}

/** The rows `rows` of `m`, in that order, as a new matrix. */
export function selectRows(m: Csr, rows: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) nnz += m.ptr[rows[i]! + 1]! - m.ptr[rows[i]!]!;
  const ptr = new Int32Array(rows.length + 1);
  const idx = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let o = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const a = m.ptr[r]!;
    const b = m.ptr[r + 1]!;
    idx.set(m.idx.subarray(a, b), o);
    val.set(m.val.subarray(a, b), o);
    o += b - a;
    ptr[i + 1] = o;
  }
  return { rows: rows.length, ptr, idx, val };
}

/** Column-major copy of `m`: column c's rows and values sit at [start[c], start[c+1]). */
export interface Inverted {
  start: Int32Array;
  row: Int32Array;
  val: Float32Array;
}

export function invertCsr(m: Csr, columns: number): Inverted {
  const start = new Int32Array(columns + 1);
  const nnz = m.ptr[m.rows]!;
  for (let k = 0; k < nnz; k++) start[m.idx[k]! + 1]!++;
  for (let c = 0; c < columns; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, columns);
  const row = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.ptr[r]!; k < m.ptr[r + 1]!; k++) {
      const o = fill[m.idx[k]!]!++;
      row[o] = r;
      val[o] = m.val[k]!;
    }
  }
  return { start, row, val };
}
