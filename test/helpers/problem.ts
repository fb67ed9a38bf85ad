/** The shape of an error answer (application/problem+json), so a test reads a parsed body typed rather than as `any`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}
