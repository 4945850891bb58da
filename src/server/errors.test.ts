import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { APP_ERROR_CODES, codeForTrpc, ERROR_STATUS, httpStatusFor, trpcCodeFor } from "~/server/errors";

describe("the error status table", () => {
  it("gives every code an HTTP status and a tRPC code, and tRPC answers that same HTTP status", () => {
    for (const code of APP_ERROR_CODES) {
      const { http, trpc } = ERROR_STATUS[code];
      expect(httpStatusFor(code), code).toBe(http);
      expect(trpcCodeFor(code), code).toBe(trpc);
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: trpc })), code).toBe(http);
    }
  });

  it("maps tRPC's own codes back, and anything unknown to a 500", () => {
    expect(codeForTrpc("BAD_REQUEST")).toBe("BAD_INPUT");
    expect(codeForTrpc("TOO_MANY_REQUESTS")).toBe("RATE_LIMITED");
    expect(codeForTrpc("PARSE_ERROR")).toBe("INTERNAL");
    expect(httpStatusFor("NO_SUCH_CODE")).toBe(500);
    expect(httpStatusFor(undefined)).toBe(500);
    expect(trpcCodeFor("toString")).toBe("INTERNAL_SERVER_ERROR");
  });
});
