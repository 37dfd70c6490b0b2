/** Library entry point: re-exports the public API of each layer. */
export { VERSION } from "./version.js";
export * from "./io/atomic.js";
