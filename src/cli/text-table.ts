// A plain-text table for the terminal.

/** Columns padded to their widest line, a dashed rule under the header; a cell may hold several lines. */
export function textTable(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.split('\n')))
  const widths = header.map((_, i) => Math.max(...cells.map((row) => Math.max(...(row[i] ?? ['']).map((line) => line.length)))))
  const lines: string[] = []
  cells.forEach((row, index) => {
    const height = Math.max(...row.map((cell) => cell.length))
    for (let line = 0; line < height; line++) {
      lines.push(row.map((cell, i) => (cell[line] ?? '').padEnd(i === row.length - 1 ? 0 : (widths[i] ?? 0))).join('  ').trimEnd())
    }
    if (index === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  })
  return `${lines.join('\n')}\n`
}
