import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { schemaToType } from '../../src/cli/json-schema-to-ts'
import { toJson, type JsonSchema } from '../../src/meta/index'

const names = () => {
  let n = 0
  return () => `Def${++n}`
}

/** The type of a valibot schema's input side on one line (indentation squeezed out). */
function typeOf(schema: Parameters<typeof toJson>[0], side: 'input' | 'output' = 'input'): string {
  return oneLine(schemaToType(toJson(schema, side), { nameDefinition: names() }).type)
}

function fromJson(schema: JsonSchema | boolean): string {
  return oneLine(schemaToType(schema, { nameDefinition: names() }).type)
}

const oneLine = (text: string) => text.replace(/\n\s*/g, ' ')

describe('schemaToType: what valibot emits', () => {
  it('objects: required and optional properties, in code-unit order, quoted when not identifiers', () => {
    expect(typeOf(v.object({ b: v.string(), a: v.optional(v.number()), 'x-y': v.boolean() }))).toBe('{ a?: number b: string "x-y": boolean }')
  })

  it('follows `required`: valibot lists a property with a default as not required on either side, so it stays optional', () => {
    // Exact for what a client sends; for what it receives, looser than the truth but never wrong.
    const schema = v.object({ limit: v.optional(v.number(), 50) })
    expect(typeOf(schema, 'input')).toBe('{ limit?: number }')
    expect(typeOf(schema, 'output')).toBe('{ limit?: number }')
  })

  it('primitives: string, number and integer, boolean, null', () => {
    expect(typeOf(v.string())).toBe('string')
    expect(typeOf(v.number())).toBe('number')
    expect(typeOf(v.pipe(v.number(), v.integer(), v.minValue(1)))).toBe('number')
    expect(typeOf(v.boolean())).toBe('boolean')
    expect(typeOf(v.null())).toBe('null')
  })

  it('arrays, tuples and tuples with a rest', () => {
    expect(typeOf(v.array(v.string()))).toBe('string[]')
    expect(typeOf(v.array(v.union([v.string(), v.number()])))).toBe('(string | number)[]')
    expect(typeOf(v.tuple([v.string(), v.number()]))).toBe('[string, number]')
    expect(typeOf(v.tupleWithRest([v.string()], v.number()))).toBe('[string, ...number[]]')
  })

  it('enum, picklist and literal (const)', () => {
    expect(typeOf(v.picklist(['a', 'b']))).toBe('"a" | "b"')
    expect(typeOf(v.enum({ A: 'a', Two: 2 }))).toBe('"a" | 2')
    expect(typeOf(v.literal(3))).toBe('3')
    expect(typeOf(v.literal('it\'s "x"'))).toBe('"it\'s \\"x\\""')
  })

  it('unions (anyOf), variants (oneOf), nullable and intersections (allOf)', () => {
    expect(typeOf(v.nullable(v.string()))).toBe('string | null')
    expect(typeOf(v.variant('type', [v.object({ type: v.literal('a') }), v.object({ type: v.literal('b'), n: v.number() })]))).toBe(
      '{ type: "a" } | { n: number type: "b" }',
    )
    expect(typeOf(v.intersect([v.object({ a: v.string() }), v.object({ b: v.string() })]))).toBe('{ a: string } & { b: string }')
    expect(fromJson({ allOf: [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'string' }] })).toBe('(string | number) & string')
  })

  it('records, rest properties, strict and empty objects', () => {
    expect(typeOf(v.record(v.string(), v.boolean()))).toBe('{ [key: string]: boolean }')
    expect(typeOf(v.objectWithRest({ a: v.string() }, v.number()))).toBe('{ a: string [key: string]: unknown }')
    expect(typeOf(v.strictObject({ a: v.string() }))).toBe('{ a: string }')
    expect(typeOf(v.strictObject({}))).toBe('{ [key: string]: never }')
    expect(typeOf(v.object({}))).toBe('{ [key: string]: unknown }')
  })

  it('recursive schemas: $ref into $defs becomes a named declaration', () => {
    type Node = { name: string; children: Node[] }
    const Node: v.GenericSchema<Node> = v.object({ name: v.string(), children: v.array(v.lazy(() => Node)) })
    const converted = schemaToType(toJson(Node, 'output'), { nameDefinition: (key) => `Node_${key}` })
    expect(oneLine(converted.type)).toBe('{ children: Node_0[] name: string }')
    expect(converted.declarations.map((d) => ({ ...d, type: oneLine(d.type) }))).toStrictEqual([{ name: 'Node_0', type: '{ children: Node_0[] name: string }' }])
  })

  it('unknown for anything JSON Schema cannot say, and for unresolvable refs', () => {
    for (const schema of [v.any(), v.unknown(), v.date(), v.custom(() => true)]) expect(typeOf(schema)).toBe('unknown')
    expect(fromJson({ $ref: '#/$defs/missing' })).toBe('unknown')
    expect(fromJson({ $ref: 'https://example.com/schema' })).toBe('unknown')
    expect(fromJson({ not: { type: 'string' } })).toBe('unknown')
    expect(fromJson(true)).toBe('unknown')
    expect(fromJson({ anyOf: [{ type: 'string' }, {}] })).toBe('unknown')
  })
})

describe('schemaToType: JSON Schema beyond valibot', () => {
  it('type arrays, prefixItems (2020-12), definitions (draft-07), false', () => {
    expect(fromJson({ type: ['string', 'null'] })).toBe('string | null')
    expect(fromJson({ type: 'array', prefixItems: [{ type: 'string' }], items: false })).toBe('[string]')
    expect(fromJson({ definitions: { a: { type: 'string' } }, $ref: '#/definitions/a' })).toBe('Def1')
    expect(fromJson(false)).toBe('never')
    expect(fromJson({ anyOf: [] })).toBe('never')
  })

  it('descriptions become doc comments, without closing the comment early', () => {
    const { type } = schemaToType({ type: 'object', properties: { a: { type: 'string', description: 'The a. */ not code' } } }, { nameDefinition: names() })
    expect(type).toBe('{\n  /** The a. *\\/ not code */\n  a?: string\n}')
  })

  it('indents nested objects from the given level', () => {
    const schema: JsonSchema = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } }, required: ['a'] }
    expect(schemaToType(schema, { nameDefinition: names(), indent: 1 }).type).toBe('{\n    a: {\n      b: string\n    }\n  }')
  })

  it('is deterministic whatever the key order of the schema', () => {
    const a = schemaToType({ type: 'object', properties: { x: { type: 'string' }, y: { type: 'number' } }, required: ['y', 'x'] }, { nameDefinition: names() })
    const b = schemaToType({ required: ['x', 'y'], properties: { y: { type: 'number' }, x: { type: 'string' } }, type: 'object' }, { nameDefinition: names() })
    expect(a).toStrictEqual(b)
  })
})
