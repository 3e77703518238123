// JSON Schema (as valibot's converter writes it) to a TypeScript type, for the generated channel map.
import type { JsonSchema, JsonValue } from '../meta/index'
import { byCodeUnit } from './order'

/** A named type the expression refers to: one per `$defs` entry (recursive schemas need names). */
export interface TypeDeclaration {
  name: string
  type: string
}

export interface ConvertedType {
  /** The type expression; multi-line objects are indented for `indent` levels. */
  type: string
  /** `type <name> = <type>` to emit beside it, in `$defs` key order. */
  declarations: TypeDeclaration[]
}

export interface ConvertOptions {
  /** Names the type of `$defs[key]`; must give a name unique in the output file. */
  nameDefinition: (key: string) => string
  /** Indentation level of the line the type starts on (two spaces a level). Default 0. */
  indent?: number
}

/** Binding strength, so unions inside arrays and intersections get parentheses. */
const enum Precedence {
  Union,
  Intersection,
  Primary,
}

interface Expr {
  text: string
  precedence: Precedence
}

interface Context {
  definitions: Map<string, string>
}

const UNKNOWN: Expr = { text: 'unknown', precedence: Precedence.Primary }
const NEVER: Expr = { text: 'never', precedence: Precedence.Primary }

/**
 * The TypeScript type of the values a schema accepts, for the schemas
 * `@valibot/to-json-schema` emits (draft-07): objects with required and
 * optional properties, records and rest properties, arrays and tuples,
 * `string`, `number`/`integer`, `boolean`, `null`, `enum`, `const`,
 * `anyOf`/`oneOf` (unions), `allOf` (intersections) and `$ref` into the
 * root's `$defs` (or `definitions`). Anything else, including `{}`, is
 * `unknown`; keywords that only narrow (lengths, patterns, ranges,
 * formats) are dropped. The type may therefore accept more than the
 * schema, never less. Properties come in code-unit order, so the same
 * schema always gives the same text.
 */
export function schemaToType(schema: JsonValue | undefined, options: ConvertOptions): ConvertedType {
  const definitions = new Map<string, string>()
  const defs = definitionsOf(schema)
  for (const key of Object.keys(defs).sort(byCodeUnit)) definitions.set(key, options.nameDefinition(key))
  const context: Context = { definitions }
  const indent = options.indent ?? 0
  const declarations = [...definitions].map(([key, name]) => ({ name, type: convert(defs[key], context, 0).text }))
  return { type: convert(schema, context, indent).text, declarations }
}

function definitionsOf(schema: JsonValue | undefined): Record<string, JsonValue> {
  if (!isObject(schema)) return {}
  const defs = isObject(schema.$defs) ? schema.$defs : isObject(schema.definitions) ? schema.definitions : {}
  return defs as Record<string, JsonValue>
}

function convert(schema: JsonValue | undefined, context: Context, indent: number): Expr {
  if (schema === true || schema === undefined) return UNKNOWN
  if (schema === false) return NEVER
  if (!isObject(schema)) return UNKNOWN
  if ('const' in schema) return literal(schema.const)
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal))
  if (typeof schema.$ref === 'string') return reference(schema.$ref, context)
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined
  if (alternatives) return union(alternatives.map((item) => convert(item, context, indent)))
  if (Array.isArray(schema.allOf)) return intersection(schema.allOf.map((item) => convert(item, context, indent)))
  if (typeof schema.type === 'string') return ofType(schema.type, schema, context, indent)
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => (typeof type === 'string' ? ofType(type, schema, context, indent) : UNKNOWN)))
  return UNKNOWN
}

function ofType(type: string, schema: JsonSchema, context: Context, indent: number): Expr {
  switch (type) {
    case 'string':
    case 'boolean':
    case 'null':
      return { text: type, precedence: Precedence.Primary }
    case 'number':
    case 'integer':
      return { text: 'number', precedence: Precedence.Primary }
    case 'array':
      return array(schema, context, indent)
    case 'object':
      return object(schema, context, indent)
    default:
      return UNKNOWN
  }
}

function reference(ref: string, context: Context): Expr {
  const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)
  const key = match?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~')
  const name = key === undefined ? undefined : context.definitions.get(key)
  return name === undefined ? UNKNOWN : { text: name, precedence: Precedence.Primary }
}

function array(schema: JsonSchema, context: Context, indent: number): Expr {
  const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined
  if (tuple) {
    const rest = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems
    const elements = tuple.map((item) => convert(item, context, indent).text)
    if (rest !== undefined && rest !== false) elements.push(`...${primary(convert(rest, context, indent))}[]`)
    return { text: `[${elements.join(', ')}]`, precedence: Precedence.Primary }
  }
  return { text: `${primary(convert(schema.items, context, indent))}[]`, precedence: Precedence.Primary }
}

function object(schema: JsonSchema, context: Context, indent: number): Expr {
  const properties = isObject(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [])
  const inner = '  '.repeat(indent + 1)
  const lines: string[] = []
  for (const key of Object.keys(properties).sort(byCodeUnit)) {
    const property = properties[key]
    const description = isObject(property) && typeof property.description === 'string' ? property.description : undefined
    if (description !== undefined) lines.push(`${inner}/** ${description.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */`)
    lines.push(`${inner}${propertyKey(key)}${required.has(key) ? '' : '?'}: ${convert(property, context, indent + 1).text}`)
  }
  const rest = indexSignature(schema, properties, context, indent + 1)
  if (rest !== undefined) lines.push(`${inner}[key: string]: ${rest}`)
  if (lines.length === 0) return { text: '{}', precedence: Precedence.Primary }
  return { text: `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`, precedence: Precedence.Primary }
}

/**
 * The type of properties not listed: a record's or rest's value type when
 * there are no listed ones, `unknown` beside listed ones (a TypeScript index
 * signature must also fit every listed property), `never` for
 * `additionalProperties: false` with nothing listed (an empty strict object).
 */
function indexSignature(schema: JsonSchema, properties: JsonSchema, context: Context, indent: number): string | undefined {
  const listed = Object.keys(properties).length > 0
  const additional = schema.additionalProperties
  if (additional === false) return listed ? undefined : 'never'
  if (additional === undefined && !isObject(schema.patternProperties)) return listed ? undefined : 'unknown'
  if (listed) return 'unknown'
  return additional === undefined || additional === true ? 'unknown' : convert(additional, context, indent).text
}

function literal(value: JsonValue | undefined): Expr {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { text: JSON.stringify(value), precedence: Precedence.Primary }
  }
  return UNKNOWN
}

function union(items: Expr[]): Expr {
  const texts = unique(items.map((item) => item.text))
  if (texts.length === 0) return NEVER
  if (texts.includes('unknown')) return UNKNOWN
  if (texts.length === 1) return items.find((item) => item.text === texts[0])!
  return { text: texts.join(' | '), precedence: Precedence.Union }
}

function intersection(items: Expr[]): Expr {
  const known = items.filter((item) => item.text !== 'unknown')
  if (known.length === 0) return UNKNOWN
  if (known.length === 1) return known[0]!
  return { text: known.map((item) => (item.precedence === Precedence.Union ? `(${item.text})` : item.text)).join(' & '), precedence: Precedence.Intersection }
}

function primary(expr: Expr): string {
  return expr.precedence === Precedence.Primary ? expr.text : `(${expr.text})`
}

/** An identifier as is, anything else as a string literal. */
export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key)
}

function isObject(value: JsonValue | undefined): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function unique(texts: string[]): string[] {
  return [...new Set(texts)]
}
