// The worker's workflows plus a stand-in `agent` workflow, for the doors' tests while the real agent
// workflow (workflows/agent*, the agents branch) is not merged. Once it is, an `agent` exported by
// workflows/index.ts is shadowed here by the stand-in: drop this folder and use the real bundle.
export * from '../../../workflows/index.js';
export { agent } from './agent.js';
