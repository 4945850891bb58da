import type { NextRequest } from "next/server";
import { handleTrpc } from "~/server/api/trpc-http";

const handler = (req: NextRequest) => handleTrpc(req);

export { handler as GET, handler as POST };
