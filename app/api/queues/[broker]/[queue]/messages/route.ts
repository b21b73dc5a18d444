import { apiRoute } from "@/server/http/handle";
import { queueMessages } from "@/server/read-models";
import { messageQuerySchema } from "@/server/schemas/messages";

export const dynamic = "force-dynamic";

// The message browser: a page of the queue in kombu's delivery order. Arguments only for admins when
// showTaskArguments is on (the answer says why they are hidden otherwise).
export const GET = apiRoute({ access: "viewer" }, async ({ req, params, caller }) => {
  const query = messageQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return queueMessages(params.broker!, params.queue!, query, caller!.role);
});
