// `POST /v1/messages/count_tokens`: the input tokens a Messages request would use on the model it
// names (a task route counts on its first preferred model), with that model's tokenizer: messages,
// images and tool definitions, as the request path counts them when it prunes context.
import type { ModelCatalog, RoutingTable } from '../../common/catalog.js';
import { counterForModel } from '../../core/context/tokens.js';
import type { ModelChoice } from '../openai/models.js';
import { type CountTokensBody, conversation, tools } from './request.js';

function countingModel(choice: ModelChoice, catalog: ModelCatalog, routing: RoutingTable): string {
  return choice.model ?? routing.routes[choice.taskType]?.preferredModels[0] ?? catalog.defaultModel;
}

export function countTokens(
  body: CountTokensBody,
  choice: ModelChoice,
  catalog: ModelCatalog,
  routing: RoutingTable,
): { input_tokens: number } {
  const spec = catalog.models[countingModel(choice, catalog, routing)];
  if (!spec) throw new Error(`the catalog has no model "${countingModel(choice, catalog, routing)}"`);
  const counter = counterForModel(spec);
  const offered = tools(body) ?? [];
  return { input_tokens: counter.countMessages(conversation(body)) + counter.countTools(offered) };
}
