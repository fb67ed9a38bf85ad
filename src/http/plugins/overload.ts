/**
 * Overload: 503 problem+json with Retry-After (OverloadedError) while the event loop lags or the
 * heap is near its limit; the fast path asks the same through the serving state and falls
 * through to get that answer.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { OverloadedError, retryAfterSeconds } from '../../core/errors.js';
import type { ServingState } from '../serving-state.js';

interface OverloadOptions {
  maxEventLoopDelay: number;
  maxHeapUsedBytes: number;
  state: ServingState;
}

const overload: FastifyPluginAsync<OverloadOptions> = async (app, { maxEventLoopDelay, maxHeapUsedBytes, state }) => {
  await app.register(underPressure, { maxEventLoopDelay, maxHeapUsedBytes, retryAfter: retryAfterSeconds, sampleInterval: 500, customError: OverloadedError });
  state.underPressure = () => app.isUnderPressure();
};

export default fp(overload, { name: 'overload' });
