import { listApiTokens } from "@/server/auth/tokens";
import { issueToken, newTokenSchema } from "@/server/auth/user-admin";
import { apiRoute } from "@/server/http/handle";
import type { NewTokenResponse, TokensResponse } from "@/server/schemas/accounts";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  { access: "admin" },
  async () => ({ tokens: await listApiTokens() }) satisfies TokensResponse,
);

// The token is in this response once and never again: only its hash is stored.
export const POST = apiRoute(
  { access: "admin", mutating: true, body: newTokenSchema },
  async ({ body, caller, ip }) => {
    const t = await issueToken(body, { caller, ip });
    return Response.json(
      { id: t.id, token: t.token, name: body.name, role: body.role, expiresAt: t.expiresAt } satisfies NewTokenResponse,
      { status: 201 },
    );
  },
);
