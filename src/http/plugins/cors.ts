/** CORS for browsers (igv.js, JBrowse) reading /files and ranges cross-origin; a malformed preflight gets problem+json. */
import cors from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { corsOptions, invalidPreflight } from '../headers.js';

const corsPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', invalidPreflight);
  await app.register(cors, corsOptions);
};

export default fp(corsPlugin, { name: 'cors' });
