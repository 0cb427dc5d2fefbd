// Checks a loaded model catalog against the provider table when the worker starts, so a typo in a
// kind or a compatible entry without its endpoint fails the start, not the first request.
// config/load.ts checks the catalog's shape; it may not import core/, so the table is checked here.
import type { ModelCatalog } from '../../common/catalog.js';
import { ConfigError } from '../../common/errors.js';
import { kindOf } from './endpoint.js';
import { providerKindNames, providerKinds } from './kinds.js';

const catalogKinds = providerKindNames.filter((name) => providerKinds[name].source === 'catalog').join(', ');

/** Throws a ConfigError naming the model and field of the first entry the table cannot call. */
export function checkCatalog(catalog: ModelCatalog): void {
  for (const model of Object.values(catalog.models)) {
    const { name, kind } = kindOf(model);
    const where = `model catalog: /models/${model.id}`;
    if (kind.source === 'catalog') {
      for (const field of ['baseURL', 'apiKeyEnv'] as const) {
        if (!model[field]) {
          throw new ConfigError(`${where}/${field} is required for provider kind "${name}"`, {
            details: { model: model.id, field },
          });
        }
      }
    } else {
      for (const field of ['baseURL', 'apiKeyEnv'] as const) {
        if (model[field]) {
          throw new ConfigError(
            `${where}/${field}: provider kind "${name}" takes it from ${field === 'baseURL' ? kind.baseURLEnv : kind.apiKeyEnv}; ` +
              `for an endpoint of its own set kind to one of: ${catalogKinds}`,
            { details: { model: model.id, field } },
          );
        }
      }
    }
  }
}
