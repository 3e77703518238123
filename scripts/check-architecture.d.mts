/** Checks a source tree's layering and import cycles; returns findings as `file:line message` lines. */
export function checkArchitecture(srcDir: string): string[]
export const LAYERS: readonly { files: string; runtime: readonly string[]; types: readonly string[] }[]
