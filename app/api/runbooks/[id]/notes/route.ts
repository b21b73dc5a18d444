import { apiRoute } from "@/server/http/handle";
import { addNote, noteBody, runView } from "@/server/runbooks/service";

export const dynamic = "force-dynamic";

export const POST = apiRoute(
  { access: "operator", mutating: true, body: noteBody },
  async ({ params, caller, body }) => {
    await addNote(params.id!, body, caller.username);
    return runView(params.id!);
  },
);
