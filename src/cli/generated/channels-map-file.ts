// channel/pikku-channels-map.gen.d.ts: each channel's actions and topics as types, from the metadata's JSON Schemas.
import type { ChannelsMeta, JsonSchema } from '../../meta/index'
import { propertyKey, schemaToType, type TypeDeclaration } from '../json-schema-to-ts'
import { GENERATED_HEADER } from '../output-files'

/**
 * `export type ChannelsMap = { <channel>: { actions: { <action>: { input; output } }; topics: { <topic>: payload } } }`,
 * the shape the client's `ChannelShape` describes. The types come from the
 * JSON Schemas in the metadata, not from the wiring's TypeScript types:
 * wirings are statements (`wireChannel({...})`), not exports, and a file of
 * plain types keeps the client's type check free of server code. Inputs are
 * what a client sends (defaults still optional), outputs and payloads what
 * it receives; without a schema the type is `unknown`. Topic keys are as
 * declared, patterns (`typing:*`) included. A type alias, not an interface,
 * so that it fits a `Record<string, ChannelShape>` constraint.
 */
export function channelsMapFile(meta: ChannelsMeta): string {
  const declarations: { comment: string; declaration: TypeDeclaration }[] = []
  let definitions = 0
  const typeOf = (schema: JsonSchema | null, indent: number, where: string): string => {
    if (schema === null) return 'unknown'
    const converted = schemaToType(schema, { indent, nameDefinition: () => `Def${++definitions}` })
    for (const declaration of converted.declarations) declarations.push({ comment: `${where}, $defs`, declaration })
    return converted.type
  }

  const channels = meta.channels.map((channel) => {
    const actions = channel.actions.map((action) => {
      const where = `${channel.name}: action ${action.name}`
      const input = typeOf(action.input, 4, `${where} input`)
      const output = typeOf(action.output, 4, `${where} output`)
      return [`      ${propertyKey(action.name)}: {`, `        input: ${input}`, `        output: ${output}`, '      }'].join('\n')
    })
    const topics = channel.topics.map((topic) => `      ${propertyKey(topic.topic)}: ${typeOf(topic.schema, 3, `${channel.name}: topic ${topic.topic}`)}`)
    return [`  ${propertyKey(channel.name)}: {`, `    actions: ${block(actions, 2)}`, `    topics: ${block(topics, 2)}`, '  }'].join('\n')
  })

  const lines = [
    GENERATED_HEADER,
    '//',
    '// Each channel\'s actions (what a client sends, what the reply carries) and topics (event payloads),',
    '// typed from the JSON Schemas in pikku-channels-meta.gen.json. Without a schema a type is unknown:',
    '// give the function an `output` schema to type its reply.',
    '',
  ]
  for (const { comment, declaration } of declarations) lines.push(`/** ${comment.replace(/\*\//g, '*\\/')} */`, `type ${declaration.name} = ${declaration.type}`, '')
  lines.push(`export type ChannelsMap = ${block(channels, 0)}`, '')
  return lines.join('\n')
}

function block(members: string[], indent: number): string {
  return members.length === 0 ? '{}' : `{\n${members.join('\n')}\n${'  '.repeat(indent)}}`
}
