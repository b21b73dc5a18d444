"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { AuthCard, buttonClass, inputClass, postAuth } from "./login-form";

export function SetupForm({ token }: { token: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get("password") !== f.get("confirm")) return setError("The passwords differ.");
    try {
      await postAuth("/api/setup", { token, username: f.get("username"), password: f.get("password") });
      router.replace("/");
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  if (!token) return <AuthCard title="Open the setup link printed in the server log.">{null}</AuthCard>;
  return (
    <AuthCard title="First start: create the admin account">
      <form onSubmit={onSubmit} className="space-y-3">
        <label className="block text-sm">
          Username
          <input name="username" defaultValue="admin" required className={inputClass} />
        </label>
        <label className="block text-sm">
          Password (12+ characters)
          <input name="password" type="password" minLength={12} required className={inputClass} />
        </label>
        <label className="block text-sm">
          Repeat password
          <input name="confirm" type="password" minLength={12} required className={inputClass} />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        <button type="submit" className={buttonClass}>
          Create admin and sign in
        </button>
      </form>
    </AuthCard>
  );
}
