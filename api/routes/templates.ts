// Prompt templates as the workers see them: the list, and one template in full for debugging a prompt.
import type { FastifyInstance } from 'fastify';
import { isTemplateNotFoundError } from '../../common/errors.js';
import type { TemplateRegistry } from '../../core/templates/index.js';
import { HttpError } from '../errors.js';
import {
  errorSchema,
  idParamsSchema,
  serializedAsBefore,
  templateDefinitionSchema,
  templateListSchema,
} from '../schemas.js';

export type TemplateSource = Pick<TemplateRegistry, 'list' | 'get'>;

export function registerTemplateRoutes(app: FastifyInstance, templates: TemplateSource): void {
  app.get('/v1/templates', { schema: { response: { 200: templateListSchema } } }, async () => ({
    templates: templates.list(),
  }));

  app.get<{ Params: { id: string }; Querystring: { version?: string } }>(
    '/debug/templates/:id',
    {
      schema: {
        params: idParamsSchema,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'string', minLength: 1, maxLength: 50 } },
        },
        response: { 200: templateDefinitionSchema, '4xx': errorSchema },
      },
      serializerCompiler: serializedAsBefore,
    },
    async (request) => {
      try {
        // The file's path stays on the server: the definition is what a debugger needs.
        const { path: _path, ...definition } = templates.get(request.params.id, request.query.version);
        const versions = templates.list().find((t) => t.id === request.params.id)?.versions ?? [];
        return { ...definition, versions };
      } catch (error) {
        if (isTemplateNotFoundError(error))
          throw new HttpError(404, 'NotFoundError', (error as Error).message);
        throw error;
      }
    },
  );
}
