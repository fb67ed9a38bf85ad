/** The page's requests to this server: JSON, and problem+json errors said as their `detail`. */

/** The body of a non-2xx answer: problem+json's detail when there is one. */
export async function problemOf(answer: Response): Promise<string> {
  const text = await answer.text();
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? `${answer.status} ${answer.statusText}`;
  } catch {
    return `${answer.status} ${answer.statusText}: ${text.slice(0, 300)}`;
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const answer = await fetch(url, { headers: { accept: 'application/json' } });
  if (!answer.ok) throw new Error(await problemOf(answer));
  return (await answer.json()) as T;
}
