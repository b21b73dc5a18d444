// The user and API token lists (GET /api/users, GET /api/tokens, POST /api/tokens): shared by the account
// services, their routes and the admin page.
import type { Role } from "@/server/auth/roles";

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export interface UsersResponse {
  users: UserRow[];
}

export interface TokenRow {
  id: string;
  name: string;
  /** As stored: written from the role list, read back without re-checking. */
  role: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
  expiresAt: number | null;
}

export interface TokensResponse {
  tokens: TokenRow[];
}

/** POST /api/tokens: the token itself is in this response once and never again. */
export interface NewTokenResponse {
  id: string;
  token: string;
  name: string;
  role: Role;
  expiresAt: number | null;
}
