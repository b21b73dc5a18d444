import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { ROLES } from "@/server/auth/roles";
import { createApiToken, creatorIdOf, listApiTokens } from "@/server/auth/tokens";
import { apiRoute } from "@/server/http/handle";
import type { NewTokenResponse, TokensResponse } from "@/server/schemas/accounts";

export const dynamic = "force-dynamic";

const body = z.object({
  name: z.string().trim().min(1).max(64),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const GET = apiRoute(
  { access: "admin" },
  async () => ({ tokens: await listApiTokens() }) satisfies TokensResponse,
);

// The token is in this response once and never again: only its hash is stored.
export const POST = apiRoute({ access: "admin", mutating: true, body }, async ({ body, caller, ip }) => {
  const expiresAt = body.expiresInDays ? Date.now() + body.expiresInDays * 86_400_000 : null;
  await auditEvent({
    kind: "settings",
    actor: caller.username,
    role: caller.role,
    sourceIp: ip,
    action: "token.create",
    target: body.name,
    params: { role: body.role, expiresAt: expiresAt && new Date(expiresAt).toISOString() },
    detail: null,
  });
  const t = await createApiToken(body.name, body.role, caller.username, {
    createdById: await creatorIdOf(caller),
    expiresAt,
  });
  return Response.json(
    { id: t.id, token: t.token, name: body.name, role: body.role, expiresAt: t.expiresAt } satisfies NewTokenResponse,
    { status: 201 },
  );
});
