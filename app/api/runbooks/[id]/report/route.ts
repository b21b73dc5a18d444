import { apiRoute } from "@/server/http/handle";
import { reportMarkdown } from "@/server/runbooks/report";
import { reportInput } from "@/server/runbooks/report-data";

export const dynamic = "force-dynamic";

// The incident report as a Markdown download (charts embedded as SVG data URIs).
export const GET = apiRoute({ access: "viewer" }, async ({ params, caller }) => {
  const input = await reportInput(params.id!, caller.username);
  const name = `incident-${input.run.kind}-${input.run.id.slice(0, 8)}.md`;
  return new Response(reportMarkdown(input), {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});
