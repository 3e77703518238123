// What `check` reports: one finding per broken rule, at the file and line where it is broken.
import type * as TS from 'typescript'
import { position } from '../typescript'

/** Seed 000's review checklist, one name per rule. */
export const RULES = {
  'wiring-file-name': 'wireChannel is called only in *.channel.ts files',
  'wiring-import': 'a wiring file imports only the generated types, functions/**/*.function.ts, permissions.ts and middleware.ts; never services',
  'mixed-transports': 'one transport per wiring file',
  'wiring-logic': 'a wiring file holds only imports and wiring calls with literal configs',
  'config-indirection': 'channel name and route are literals, the config an object literal',
  'function-file': 'functions are defined in functions/**/*.function.ts',
  'promise-chain': 'function files await with try/catch rather than .then()/.catch()',
} as const

export type Rule = keyof typeof RULES

export interface Finding {
  file: string
  line: number
  column: number
  rule: Rule
  message: string
}

/** Collects the findings of one file, placed at the nodes that break a rule. */
export class FileFindings {
  readonly findings: Finding[] = []

  constructor(readonly source: TS.SourceFile) {}

  add(node: TS.Node, rule: Rule, message: string): void {
    const { line, column } = position(this.source, node)
    this.findings.push({ file: this.source.fileName, line, column, rule, message })
  }
}

/** By file (code-unit order), then line and column. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  return a.line - b.line || a.column - b.column
}
