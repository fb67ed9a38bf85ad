/** The API's OpenAPI document (/docs/json and /openapi.json) and Swagger UI (/docs), built from the routes' zod schemas. */
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { packageVersion } from '../../core/package-root.js';

/** Where the API is described: the UI here, the OpenAPI document at `${docsPrefix}/json`. */
const docsPrefix = '/docs';

/**
 * OpenAPI 3 from the routes' zod schemas, the Swagger UI at /docs and the document at
 * /docs/json. Register before the routes: @fastify/swagger collects each route's schema in an
 * onRoute hook at startup and builds the document once, on first request for it; it adds no
 * per-request hook to the other routes. The UI's assets are served from the package, no CDN.
 */
const docs: FastifyPluginAsync = async (app) => {
  const version = packageVersion();
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'seqserve',
        description: 'Random access to genome sequence, served straight from memory-mapped files',
        version,
      },
    },
    transform: jsonSchemaTransform,
  });
  // Where seqcol's specification (and its clients) look for the OpenAPI document: the same as /docs/json.
  app.get('/openapi.json', { schema: { description: 'This OpenAPI document (also at /docs/json)' } }, (_, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(app.swagger()),
  );
  // In a context of its own: helmet's headers (and its two onRequest hooks) for the HTML pages of
  // the UI only; the API's answers carry the short list of src/http/headers.ts's securityHeaders.
  await app.register(async (docs) => {
    await docs.register(helmet, {
      // The UI's own CSP (staticCSP below, with the hashes of its inline scripts) is the one sent.
      contentSecurityPolicy: false,
      // Plain HTTP: HSTS belongs to a TLS proxy in front, if any.
      strictTransportSecurity: false,
      // The OpenAPI document may be read cross-origin (code generators in a browser).
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    });
    await docs.register(swaggerUi, {
      routePrefix: docsPrefix,
      // The UI would otherwise send the document to validator.swagger.io for a badge.
      uiConfig: { validatorUrl: null },
      // A CSP allowing the UI's own assets only. Without upgrade-insecure-requests, which would
      // send the UI's requests to https:// on a plain-HTTP server, and without the validator.
      staticCSP: true,
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '').replace(' validator.swagger.io', ''),
    });
  });
};

export default fp(docs, { name: 'docs' });
