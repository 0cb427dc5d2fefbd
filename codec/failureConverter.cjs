// The failure converter of every process that encrypts payloads: it moves each failure's message and
// stack trace into an encoded attribute, which the payload codecs then encrypt, so history keeps only
// "Encoded failure". Temporal loads it by path (DataConverter.failureConverterPath): webpack bundles it
// into the workflow code and workers and clients require() it. CommonJS, so require() works in every
// process, also those whose TypeScript loader only hooks ES modules (bin/llm-orchestrator.js).
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
