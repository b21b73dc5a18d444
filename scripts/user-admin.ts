// Host-side recovery for when nobody can sign in as an admin (forgotten password, a disabled or throttled account).
// Works on the console's database directly, so it needs access to the data dir (or LEAKWATCH_DATABASE_URL):
//   npm run user -- unlock <username>           forget failed sign-ins for the account from every address
//   npm run user -- reset-password <username>   set a new random password (or LEAKWATCH_NEW_PASSWORD), print it,
//                                               end the user's sessions, enable the account and unlock it
//   npm run user -- enable <username>           enable a disabled account
//   npm run user -- list                        usernames, roles and whether each is disabled
// The running console's audit log is its own to write (a second writer would break its chain), so these changes
// are printed here, not audited: whoever can run this already owns the data dir.
import path from "node:path";

const USAGE = "usage: npm run user -- unlock|reset-password|enable <username> | list";

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, username] = argv;
  const { findUserByName, listUsers, setUserDisabled, setUserPassword } = await import("@/server/auth/users");
  const { clearAccountFromAllAddresses } = await import("@/server/auth/throttle");
  const { newToken } = await import("@/server/auth/crypto");
  if (command === "list") {
    for (const u of await listUsers()) out(`${u.username}\t${u.role}${u.disabled ? "\tdisabled" : ""}`);
    return 0;
  }
  if (!username || !["unlock", "reset-password", "enable"].includes(command ?? "")) {
    out(USAGE);
    return 2;
  }
  const user = await findUserByName(username);
  if (!user) {
    out(`no user named "${username}" (npm run user -- list shows them)`);
    return 1;
  }
  if (command === "unlock") {
    const n = await clearAccountFromAllAddresses(user.username);
    out(`unlocked ${user.username}: forgot failed sign-ins from ${n} address(es)`);
  } else if (command === "enable") {
    await setUserDisabled(user.id, false);
    out(`enabled ${user.username}`);
  } else {
    const password = process.env.LEAKWATCH_NEW_PASSWORD || newToken(18);
    await setUserPassword(user.id, password);
    await setUserDisabled(user.id, false);
    await clearAccountFromAllAddresses(user.username);
    out(`new password for ${user.username} (its sessions are ended; change it after signing in):`);
    out(process.env.LEAKWATCH_NEW_PASSWORD ? "(the one in LEAKWATCH_NEW_PASSWORD)" : password);
  }
  return 0;
}

const isEntry = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isEntry) {
  void main(process.argv.slice(2))
    .catch((e: unknown) => {
      console.error(`user-admin: ${(e as Error).message}`);
      return 1;
    })
    .then(async (code) => {
      const { closeDb } = await import("@/server/db");
      await closeDb();
      process.exit(code);
    });
}
