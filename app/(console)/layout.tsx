import { requireUser } from "@/server/auth/current";
import { getConfig } from "@/server/config";
import { Shell } from "@/components/shell/shell";

// Every console page sits behind a session: nobody reaches data before login.
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <Shell
      user={{ username: user.username, role: user.role, csrfToken: user.csrfToken }}
      readOnly={getConfig().readOnly}
    >
      {children}
    </Shell>
  );
}
