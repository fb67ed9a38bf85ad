/**
 * What the fast path (src/http/fast-path.ts) asks of the app on every request, set by the
 * plugins that own each answer: whether the server is closing (shutdown-drain) and whether it
 * is overloaded (overload). It exists because the server factory is built before the plugins.
 */
export class ServingState {
  closing = false;
  underPressure: () => boolean = () => false;
}
