import { z } from "zod";

/** What a screen shows beside an error: the catalogue entry's title and its anchor on /help/troubleshooting. */
export const helpLinkSchema = z.object({ anchor: z.string(), title: z.string() }).nullable();
