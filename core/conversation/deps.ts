// What conversation planning reads: the catalog and routing table (to know each candidate model's
// window) and the template renderer (to count what is really sent). A subset of the activities'
// dependencies, named here so the domain does not reach up into activities/.
import type { ModelCatalog, RoutingTable } from '../../common/catalog.js';
import type { RenderedPrompt, RenderPromptInput } from '../../common/prompt.js';

export interface ConversationDeps {
  catalog: () => ModelCatalog;
  routing: () => RoutingTable;
  templates: { render(input: RenderPromptInput): RenderedPrompt };
}
