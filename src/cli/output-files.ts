// The names of the files `gen` writes into the output folder (help text and writer share them).

export const META_FILE = 'channels.meta.json'
export const ASYNCAPI_FILE = 'asyncapi.json'
