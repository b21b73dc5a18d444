// Browser-side fetch helpers: one error shape ({ error: { code, message } }) turned into ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = "";
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? "http", err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return parse<T>(await fetch(url, { signal, headers: { accept: "application/json" } }));
}

export async function sendJson<T>(url: string, body: unknown, method = "POST"): Promise<T> {
  return parse<T>(
    await fetch(url, {
      method,
      headers: { "content-type": "application/json", "x-csrf-token": csrfToken },
      body: JSON.stringify(body ?? {}),
    }),
  );
}
