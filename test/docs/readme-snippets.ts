// The README's TypeScript blocks, as files of one project: a block whose first
// line is `// <path>.ts` is that file (so blocks import each other as the
// README shows); any other block is a file of its own; a block right after
// `<!-- continues -->` is appended to the block before it.

export interface Snippet {
  /** Where it goes in the project. */
  file: string
  text: string
  /** README line of each line of `text`, for errors that point at the README. */
  lines: number[]
}

const FENCE = /^```(ts|typescript)\s*$/
const NAMED = /^\/\/ ([\w./-]+\.ts)\b/

export function readmeSnippets(readme: string): Snippet[] {
  const rows = readme.split('\n')
  const snippets: Snippet[] = []
  for (let i = 0; i < rows.length; i++) {
    if (!FENCE.test(rows[i]!)) continue
    const start = i + 1
    let end = start
    while (end < rows.length && rows[end] !== '```') end++
    const text = rows.slice(start, end).join('\n')
    const lines = Array.from({ length: end - start }, (_, k) => start + k + 1)
    const continues = rows.slice(0, i).reverse().find((row) => row.trim() !== '')?.trim() === '<!-- continues -->'
    const previous = snippets.at(-1)
    if (continues && previous) {
      previous.text += `\n${text}`
      previous.lines.push(...lines)
    } else {
      const named = NAMED.exec(rows[start] ?? '')
      snippets.push({ file: named ? named[1]! : `readme-line-${start + 1}.ts`, text, lines })
    }
    i = end
  }
  return snippets
}
