// Prompt management: templates as versioned data files, loaded, validated and rendered.
export {
  estimateTokens,
  loadTemplateRegistry,
  type TemplateRegistry,
  type TemplateRegistryOptions,
  type WatchOptions,
} from './registry.js';
export { templateFileSchema } from './schema.js';
export type {
  CountTokens,
  PromptTemplate,
  TemplateDefinition,
  TemplateMetadata,
  TemplateProblem,
  TemplateSummary,
  TemplateVariant,
} from './types.js';
export { chooseVariant, hashToUnit, type WeightedVariant } from './variants.js';
export { compareVersions } from './versions.js';
