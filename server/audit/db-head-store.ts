import "server-only";
import { getDb } from "@/server/db";
import type { ChainHead, HeadStore } from "./types";

// The audit chain's head in the console's database, one row per instance: cutting the file's tail is then
// detectable, because the file no longer reaches the head the database remembers.
export function dbHeadStore(instance: string): HeadStore {
  return {
    async get(): Promise<ChainHead | null> {
      const db = await getDb();
      const r = await db
        .selectFrom("audit_heads")
        .select(["seq", "hash"])
        .where("instance", "=", instance)
        .executeTakeFirst();
      return r ? { seq: Number(r.seq), hash: r.hash } : null;
    },
    async set(head: ChainHead): Promise<void> {
      const db = await getDb();
      await db
        .insertInto("audit_heads")
        .values({ instance, seq: head.seq, hash: head.hash })
        .onConflict((oc) => oc.column("instance").doUpdateSet({ seq: head.seq, hash: head.hash }))
        .execute();
    },
  };
}
