"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { useMemo, useState } from "react";
import { DataTable, type Column } from "@/components/ui/data-table";
import { getJson, sendJson } from "@/lib/api";
import { fmtAge } from "@/lib/format";
import type { NewTokenResponse, TokenRow, TokensResponse, UserRow, UsersResponse } from "@/server/schemas/accounts";

const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const button = "rounded bg-blue-600 px-3 py-1 text-sm text-white hover:bg-blue-500 disabled:opacity-50";

const linkButton = "underline disabled:opacity-50";

function tokenExpiry(t: TokenRow): string {
  if (t.expiresAt === null) return "never";
  const when = new Date(t.expiresAt).toISOString().slice(0, 10);
  return t.expiresAt <= Date.now() ? `expired ${when}` : when;
}

/** Role, disable/enable, password reset and delete for one user; each change signs the user out everywhere. */
function UserRowView({ u }: { u: UserRow }) {
  const qc = useQueryClient();
  const [resetting, setResetting] = useState(false);
  const done = () => qc.invalidateQueries({ queryKey: ["users"] });
  const patch = useMutation({
    mutationFn: (b: unknown) => sendJson(`/api/users/${encodeURIComponent(u.id)}`, b, "PATCH"),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: () => sendJson(`/api/users/${encodeURIComponent(u.id)}`, {}, "DELETE"),
    onSuccess: done,
  });
  const reset = useMutation({
    mutationFn: (password: string) => sendJson(`/api/users/${encodeURIComponent(u.id)}/password`, { password }),
    onSuccess: () => setResetting(false),
  });
  const error = patch.error ?? remove.error ?? reset.error;
  return (
    <tr data-testid={`user-${u.username}`}>
      <td>
        {u.username}
        {u.disabled ? " (disabled)" : ""}
      </td>
      <td>
        <select
          value={u.role}
          className={input}
          aria-label={`Role of ${u.username}`}
          disabled={patch.isPending}
          onChange={(e) => patch.mutate({ role: e.target.value })}
        >
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td>{fmtAge(u.createdAt)}</td>
      <td className="space-x-2">
        <button
          type="button"
          className={linkButton}
          disabled={patch.isPending}
          onClick={() => {
            if (
              u.disabled ||
              window.confirm(`Disable ${u.username}? They are signed out everywhere and their API tokens stop working.`)
            )
              patch.mutate({ disabled: !u.disabled });
          }}
        >
          {u.disabled ? "Enable" : "Disable"}
        </button>
        {resetting ? (
          <form
            className="inline-flex gap-1"
            onSubmit={(e) => {
              e.preventDefault();
              reset.mutate(String(new FormData(e.currentTarget).get("password")));
            }}
          >
            <input
              name="password"
              type="password"
              minLength={12}
              required
              placeholder="new password (12+)"
              className={input}
              aria-label={`New password for ${u.username}`}
            />
            <button className={linkButton} disabled={reset.isPending}>
              Set
            </button>
          </form>
        ) : (
          <button type="button" className={linkButton} onClick={() => setResetting(true)}>
            Reset password
          </button>
        )}
        <button
          type="button"
          className={`${linkButton} text-red-500`}
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete ${u.username}? Their sessions end and their API tokens stop working.`))
              remove.mutate();
          }}
        >
          Delete
        </button>
        {error && (
          <span role="alert" className="text-red-500">
            {error.message}
          </span>
        )}
      </td>
    </tr>
  );
}

/** The API token list's columns; the last one revokes. */
function tokenColumns(revoke: (id: string) => void): Column<TokenRow>[] {
  return [
    { key: "name", header: "Name", width: 180, cell: (t) => t.name },
    { key: "role", header: "Role", width: 90, cell: (t) => t.role },
    { key: "by", header: "By", width: 120, cell: (t) => t.createdBy },
    { key: "expires", header: "Expires", width: 130, cell: tokenExpiry },
    { key: "used", header: "Last used", width: 120, cell: (t) => (t.revoked ? "revoked" : fmtAge(t.lastUsedAt)) },
    {
      key: "revoke",
      header: "",
      title: "Revoke",
      width: 80,
      cell: (t) =>
        !t.revoked && (
          <button type="button" className="text-red-500 underline" onClick={() => revoke(t.id)}>
            Revoke
          </button>
        ),
    },
  ];
}

function RoleSelect({ name }: { name: string }) {
  return (
    <select name={name} defaultValue="viewer" className={input} aria-label="Role">
      <option value="viewer">viewer (read)</option>
      <option value="operator">operator (actions)</option>
      <option value="admin">admin (users, tokens, settings)</option>
    </select>
  );
}

export function AdminPanels() {
  const qc = useQueryClient();
  const users = useLiveQuery({ queryKey: ["users"], queryFn: () => getJson<UsersResponse>("/api/users") });
  const tokens = useLiveQuery({ queryKey: ["tokens"], queryFn: () => getJson<TokensResponse>("/api/tokens") });
  const [newToken, setNewToken] = useState<string | null>(null);
  const addUser = useMutation({
    mutationFn: (b: unknown) => sendJson("/api/users", b),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["users"] }),
  });
  const addToken = useMutation({
    mutationFn: (b: unknown) => sendJson<NewTokenResponse>("/api/tokens", b),
    onSuccess: (r) => {
      setNewToken(r.token);
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => sendJson(`/api/tokens/${encodeURIComponent(id)}`, {}, "DELETE"),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["tokens"] }),
  });
  const tokenCols = useMemo(() => tokenColumns(revoke.mutate), [revoke.mutate]);

  return (
    <>
      <section aria-labelledby="users" className="space-y-2">
        <h2 id="users" className="font-medium">
          Users
        </h2>
        <table className="w-full text-sm">
          <thead className="text-left text-zinc-500">
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data?.users.map((u) => (
              <UserRowView key={u.id} u={u} />
            ))}
          </tbody>
        </table>
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            addUser.mutate({ username: f.get("username"), password: f.get("password"), role: f.get("role") });
          }}
        >
          <input name="username" placeholder="username" required className={input} aria-label="New username" />
          <input
            name="password"
            type="password"
            placeholder="password (12+)"
            minLength={12}
            required
            className={input}
            aria-label="New password"
          />
          <RoleSelect name="role" />
          <button className={button} disabled={addUser.isPending}>
            Add user
          </button>
          {addUser.error && (
            <span role="alert" className="text-sm text-red-500">
              {addUser.error.message}
            </span>
          )}
        </form>
      </section>
      <section aria-labelledby="tokens" className="space-y-2">
        <h2 id="tokens" className="font-medium">
          API tokens
        </h2>
        <p className="text-sm text-zinc-500">
          Send as <code>Authorization: Bearer &lt;token&gt;</code>. A token is shown once.
        </p>
        {newToken && (
          <p role="status" className="break-all rounded border border-amber-500/50 p-2 font-mono text-xs">
            New token (copy it now): {newToken}
          </p>
        )}
        <DataTable
          rows={tokens.data?.tokens ?? []}
          columns={tokenCols}
          caption="API tokens"
          rowKey={(t) => t.id}
          empty={tokens.data ? "No API token issued." : "Loading…"}
        />
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const days = Number(f.get("expiresInDays") || 0);
            addToken.mutate({ name: f.get("name"), role: f.get("role"), ...(days > 0 ? { expiresInDays: days } : {}) });
          }}
        >
          <input name="name" placeholder="token name" required className={input} aria-label="Token name" />
          <RoleSelect name="role" />
          <label className="flex items-center gap-1.5 text-sm">
            <span className="text-zinc-500">expires in</span>
            <input
              name="expiresInDays"
              type="number"
              min={1}
              max={3650}
              placeholder="never"
              className={`${input} w-24 tabular-nums`}
              aria-label="Expires in days"
            />
            <span className="text-zinc-500">days</span>
          </label>
          <button className={button} disabled={addToken.isPending}>
            Create token
          </button>
          {addToken.error && (
            <span role="alert" className="text-sm text-red-500">
              {addToken.error.message}
            </span>
          )}
        </form>
      </section>
    </>
  );
}
